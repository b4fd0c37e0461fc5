using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Kernels;

/// <summary>One op compared on two backends: the largest |a - e| and whether it is within atol + rtol |e| everywhere.</summary>
internal sealed record OpComparison(string Op, double MaxAbsError, double Tolerance, bool Passed)
{
    public override string ToString() => $"{(Passed ? "ok  " : "FAIL")} {Op,-44} max|err| {MaxAbsError:E2} (tol {Tolerance:E0})";
}

/// <summary>
/// Runs every <see cref="IBackend"/> op on random inputs on a backend under test and compares each output with the
/// plain double-precision reference (<see cref="PlainOps"/>), in the manner of llama.cpp's test-backend-ops. Needs no
/// GPU itself: the tests check the CPU backend and the CUDA backend (on the emulator) this way; bench/gpu runs it with
/// the CUDA backend on a GPU. Tolerances are fp32 rounding (relative 1e-5 and a small absolute floor), wider where the
/// backend is documented to round further (bf16/f16 activations in the GPU's low-precision GEMMs).
/// </summary>
internal sealed class BackendComparison(IBackend tested, int seed = 7)
{
    readonly Random _rng = new(seed);
    readonly List<OpComparison> _results = [];

    public IReadOnlyList<OpComparison> RunAll()
    {
        _results.Clear();
        EmbedOps(); NormOps(); MatMulOps(); AttentionOps(); ElementwiseOps();
        return _results;
    }

