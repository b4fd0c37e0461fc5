using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.SafeTensors;

namespace HeadPursuit.Runtime.Models;

/// <summary>
/// The forward pass of GPT-2 and the Llama family, written once as a sequence of backend ops:
///   x = embed(ids) (+ wpe[pos] for GPT-2)
///   per block: h = norm1(x); qkv = h Wqkv (+b); z = attention(qkv) [per head, RoPE for Llama]; z_h *= alpha_h;
///              x += z W_O (+b); h = norm2(x); x += mlp(h)    (GPT-2: gelu_tanh(h W_fc) W_proj; Llama: (silu(h W_g) * h W_u) W_d)
///   logits = final_norm(x) W_U^T
/// </summary>
public sealed class Transformer : IDisposable
{
    readonly IBackend _b;
    readonly TransformerWeights _w;
    readonly DeviceTensor _tokens, _positions;
    readonly DeviceTensor _finalW;
    readonly LayerTensors[] _layers;
    readonly DeviceTensor? _finalB;
    readonly DeviceTensor _unembed;
    readonly AttentionShape _attention;
    Workspace? _ws;
    DeviceTensor? _logits;   // [n, vocab], grown on demand
    WeightStore? _store;     // the mapped checkpoint files, when this model opened them (Load)

    public ModelConfig Config { get; }
    public IBackend Backend => _b;
    public TransformerWeights Weights => _w;

    sealed record LayerTensors(DeviceTensor Norm1W, DeviceTensor? Norm1B, DeviceTensor Qkv, DeviceTensor? QkvB, DeviceTensor O, DeviceTensor? OB,
                               DeviceTensor Norm2W, DeviceTensor? Norm2B, DeviceTensor Up, DeviceTensor? UpB, DeviceTensor Down, DeviceTensor? DownB);

    public Transformer(IBackend backend, TransformerWeights weights)
    {
        _b = backend; _w = weights; Config = weights.Config;
        var c = Config;
        _tokens = _b.Table(weights.TokenEmbedding);
        _positions = weights.PositionEmbedding is { } pe ? _b.Table(pe) : _tokens;
        DeviceTensor? V(float[]? v) => v == null ? null : _b.Vector(v);
        _layers = weights.Layers.Select(l => new LayerTensors(
            _b.Vector(l.Norm1Weight), V(l.Norm1Bias), _b.Matrix(l.Qkv), V(l.QkvBias), _b.Matrix(l.O), V(l.OBias),
            _b.Vector(l.Norm2Weight), V(l.Norm2Bias), _b.Matrix(l.Up), V(l.UpBias), _b.Matrix(l.Down), V(l.DownBias))).ToArray();
        _finalW = _b.Vector(weights.FinalNormWeight);
        _finalB = V(weights.FinalNormBias);
        _unembed = _b.Matrix(weights.Unembedding);
        var rope = c.Family == ModelFamily.Llama ? new RopeTable(c.DHead, c.MaxPositions, c.RopeTheta) : null;
        _attention = new AttentionShape(c.Heads, c.KvHeads, c.DHead, c.SlidingWindow, rope);
    }

    /// <summary>Loads config.json and the safetensors weights of a model folder onto a backend.</summary>
    public static Transformer Load(string folder, IBackend backend)
    {
        var config = ModelConfig.Load(Path.Combine(folder, "config.json"));
        var store = WeightStore.Open(folder);
        return new Transformer(backend, TransformerWeights.Load(store, config)) { _store = store };
    }

    public KvCache NewCache(int slots, int maxT) => new(_b, Config, slots, maxT);

