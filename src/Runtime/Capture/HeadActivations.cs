using System.Globalization;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.Capture;

/// <summary>
/// Pooled per-head outputs of a capture run: for every sample i, layer l and (query) head h, the mean of
/// z[l, t, h, :] over the sample's chosen positions. Stored as Z [L, H, n, d_head] so that one head's
/// samples are contiguous (what SOMP reads). Pooled z rather than head_out: pooling commutes with W_O,
/// and z is d_model / d_head times smaller.
/// Saved as safetensors: tensor "z" F32 [L, H, n, d_head] plus string metadata.
/// </summary>
public sealed class HeadActivations
{
    /// <summary>L: the model's layers.</summary>
    public int Layers { get; }
    /// <summary>H: attention heads per layer.</summary>
    public int Heads { get; }
    /// <summary>n: the captured samples (prompts or images).</summary>
    public int Samples { get; }
    /// <summary>d_head: the size of one head's output z.</summary>
    public int DHead { get; }
    /// <summary>[L, H, n, d_head]</summary>
    public float[] Z { get; }
    /// <summary>Which model produced them (its folder name or hub id) and how positions were chosen.</summary>
    public string Model { get; init; } = "";
    /// <summary>How each sample's positions were pooled, in words (see CapturePositionMasks.Describe).</summary>
    public string Positions { get; init; } = "";
    /// <summary>Extra key/value pairs saved with the file (e.g. the prompts file, the shard).</summary>
    public Dictionary<string, string> Metadata { get; init; } = new();
    /// <summary>
    /// A capture's resumable checkpoint (ACTS.partial), saved with "unfinished" = "true": <see cref="Load"/> refuses it,
    /// only the capture that wrote it reads it back (<see cref="LoadCheckpoint"/>).
    /// </summary>
    public bool Unfinished { get; init; }

    /// <summary>Activations of the given shape over <paramref name="z"/> [L, H, n, d_head] (zero-filled when null).</summary>
    public HeadActivations(int layers, int heads, int samples, int dHead, float[]? z = null)
    {
        if (layers <= 0 || heads <= 0 || samples < 0 || dHead <= 0)
            throw new ArgumentException($"invalid HeadActivations shape [L={layers}, H={heads}, n={samples}, d_head={dHead}]");
        Layers = layers; Heads = heads; Samples = samples; DHead = dHead;
        long len = (long)layers * heads * samples * dHead;
        if (z != null && z.LongLength != len) throw new ArgumentException($"z holds {z.LongLength} floats, [L, H, n, d_head] needs {len}");
        Z = z ?? new float[len];
    }

    /// <summary>Samples of one head: [n, d_head].</summary>
    public Span<float> Head(int layer, int head) => Z.AsSpan(HeadOffset(layer, head), Samples * DHead);

    /// <summary>One sample's pooled z for one head: [d_head].</summary>
    public Span<float> Row(int layer, int head, int sample) => Z.AsSpan(HeadOffset(layer, head) + sample * DHead, DHead);

    int HeadOffset(int layer, int head)
    {
        if ((uint)layer >= Layers || (uint)head >= Heads)
            throw new ArgumentOutOfRangeException(nameof(head), $"head L{layer}H{head} is outside the model's {Layers} layers x {Heads} heads");
        return (layer * Heads + head) * Samples * DHead;
    }

    const string UnfinishedKey = "unfinished";

    /// <summary>Writes the activations as safetensors: tensor "z" F32 [L, H, n, d_head], the model, positions and metadata as string metadata.</summary>
    public void Save(string path)
    {
        var w = new SafeTensorsWriter()
            .AddMetadata("format", "headpursuit.head_activations")
            .AddMetadata("model", Model)
            .AddMetadata("positions", Positions)
            .AddMetadata("n", Samples.ToString(CultureInfo.InvariantCulture));
        foreach (var (k, v) in Metadata) w.AddMetadata(k, v);
        if (Unfinished) w.AddMetadata(UnfinishedKey, "true");
        w.Add("z", [Layers, Heads, Samples, DHead], Z);
        w.Save(path);
    }

    /// <summary>Reads a finished capture written by <see cref="Save"/>; a checkpoint is refused with a word on how to finish it, a file of another layout is an error naming it.</summary>
    public static HeadActivations Load(string path)
    {
        var acts = LoadCheckpoint(path);
        if (acts.Unfinished)
            throw new ModelFormatException($"{path} is an unfinished capture (a checkpoint of {acts.Samples} samples): rerun the " +
                                           "`headpursuit capture` command that wrote it to resume and finish it, then use its --out file");
        return acts;
    }

    /// <summary>A finished capture or a checkpoint (<see cref="Unfinished"/> says which).</summary>
    public static HeadActivations LoadCheckpoint(string path)
    {
        using var f = SafeTensorsFile.Open(path);
        if (!f.TryGet("z", out var z))
            throw new ModelFormatException($"{path}: not a HeadActivations file (no tensor 'z')");
        if (z.Rank != 4) throw new ModelFormatException($"{path}: tensor 'z' has shape {z.ShapeText}, expected [L, H, n, d_head]");
        var extra = new Dictionary<string, string>(f.Metadata);
        extra.Remove("format"); extra.Remove("model"); extra.Remove("positions"); extra.Remove("n"); extra.Remove(UnfinishedKey);
        float[] values = z.ToFloatArray();   // [L, H, n, d_head]
        int at = Array.FindIndex(values, v => !float.IsFinite(v));
        if (at >= 0)
        {
            int n = z.Shape[2], dHead = z.Shape[3], heads = z.Shape[1];
            int sample = at / dHead % n, head = at / (dHead * n) % heads, layer = at / (dHead * n * heads);
            throw new ModelFormatException($"{path}: tensor 'z' holds {values[at]} at head L{layer}H{head}, sample {sample} (activations must be finite numbers)");
        }
        return new HeadActivations(z.Shape[0], z.Shape[1], z.Shape[2], z.Shape[3], values)
        {
            Model = f.Metadata.GetValueOrDefault("model", ""),
            Positions = f.Metadata.GetValueOrDefault("positions", ""),
            Metadata = extra,
            Unfinished = f.Metadata.GetValueOrDefault(UnfinishedKey) == "true",
        };
    }
}