    float[] Random(int n, float scale = 1f)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(_rng.NextDouble() * 2 - 1) * scale;
        return a;
    }

    /// <summary>An fp32 activation tensor holding <paramref name="values"/> [rows, cols] on the tested backend.</summary>
    DeviceTensor Put(float[] values, int rows, int cols)
    {
        var t = tested.Activations(rows, cols);
        tested.Upload(values, t);
        return t;
    }

    float[] Get(DeviceTensor t, int rows)
    {
        var a = new float[rows * t.Cols];
        tested.Download(t, rows, a);
        return a;
    }

    void Compare(string op, float[] expected, float[] actual, double atol, double rtol = 1e-5)
    {
        double worst = 0;
        bool ok = expected.Length == actual.Length;
        for (int i = 0; ok && i < expected.Length; i++)
        {
            double err = Math.Abs((double)actual[i] - expected[i]);
            if (double.IsNaN(err) || err > atol + rtol * Math.Abs(expected[i])) ok = false;
            if (!double.IsNaN(err)) worst = Math.Max(worst, err);
        }
        _results.Add(new OpComparison(op, worst, atol, ok));
    }

    static unsafe TensorView View(string name, DType dtype, int[] shape, float[] values)
    {
        int size = DTypes.SizeOf(dtype);
        var bytes = GC.AllocateArray<byte>(values.Length * size, pinned: true);   // pinned: the view keeps a raw pointer
        for (int i = 0; i < values.Length; i++)
        {
            var dst = bytes.AsSpan(i * size, size);
            switch (dtype)
            {
                case DType.F32: BitConverter.TryWriteBytes(dst, values[i]); break;
                case DType.BF16: BitConverter.TryWriteBytes(dst, HalfFloat.SingleToBF16(values[i])); break;
                default: BitConverter.TryWriteBytes(dst, HalfFloat.SingleToF16(values[i])); break;
            }
        }
        fixed (byte* p = bytes) return new TensorView(name, dtype, shape, p, "random", bytes);
    }

    void EmbedOps()
    {
        int vocab = 50, d = 48;
        int[] ids = [3, 0, 49, 7, 7, 12];
        foreach (var dtype in new[] { DType.F32, DType.BF16, DType.F16 })
        {
            var table = View("table", dtype, [vocab, d], Random(vocab * d));
            var start = Random(ids.Length * d);
            foreach (bool accumulate in new[] { false, true })
            {
                var x = Put(start, ids.Length, d);
                tested.Embed(tested.Table(table), ids, x, accumulate);
                Compare($"Embed {dtype} accumulate={accumulate}", PlainOps.Embed(table, ids, start, accumulate), Get(x, ids.Length), 1e-6);
            }
        }
    }

    void NormOps()
    {
        int rows = 5, d = 300;
        var x = Random(rows * d, 3f);
        var w = Random(d);
        var bias = Random(d);
        var y = tested.Activations(rows, d);
        tested.LayerNorm(Put(x, rows, d), tested.Vector(w), tested.Vector(bias), 1e-5f, y, rows);
        Compare("LayerNorm", PlainOps.Norm(x, rows, w, bias, 1e-5f), Get(y, rows), 1e-5);
        tested.RmsNorm(Put(x, rows, d), tested.Vector(w), 1e-6f, y, rows);
        Compare("RmsNorm", PlainOps.Norm(x, rows, w, null, 1e-6f), Get(y, rows), 1e-5);
        var heads = new AttentionShape(4, 2, 24);
        var qkv = Random(rows * heads.QkvDim, 3f);
        var qGain = Random(heads.DHead);
        var kGain = Random(heads.DHead);
        var t = Put(qkv, rows, heads.QkvDim);
        tested.RmsNormHeads(t, heads, tested.Vector(qGain), tested.Vector(kGain), 1e-6f, rows);
        Compare("RmsNormHeads (QK-norm)", PlainOps.NormHeads(qkv, rows, heads, qGain, kGain, 1e-6f), Get(t, rows), 1e-5);
    }

    void MatMulOps()
    {
        int rows = 7, inDim = 96, outDim = 80;
        var x = Random(rows * inDim);
        var bias = Random(outDim);
        var start = Random(rows * outDim);
        foreach (var layout in new[] { WeightLayout.OutIn, WeightLayout.InOut })
            foreach (var dtype in new[] { DType.F32, DType.BF16, DType.F16 })
            {
                int[] shape = layout == WeightLayout.OutIn ? [outDim, inDim] : [inDim, outDim];
                var w = new WeightMatrix(View("w", dtype, shape, Random(inDim * outDim, 0.2f)), layout);
                // bf16/f16 weights multiply activations rounded to the weight's dtype on the GPU (fp32 on the CPU).
                double tol = dtype == DType.F32 ? 1e-5 : dtype == DType.F16 ? 2e-3 : 2e-2;
                foreach (bool accumulate in new[] { false, true })
                {
                    var y = Put(start, rows, outDim);
                    tested.MatMul(Put(x, rows, inDim), tested.Matrix(w), tested.Vector(bias), y, rows, accumulate);
                    Compare($"MatMul {layout} {dtype} bias accumulate={accumulate}", PlainOps.MatMul(x, rows, w, bias, start, accumulate), Get(y, rows), tol);
                }
            }
    }

    void AttentionOps()
    {
        // GPT-2 style (no RoPE, MHA) with probabilities; Llama style (RoPE, GQA, sliding window) over a packed batch
        // whose sequences sit in different slots after earlier tokens; then one decode step per sequence.
        Attention("Attention MHA d_head 16 + probs", new AttentionShape(4, 4, 16), BatchLayout.Single(9), withProbs: true, withEpilogue: false);
        var shape = new AttentionShape(8, 2, 64) { Window = 5, Rope = Rope(64, 64, 10000) };
        Attention("Attention GQA RoPE window 5, packed prefill", shape, new BatchLayout([1, 0, 2], [0, 3, 0], [6, 4, 11]), withProbs: false, withEpilogue: false);
        Attention("Attention GQA RoPE window 5, packed prefill + capture and scales", shape, new BatchLayout([1, 0, 2], [0, 3, 0], [6, 4, 11]), withProbs: false, withEpilogue: true);
        Attention("Attention GQA RoPE window 5, decode", shape, new BatchLayout([1, 0, 2], [6, 7, 11], [1, 1, 1]), withProbs: false, withEpilogue: true);
        Attention("Attention GQA d_head 128, long prefill", new AttentionShape(4, 1, 128) { Rope = Rope(128, 300, 1e6) }, BatchLayout.Single(200), withProbs: false, withEpilogue: false);
        // Sequences longer than a tile of queries and of keys, after cached tokens, under a window wider than a key tile.
        Attention("Attention GQA RoPE window 40, long packed prefill + capture and scales", new AttentionShape(8, 2, 64) { Window = 40, Rope = Rope(64, 128, 10000) },
                  new BatchLayout([1, 0], [37, 0], [45, 23]), withProbs: false, withEpilogue: true);
        Attention("Attention GQA d_head 256 (no tiled kernel), prefill", new AttentionShape(2, 1, 256), BatchLayout.Single(20), withProbs: false, withEpilogue: true);
        // Gemma 2: query_pre_attn_scalar's scale and soft-capped scores, in the tiled (prefill), per-row (decode) and probability paths.
        var capped = new AttentionShape(4, 2, 24) { Window = 8, Rope = Rope(24, 64, 10000), Scale = 0.25f, SoftCap = 2f };
        Attention("Attention soft-capped scores, scale 1/4 + probs", capped, BatchLayout.Single(19), withProbs: true, withEpilogue: false);
        Attention("Attention soft-capped scores, packed prefill + capture and scales", capped, new BatchLayout([1, 0], [0, 5], [12, 20]), withProbs: false, withEpilogue: true);
        Attention("Attention soft-capped scores, decode", capped, new BatchLayout([1, 0], [12, 25], [1, 1]), withProbs: false, withEpilogue: true);
        // GPT-NeoX: RoPE on the first 16 of 64 dimensions; Llama 3.1: llama3-scaled frequencies.
        Attention("Attention partial rotary (16 of 64 dims)", new AttentionShape(4, 4, 64) { Rope = Rope(16, 64, 10000) }, BatchLayout.Single(30), withProbs: false, withEpilogue: true);
        var llama3 = new RopeSettings(500000, "llama3", 8, 1, 4, 64);
        Attention("Attention llama3-scaled RoPE", new AttentionShape(4, 2, 32) { Rope = new RopeTable(llama3.InverseFrequencies(32), 64) }, BatchLayout.Single(40), withProbs: false, withEpilogue: false);
        // Qwen2.5-VL: multimodal RoPE, frequencies in sections rotated by the rows' t, h and w positions.
        var mrope = new AttentionShape(4, 2, 16) { Rope = new RopeTable(new RopeSettings(1000).InverseFrequencies(16), 64, (2, 3, 3)) };
        var grid = new[] { 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 4, 4, 4, 5, 4, 6, 5, 5, 5, 6, 5, 7, 6, 6 };   // 8 rows of (t, h, w): text, an image run, text
        Attention("Attention multimodal RoPE (t, h, w sections) + probs", mrope, new BatchLayout([0], [0], [8], ropePositions: grid), withProbs: true, withEpilogue: true);
        // Gemma 3: image blocks see their whole block (later keys too), past the window of 3; text rows stay causal.
        int[] first = [-1, -1, 2, 2, 2, 2, 2, -1, -1, 9, 9, 9, -1], last = [-1, -1, 6, 6, 6, 6, 6, -1, -1, 11, 11, 11, -1];
        var windowed = new AttentionShape(4, 2, 16) { Window = 3, Rope = Rope(16, 64, 10000) };
        Attention("Attention bidirectional image blocks, window 3 + probs", windowed, new BatchLayout([0], [0], [13], blockFirst: first, blockLast: last),
                  withProbs: true, withEpilogue: true);
        Attention("Attention bidirectional image blocks, packed with a text sequence", windowed,
                  new BatchLayout([1, 0], [0, 4], [13, 5], blockFirst: [.. first, -1, -1, -1, -1, -1], blockLast: [.. last, -1, -1, -1, -1, -1]),
                  withProbs: false, withEpilogue: true);
    }

    static RopeTable Rope(int rotaryDims, int positions, double theta) => new(new RopeSettings(theta).InverseFrequencies(rotaryDims), positions);

    /// <summary>
    /// One attention call. With the epilogue: the pre-scale z, pooled capture (sequence i pools its even positions into
    /// sample i, on top of earlier sums) and head scales (alphas 1, -1, 0, 5, ... on odd rows).
    /// </summary>
    void Attention(string name, AttentionShape shape, BatchLayout batch, bool withProbs, bool withEpilogue)
    {
        int maxT = 0, slots = 0;
        for (int i = 0; i < batch.Sequences; i++) { maxT = Math.Max(maxT, batch.StartPos[i] + batch.Length[i]); slots = Math.Max(slots, batch.Slot[i] + 1); }
        var qkv = Random(batch.Rows * shape.QkvDim);
        var kStart = Random(slots * maxT * shape.KvDim);   // earlier tokens' keys and values
        var vStart = kStart.Reverse().ToArray();
        var plan = new PoolingPlan(
            Enumerable.Range(0, batch.Rows).Select(r => r % 2 == 0 ? batch.RowSequence[r] : -1).ToArray(),
            Enumerable.Range(0, batch.Rows).Select(r => 1f / (1 + r % 3)).ToArray(), batch.Sequences);
        float[] alphas = [1f, -1f, 0f, 5f];
        var alpha = Enumerable.Range(0, shape.Heads).Select(h => alphas[h % 4]).ToArray();
        var scaleRows = Enumerable.Range(0, batch.Rows).Select(r => (byte)(r % 2)).ToArray();
        var startSums = Random(batch.Sequences * 2 * shape.QDim);

        var e = withEpilogue
            ? PlainOps.Attention(qkv, batch, shape, kStart, vStart, maxT, plan.RowSample, plan.RowWeight, startSums, 2 * shape.QDim, shape.QDim, alpha, scaleRows)
            : PlainOps.Attention(qkv, batch, shape, kStart, vStart, maxT, null, null, null, 0, 0, null, null);
        var k = Put(kStart, slots * maxT, shape.KvDim);
        var v = Put(vStart, slots * maxT, shape.KvDim);
        var z = tested.Activations(batch.Rows, shape.QDim);
        var raw = tested.Activations(batch.Rows, shape.QDim);
        var sums = Put(startSums, batch.Sequences, 2 * shape.QDim);
        var probs = withProbs ? new float[shape.Heads * batch.Rows * batch.Rows] : null;
        var epilogue = withEpilogue
            ? new HeadEpilogue { RawZ = raw, Pool = plan, PoolSums = sums, PoolOffset = shape.QDim, Alpha = alpha, ScaleRows = scaleRows, Probs = probs }
            : new HeadEpilogue { Probs = probs };
        tested.Attention(Put(qkv, batch.Rows, shape.QkvDim), batch, shape, k, v, maxT, z, epilogue);
        Compare(name + ": z", e.Z, Get(z, batch.Rows), 2e-5);
        Compare(name + ": k cache", e.K, Get(k, slots * maxT), 1e-6);
        Compare(name + ": v cache", e.V, Get(v, slots * maxT), 1e-6);
        if (probs != null) Compare(name + ": probs", e.Probs, probs, 1e-6);
        if (withEpilogue)
        {
            Compare(name + ": raw z", e.RawZ, Get(raw, batch.Rows), 2e-5);
            Compare(name + ": pooled sums", e.Sums, Get(sums, batch.Sequences), 2e-5);
        }
    }

    void ElementwiseOps()
    {
        int rows = 5, f = 70;
        var x = Random(rows * 2 * f, 6f);
        foreach (var act in Enum.GetValues<Activation>())
        {
            var t = Put(x, rows, 2 * f);
            tested.Activate(t, act, rows);
            Compare($"Activate {act}", PlainOps.Activate(x, act), Get(t, rows), 1e-5);
            var y = tested.Activations(rows, f);
            tested.ActivateGated(Put(x, rows, 2 * f), act, y, rows);
            Compare($"ActivateGated {act}", PlainOps.ActivateGated(x, rows, f, act), Get(y, rows), 1e-5);
        }
        var scaled = Put(x, rows, 2 * f);
        tested.Scale(scaled, 6.928203f, rows - 1);   // the last row stays as it is
        Compare("Scale", [.. x.Take((rows - 1) * 2 * f).Select(v => (float)(v * 6.928203f)), .. x.Skip((rows - 1) * 2 * f)], Get(scaled, rows), 0, 0);
        var capped = Put(x, rows, 2 * f);
        tested.SoftCap(capped, 3f, rows);
        Compare("SoftCap 3 (inputs up to 6)", PlainOps.SoftCap(x, 3f), Get(capped, rows), 1e-5);
        int[] pick = [4, 0, 4, 2];
        var dst = tested.Activations(pick.Length, 2 * f);
        tested.GatherRows(Put(x, rows, 2 * f), pick, dst);
        Compare("GatherRows", [.. pick.SelectMany(r => x.Skip(r * 2 * f).Take(2 * f))], Get(dst, pick.Length), 0, 0);
        var y2 = Random(rows * 2 * f);
        var sum = Put(x, rows, 2 * f);
        tested.Add(sum, Put(y2, rows, 2 * f), rows - 1);
        Compare("Add", [.. x.Select((v, i) => i < (rows - 1) * 2 * f ? v + y2[i] : v)], Get(sum, rows), 0, 0);
    }
}