    /// <summary>Runs one forward call and returns the requested logits [n, vocab] (n = rows, sequences or 0).</summary>
    public float[] Forward(ForwardRequest req, KvCache cache)
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
    public int Forward(ForwardRequest req, KvCache cache, Span<float> logits)
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
        for (int i = 0; i < layout.Sequences; i++)
            if (layout.Slot[i] >= cache.Slots) throw new ArgumentException($"sequence {i} uses cache slot {layout.Slot[i]}, the cache has {cache.Slots}");
        if (c.Family == ModelFamily.Gpt2)
            foreach (int p in layout.RowPosition)
                if (p >= c.MaxPositions) throw new ArgumentException($"position {p} is beyond the model's n_positions = {c.MaxPositions}");
        var ws = _ws = Workspace.For(_ws, _b, c, rows);
        var rec = req.Record;
        if (rec != null && rec.Rows != rows) throw new ArgumentException("the recording was sized for another number of rows");
        float[]? probs = rec?.Probs != null ? new float[c.Heads * rows * rows] : null;
        var layerAlpha = req.Scales == null ? null : Enumerable.Range(0, c.Layers).Select(l => req.Scales.Layer(l).ToArray()).ToArray();
        if (req.Pool != null && req.PoolSums == null) throw new ArgumentException("a pooling plan needs PoolSums to add into");

        _b.Embed(_tokens, req.Tokens, ws.X, accumulate: false);
        if (c.Family == ModelFamily.Gpt2) _b.Embed(_positions, layout.RowPosition, ws.X, accumulate: true);
        if (req.Embeddings != null) ReplaceRows(ws.X, rows, req.Embeddings);
        if (rec != null) _b.Download(ws.X, rows, rec.Resid.AsSpan(0, rows * c.DModel));

        for (int l = 0; l < c.Layers; l++)
        {
            var L = _layers[l];
            Norm(ws.X, L.Norm1W, L.Norm1B, ws.H, rows);
            _b.MatMul(ws.H, L.Qkv, L.QkvB, ws.Qkv, rows);
            bool scaled = req.Scales != null && !req.Scales.LayerIsIdentity(l);
            _b.Attention(ws.Qkv, layout, _attention, cache.K[l], cache.V[l], cache.MaxT, ws.Z, new HeadEpilogue
            {
                RawZ = rec != null ? ws.RawZ : null,
                Pool = req.Pool, PoolSums = req.PoolSums, PoolOffset = l * c.Heads * c.DHead,
                Alpha = scaled ? layerAlpha![l] : null, ScaleRows = scaled ? req.ScaleRows ?? ws.AllRows : null,
                Probs = probs,
            });
            if (rec != null)
            {
                _b.Download(ws.RawZ, rows, rec.Z.AsSpan(l * rows * c.Heads * c.DHead, rows * c.Heads * c.DHead));
                probs?.CopyTo(rec.Probs!.AsSpan(l * probs.Length));
            }
            _b.MatMul(ws.Z, L.O, L.OB, ws.Out, rows);
            if (rec != null) _b.Download(ws.Out, rows, rec.AttnOut.AsSpan(l * rows * c.DModel, rows * c.DModel));
            _b.Add(ws.X, ws.Out, rows);

            Norm(ws.X, L.Norm2W, L.Norm2B, ws.H, rows);
            _b.MatMul(ws.H, L.Up, L.UpB, ws.Up, rows);
            if (c.Family == ModelFamily.Gpt2)
            {
                _b.GeluTanh(ws.Up, rows);
                _b.MatMul(ws.Up, L.Down, L.DownB, ws.Out, rows);
            }
            else
            {
                _b.SiluGate(ws.Up, ws.Act, rows);
                _b.MatMul(ws.Act, L.Down, L.DownB, ws.Out, rows);
            }
            _b.Add(ws.X, ws.Out, rows);
            if (rec != null) _b.Download(ws.X, rows, rec.Resid.AsSpan((l + 1) * rows * c.DModel, rows * c.DModel));
        }

