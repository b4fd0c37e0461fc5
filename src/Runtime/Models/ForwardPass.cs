using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Capture;

namespace HeadPursuit.Runtime.Models;

/// <summary>
/// One forward call as a family's block sees it: the activation buffers (sized for this call's rows) and the ops, with
/// the row count bound. <see cref="Attention"/> and <see cref="OutputProjection"/> are where the per-head machinery
/// lives (RoPE, KV cache, pooled capture, head scales, recordings), so a family's block never touches it.
/// </summary>
internal sealed class ForwardPass
{
    readonly ModelConfig _config;
    readonly ForwardRequest _req;
    readonly KvCache _cache;
    readonly AttentionShape[] _shapes;
    readonly float[][]? _layerAlpha;   // [L][H] when the request has scales
    readonly byte[]? _scaleRows;       // [rows] where the scales apply under their position policy
    readonly float[]? _probs;          // [H, rows, rows] scratch when recording probabilities

    internal ForwardPass(IBackend b, ModelConfig config, ForwardRequest req, KvCache cache, AttentionShape[] shapes, Workspace ws)
    {
        B = b; _config = config; _req = req; _cache = cache; _shapes = shapes;
        Rows = req.Layout.Rows;
        X = ws.X; H = ws.H; Qkv = ws.Qkv; Z = ws.Z; RawZ = ws.RawZ; Attn = ws.Attn; Mlp = ws.Mlp; Up = ws.Up; Act = ws.Act;
        var c = config;
        _probs = req.Record?.Probs != null ? new float[c.Heads * Rows * Rows] : null;
        _layerAlpha = req.Scales == null ? null : Enumerable.Range(0, c.Layers).Select(l => req.Scales.Layer(l).ToArray()).ToArray();
        _scaleRows = req.Scales == null ? null : PolicyRows.Of(req.Scales, req.Layout, req.PromptLengths, req.Embeddings);
    }

    public IBackend B { get; }
    /// <summary>Rows of this call: the packed tokens of every sequence.</summary>
    public int Rows { get; }
    public int[] Tokens => _req.Tokens;
    public BatchLayout Layout => _req.Layout;

    public DeviceTensor X { get; }      // [rows, d_model] the residual stream
    public DeviceTensor H { get; }      // [rows, d_model] a normalised block input
    public DeviceTensor Qkv { get; }    // [rows, (H + 2 KV) d_head] fused q | k | v
    public DeviceTensor Z { get; }      // [rows, H d_head] every head's z (after the head scales)
    internal DeviceTensor RawZ { get; } // [rows, H d_head] z before the scales, for recordings
    public DeviceTensor Attn { get; }   // [rows, d_model] the attention output (o_proj)
    public DeviceTensor Mlp { get; }    // [rows, d_model] the MLP output
    public DeviceTensor Up { get; }     // [rows, d_ff] or [rows, 2 d_ff] (gated: gate | up)
    public DeviceTensor Act { get; }    // [rows, d_ff] a gated activation's output

    public AttentionShape Shape(int layer) => _shapes[layer];

    /// <summary>Z = attention(Qkv) for layer <paramref name="layer"/>: RoPE, KV cache, pooled capture, head scales, recordings.</summary>
    public void Attention(int layer)
    {
        var c = _config;
        var rec = _req.Record;
        bool scaled = _req.Scales != null && !_req.Scales.LayerIsIdentity(layer);
        B.Attention(Qkv, Layout, _shapes[layer], _cache.K[layer], _cache.V[layer], _cache.MaxT, Z, new HeadEpilogue
        {
            RawZ = rec != null ? RawZ : null,
            Pool = _req.Pool, PoolSums = _req.PoolSums, PoolOffset = layer * c.Heads * c.DHead,
            Alpha = scaled ? _layerAlpha![layer] : null, ScaleRows = scaled ? _scaleRows : null,
            Probs = _probs,
        });
        if (rec == null) return;
        int n = Rows * c.Heads * c.DHead;
        B.Download(RawZ, Rows, rec.Z.AsSpan(layer * n, n));
        _probs?.CopyTo(rec.Probs!.AsSpan(layer * _probs.Length));
    }

    /// <summary>Attn = Z W_O (+ bias): every head's write, summed (recorded as attn_out).</summary>
    public void OutputProjection(int layer, DeviceTensor o, DeviceTensor? bias)
    {
        B.MatMul(Z, o, bias, Attn, Rows);
        if (_req.Record is { } rec)
        {
            int d = _config.DModel;
            B.Download(Attn, Rows, rec.AttnOut.AsSpan(layer * Rows * d, Rows * d));
        }
    }

    /// <summary>QK-norm: RMSNorm of each q head with q's gain and each k head with k's, in Qkv, before RoPE.</summary>
    public void NormHeads(int layer, Norm q, Norm k) => B.RmsNormHeads(Qkv, _shapes[layer], q.GainTensor, k.GainTensor, q.Eps, Rows);

    public void Norm(Norm n, DeviceTensor x, DeviceTensor y) => n.Apply(B, x, y, Rows);
    public void MatMul(DeviceTensor x, DeviceTensor w, DeviceTensor? bias, DeviceTensor y) => B.MatMul(x, w, bias, y, Rows);
    public void Add(DeviceTensor x, DeviceTensor y) => B.Add(x, y, Rows);
    public void Activate(DeviceTensor x, Activation act) => B.Activate(x, act, Rows);
    public void ActivateGated(DeviceTensor gateUp, Activation act, DeviceTensor y) => B.ActivateGated(gateUp, act, y, Rows);
    public void Scale(DeviceTensor x, float s) => B.Scale(x, s, Rows);
}

/// <summary>Activation buffers sized for a number of rows, reused across calls while they fit (no per-token allocation).</summary>
sealed class Workspace : IDisposable
{
    public required int Capacity { get; init; }
    public required DeviceTensor X, H, Qkv, Z, RawZ, Attn, Mlp, Up, Act;

    public static Workspace For(Workspace? current, IBackend b, ModelConfig c, int rows)
    {
        if (current != null && current.Capacity >= rows) return current;
        int cap = Math.Max(rows, (current?.Capacity ?? 0) * 2);
        int q = c.Heads * c.DHead, qkv = q + 2 * c.KvHeads * c.DHead;
        return new Workspace
        {
            Capacity = cap,
            X = b.Activations(cap, c.DModel), H = b.Activations(cap, c.DModel), Qkv = b.Activations(cap, qkv),
            Z = b.Activations(cap, q), RawZ = b.Activations(cap, q), Attn = b.Activations(cap, c.DModel), Mlp = b.Activations(cap, c.DModel),
            Up = b.Activations(cap, c.GatedMlp ? 2 * c.DFF : c.DFF), Act = b.Activations(cap, c.DFF),
        };
    }

    public void Dispose()
    {
        foreach (var t in new[] { X, H, Qkv, Z, RawZ, Attn, Mlp, Up, Act }) t.Dispose();
    }
}
