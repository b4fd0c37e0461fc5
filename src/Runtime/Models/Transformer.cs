using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.SafeTensors;

namespace HeadPursuit.Runtime.Models;

/// <summary>
/// A causal language model of any family, run as backend ops:
///   X = embed(ids)               the family's (token rows, plus learned positions or a scale); rows given as
///                                embeddings (a vision-language model's image features) replace theirs
///   for each layer: block(X)     the family's; its attention goes through ForwardPass.Attention, so the pooled
///                                capture, head scales, KV cache and recordings are the same for every family
///   logits = final_norm(X) W_U^T soft-capped when the config says so
/// The family (Models/Families) supplies the config, the tensors and the block; this class supplies everything else.
/// </summary>
public sealed class Transformer : IDisposable
{
    readonly IBackend _b;
    readonly ParameterTensors _parameters;   // every tensor the family placed on the backend
    readonly FamilyModel _model;
    readonly AttentionShape[] _shapes;   // [L]
    readonly RopeTable[] _ropes;         // the distinct RoPE tables of the layers
    Workspace? _ws;
    DeviceTensor? _logits;   // [n, vocab], grown on demand
    WeightStore? _store;     // the mapped checkpoint files, when this model opened them (Load)

    /// <summary>The model's config.json as read.</summary>
    public ModelConfig Config { get; }
    /// <summary>The backend the weights live on.</summary>
    public IBackend Backend => _b;
    internal ModelFamily Family => Config.Family;

    Transformer(ParameterTensors parameters, FamilyModel model)
    {
        _b = parameters.Backend; _parameters = parameters; _model = model; Config = model.Config;
        var c = Config;
        var tables = new Dictionary<(RopeSettings, int), RopeTable>();
        RopeTable Table(RopeSettings rope, int dims) =>
            tables.TryGetValue((rope, dims), out var t) ? t : tables[(rope, dims)] = new RopeTable(rope.InverseFrequencies(dims), sections: rope.MropeSection);
        _shapes = c.LayerAttention.Select(a => new AttentionShape(c.Heads, c.KvHeads, c.DHead)
        {
            Window = a.Window,
            Rope = a.Rope == null ? null : Table(a.Rope, a.RotaryDims),
            Scale = c.AttentionScale ?? 1f / MathF.Sqrt(c.DHead),
            SoftCap = c.AttentionSoftCap,
        }).ToArray();
        _ropes = [.. tables.Values];
    }

    /// <summary>Loads config.json and the safetensors weights of a model folder onto a backend.</summary>
    public static Transformer Load(string folder, IBackend backend)
    {
        var config = ModelConfig.Load(Path.Combine(folder, "config.json"));
        var store = WeightStore.Open(folder);
        try
        {
            var model = Load(store, config, backend);
            model._store = store;
            return model;
        }
        catch { store.Dispose(); throw; }
    }

    /// <summary>
    /// The language model of an open checkpoint. <paramref name="storedName"/> maps a Hugging Face causal-LM tensor name
    /// to its name in the store, for checkpoints that nest the language model (vision-language models); null = as is.
    /// The store stays the caller's.
    /// </summary>
    internal static Transformer Load(WeightStore store, ModelConfig config, IBackend backend, Func<string, string>? storedName = null)
    {
        var parameters = new ParameterTensors(backend);
        try { return new(parameters, config.Family.Load(config, new CheckpointTensors(store, storedName), parameters)); }
        catch { parameters.Dispose(); throw; }
    }

    internal KvCache NewCache(int slots, int maxT) => new(_b, Config, slots, maxT);

    /// <summary>Runs one forward call and returns the requested logits [n, vocab] (n = rows, sequences or 0).</summary>
    internal float[] Forward(ForwardRequest req, KvCache cache)
    {
        int n = Run(req, cache);
        var logits = GC.AllocateUninitializedArray<float>(n * Config.Vocab);   // every value is overwritten just below
        if (n > 0) _b.Download(_logits!, n, logits);
        return logits;
    }

    /// <summary>
    /// As <see cref="Forward(ForwardRequest, KvCache)"/>, writing the logits into the caller's buffer (a decode loop
    /// reuses one instead of allocating a large array per token). Returns n; <paramref name="logits"/> must hold n * vocab.
    /// </summary>
    internal int Forward(ForwardRequest req, KvCache cache, Span<float> logits)
    {
        int wanted = req.Logits switch { LogitRows.All => req.Layout.Rows, LogitRows.LastOfEachSequence => req.Layout.Sequences, _ => 0 };
        if (logits.Length < (long)wanted * Config.Vocab)
            throw new ArgumentException($"a logits buffer of {logits.Length} floats cannot hold {wanted} rows x {Config.Vocab}");
        int n = Run(req, cache);
        if (n > 0) _b.Download(_logits!, n, logits[..(n * Config.Vocab)]);
        return n;
    }