        if (req.Logits == LogitRows.None && rec == null) return 0;
        int[]? last = null;
        if (req.Logits == LogitRows.LastOfEachSequence)
        {
            last = new int[layout.Sequences];
            for (int i = 0; i < last.Length; i++) last[i] = layout.RowStart[i] + layout.Length[i] - 1;
        }
        DeviceTensor normed = ws.Out;
        int n = rows;
        if (rec == null && last != null)
        {
            // Only the last row of each sequence is unembedded: gather first, normalise those rows only.
            _b.GatherRows(ws.X, last, ws.H);
            n = last.Length;
            Norm(ws.H, _finalW, _finalB, ws.Out, n);
        }
        else
        {
            Norm(ws.X, _finalW, _finalB, ws.Out, rows);
            if (rec != null) _b.Download(ws.Out, rows, rec.FinalNorm);
            if (last != null)
            {
                _b.GatherRows(ws.Out, last, ws.H);
                normed = ws.H;
                n = last.Length;
            }
        }
        if (req.Logits == LogitRows.None) return 0;
        if (_logits == null || _logits.Rows < n) _logits = _b.Activations(Math.Max(n, layout.Sequences), Config.Vocab);
        _b.MatMul(normed, _unembed, null, _logits, n);
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

    void Norm(DeviceTensor x, DeviceTensor w, DeviceTensor? b, DeviceTensor y, int rows)
    {
        if (b != null) _b.LayerNorm(x, w, b, Config.NormEps, y, rows);
        else _b.RmsNorm(x, w, Config.NormEps, y, rows);
    }

    /// <summary>
    /// Every head's W_O^(h) of one layer, each [d_model, d_head] row-major: the block of the output projection that reads
    /// head h's z, so head_out = W_O^(h) z. (Llama o_proj [d, H*dh]: columns h*dh..; GPT-2 Conv1D c_proj [H*dh, d]: rows
    /// h*dh.., transposed.) The projection is widened to fp32 once per layer.
    /// </summary>
    public float[][] OutputBlocks(int layer)
    {
        var c = Config;
        if ((uint)layer >= c.Layers) throw new ArgumentOutOfRangeException(nameof(layer), $"layer {layer} is outside the model's {c.Layers} layers");
        var o = _w.Layers[layer].O;
        var all = o.View.ToFloatArray();
        int d = c.DModel, dh = c.DHead, q = c.Heads * dh;
        var blocks = new float[c.Heads][];
        for (int head = 0; head < c.Heads; head++)
        {
            var block = blocks[head] = new float[d * dh];
            for (int i = 0; i < d; i++)
                for (int j = 0; j < dh; j++)
                    block[i * dh + j] = o.Layout == Cpu.WeightLayout.OutIn ? all[i * q + head * dh + j] : all[(head * dh + j) * d + i];
        }
        return blocks;
    }

    public void Dispose() => _store?.Dispose();

    /// <summary>Activation buffers sized for a number of rows, reused across calls while they fit (no per-token allocation).</summary>
    sealed class Workspace
    {
        public required int Capacity { get; init; }
        public required DeviceTensor X, H, Qkv, Z, RawZ, Out, Up, Act;
        public required byte[] AllRows;

        public static Workspace For(Workspace? current, IBackend b, ModelConfig c, int rows)
        {
            if (current != null && current.Capacity >= rows) return current;
            int cap = Math.Max(rows, (current?.Capacity ?? 0) * 2);
            int q = c.Heads * c.DHead, qkv = q + 2 * c.KvHeads * c.DHead;
            int up = c.Family == ModelFamily.Gpt2 ? c.DFF : 2 * c.DFF;
            var all = new byte[cap];
            Array.Fill(all, (byte)1);
            return new Workspace
            {
                Capacity = cap,
                X = b.Activations(cap, c.DModel), H = b.Activations(cap, c.DModel), Qkv = b.Activations(cap, qkv),
                Z = b.Activations(cap, q), RawZ = b.Activations(cap, q), Out = b.Activations(cap, c.DModel), Up = b.Activations(cap, up),
                Act = b.Activations(cap, c.DFF), AllRows = all,
            };
        }
    }
}