    /// <summary>The forward call itself: leaves the requested logits in _logits and returns their row count n.</summary>
    int Run(ForwardRequest req, KvCache cache)
    {
        var c = Config;
        var layout = req.Layout;
        int rows = layout.Rows;
        if (req.Tokens.Length != rows) throw new ArgumentException($"{req.Tokens.Length} tokens for a layout of {rows} rows");
        if (cache.Config.Layers != c.Layers || cache.Config.KvHeads * cache.Config.DHead != c.KvHeads * c.DHead)
            throw new ArgumentException("the KV cache was made for a model of another shape");
        for (int i = 0; i < layout.Sequences; i++)
            if (layout.Slot[i] >= cache.Slots) throw new ArgumentException($"sequence {i} uses cache slot {layout.Slot[i]}, the cache has {cache.Slots}");
        int positions = layout.RowPosition.Max() + 1;
        if (c.LearnedPositions && positions > c.MaxPositions)
            throw new ArgumentException($"position {positions - 1} is beyond the model's {c.MaxPositions} learned positions");
        foreach (var rope in _ropes) rope.EnsurePositions(Math.Max(positions, (layout.RopePositions?.Max() ?? 0) + 1));
        var rec = req.Record;
        if (rec != null && rec.Rows != rows) throw new ArgumentException("the recording was sized for another number of rows");
        if (req.Pool != null && req.PoolSums == null) throw new ArgumentException("a pooling plan needs PoolSums to add into");
        var ws = Workspace.For(_ws, _b, c, rows);
        if (ws != _ws) { _ws?.Dispose(); _ws = ws; }
        var f = new ForwardPass(_b, c, req, cache, _shapes, ws);

        _model.Embed(f);
        if (req.Embeddings != null) ReplaceRows(ws.X, rows, req.Embeddings);
        if (rec != null) _b.Download(ws.X, rows, rec.Resid.AsSpan(0, rows * c.DModel));
        for (int l = 0; l < c.Layers; l++)
        {
            _model.Block(f, l);
            if (rec != null) _b.Download(ws.X, rows, rec.Resid.AsSpan((l + 1) * rows * c.DModel, rows * c.DModel));
        }

        if (req.Logits == LogitRows.None && rec == null) return 0;
        int[]? last = null;
        if (req.Logits == LogitRows.LastOfEachSequence)
        {
            last = new int[layout.Sequences];
            for (int i = 0; i < last.Length; i++) last[i] = layout.RowStart[i] + layout.Length[i] - 1;
        }
        var finalNorm = _model.FinalNorm;
        DeviceTensor normed = ws.Attn;
        int n = rows;
        if (rec == null && last != null)
        {
            // Only the last row of each sequence is unembedded: gather first, normalise those rows only.
            _b.GatherRows(ws.X, last, ws.H);
            n = last.Length;
            finalNorm.Apply(_b, ws.H, ws.Attn, n);
        }
        else
        {
            finalNorm.Apply(_b, ws.X, ws.Attn, rows);
            if (rec != null) _b.Download(ws.Attn, rows, rec.FinalNorm);
            if (last != null)
            {
                _b.GatherRows(ws.Attn, last, ws.H);
                normed = ws.H;
                n = last.Length;
            }
        }
        if (req.Logits == LogitRows.None) return 0;
        if (_logits == null || _logits.Rows < n)
        {
            _logits?.Dispose();
            _logits = _b.Activations(Math.Max(n, layout.Sequences), c.Vocab);
        }
        _b.MatMul(normed, _model.Unembed, null, _logits, n);
        if (c.FinalSoftCap is float cap) _b.SoftCap(_logits, cap, n);
        return n;
    }

    /// <summary>x[Rows[i], :] = Values[i, :]: a round trip through the host, negligible next to the layers.</summary>
    void ReplaceRows(DeviceTensor x, int rows, RowEmbeddings e)
    {
        int d = Config.DModel;
        var host = new float[x.Rows * d];   // [capacity, d_model]
        _b.Download(x, rows, host.AsSpan(0, rows * d));
        for (int i = 0; i < e.Rows.Length; i++)
        {
            if ((uint)e.Rows[i] >= rows) throw new ArgumentException($"embedding row {e.Rows[i]} is outside the {rows} rows of this call");
            e.Values.AsSpan(i * d, d).CopyTo(host.AsSpan(e.Rows[i] * d, d));
        }
        _b.Upload(host, x);
    }

    /// <summary>Layer l's attention output projection (o_proj / c_proj / dense) on the host, and its bias.</summary>
    internal OutputProjection OutputProjection(int layer)
    {
        if ((uint)layer >= Config.Layers) throw new ArgumentOutOfRangeException(nameof(layer), $"layer {layer} is outside the model's {Config.Layers} layers");
        return _model.Output(layer);
    }

    /// <summary>The unembedding (lm_head, or the tied token embedding) on the host: [in d_model, out vocab].</summary>
    internal WeightMatrix Unembedding => _model.Unembedding;

    /// <summary>[d_model] the final norm's multiplicative gain as applied (Gemma: 1 + w).</summary>
    public float[] FinalNormGain => _model.FinalNorm.Gain;

    /// <summary>Every head's W_O^(h) of one layer, each [d_model, d_head] row-major (<see cref="Models.OutputProjection.Blocks"/>).</summary>
    public float[][] OutputBlocks(int layer) => OutputProjection(layer).Blocks(Config.Heads, Config.DHead);

    /// <summary>Frees the model's tensors on the backend and, when it opened them, the mapped checkpoint files.</summary>
    public void Dispose()
    {
        _ws?.Dispose();
        _logits?.Dispose();
        _parameters.Dispose();
        _store?.Dispose();
    }
}
