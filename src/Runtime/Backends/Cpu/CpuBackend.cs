using System.Numerics.Tensors;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.Backends.Cpu;

/// <summary>
/// fp32 compute on the host: weights stay in their file dtype (memory-mapped, or a family's copy made at load: stacked
/// q|k|v and gate|up, GPT-2's transposed Conv1D), converted inside the GEMM's packing; row-wise ops run in parallel over
/// rows on <see cref="CpuParallel"/>, on the SIMD lanes <see cref="CpuSimd"/> picks.
/// </summary>
public sealed class CpuBackend : IBackend
{
    /// <summary>"cpu" and the number of threads the ops use.</summary>
    public string Name => $"cpu ({CpuParallel.Threads} threads)";

    DeviceTensor IBackend.Matrix(WeightMatrix w) => new CpuTensor(w);
    DeviceTensor IBackend.Vector(float[] v) => new CpuTensor(v, 1, v.Length);
    DeviceTensor IBackend.Table(TensorView table) => new CpuTensor(table);
    DeviceTensor IBackend.Activations(int rows, int cols)
    {
        var data = new float[(long)rows * cols];
        data.AsSpan().Clear();   // already zero: writing it takes the first-touch page faults now, not in the first op that fills it (a decode step's KV rows)
        return new CpuTensor(data, rows, cols);
    }

    void IBackend.Upload(ReadOnlySpan<float> src, DeviceTensor dst) => src.CopyTo(CpuTensor.Of(dst).Floats);
    void IBackend.Download(DeviceTensor src, int rows, Span<float> dst) => CpuTensor.Of(src).Floats.AsSpan(0, rows * src.Cols).CopyTo(dst);

    void IBackend.Embed(DeviceTensor table, ReadOnlySpan<int> ids, DeviceTensor x, bool accumulate)
    {
        var view = CpuTensor.Of(table).TableView ?? throw new ArgumentException("Embed needs a table tensor");
        var dst = CpuTensor.Of(x).Floats;
        int d = table.Cols;
        Span<float> row = d <= 4096 ? stackalloc float[d] : new float[d];
        for (int r = 0; r < ids.Length; r++)
        {
            if ((uint)ids[r] >= (uint)table.Rows)
                throw new ArgumentOutOfRangeException(nameof(ids), $"id {ids[r]} at row {r} is outside the table '{view.Name}' of {table.Rows} rows");
            EmbeddingRow.Read(view, ids[r], row);
            var o = dst.AsSpan(r * d, d);
            if (accumulate) TensorPrimitives.Add(o, row, o); else row.CopyTo(o);
        }
    }

    void IBackend.LayerNorm(DeviceTensor x, DeviceTensor w, DeviceTensor b, float eps, DeviceTensor y, int rows)
    {
        var body = new NormRows(CpuTensor.Of(x).Floats, CpuTensor.Of(w).Floats, CpuTensor.Of(b).Floats, eps, CpuTensor.Of(y).Floats, x.Cols);
        CpuParallel.For(rows, ref body);
    }

    void IBackend.RmsNorm(DeviceTensor x, DeviceTensor w, float eps, DeviceTensor y, int rows)
    {
        var body = new NormRows(CpuTensor.Of(x).Floats, CpuTensor.Of(w).Floats, null, eps, CpuTensor.Of(y).Floats, x.Cols);
        CpuParallel.For(rows, ref body);
    }

    /// <summary>LayerNorm when a bias is given, RMSNorm otherwise (<see cref="NormRow"/>).</summary>
    readonly struct NormRows(float[] x, float[] w, float[]? b, float eps, float[] y, int d) : IParallelBody
    {
        public void Run(int r) => NormRow.Apply(x.AsSpan(r * d, d), w, b, eps, y.AsSpan(r * d, d));
    }

    void IBackend.MatMul(DeviceTensor x, DeviceTensor w, DeviceTensor? bias, DeviceTensor y, int rows, bool accumulate)
    {
        var weight = CpuTensor.Of(w).Weight ?? throw new ArgumentException("MatMul needs a matrix tensor");
        Gemm.MatMul(CpuTensor.Of(x).Floats.AsSpan(0, rows * weight.In), rows, weight, CpuTensor.Of(y).Floats.AsSpan(0, rows * weight.Out),
                    bias == null ? default : CpuTensor.Of(bias).Floats, accumulate);
    }

    void IBackend.Attention(DeviceTensor qkv, BatchLayout batch, AttentionShape shape, DeviceTensor kCache, DeviceTensor vCache, int maxT,
                          DeviceTensor z, HeadEpilogue epilogue)
    {
        epilogue.Validate(batch, shape);
        var sums = epilogue.PoolSums == null ? null : CpuTensor.Of(epilogue.PoolSums);
        var e = new CpuAttention.Epilogue(
            epilogue.RawZ == null ? null : CpuTensor.Of(epilogue.RawZ).Floats, epilogue.Pool?.RowSample, epilogue.Pool?.RowWeight,
            sums?.Floats, sums?.Cols ?? 0, epilogue.PoolOffset, epilogue.Alpha, epilogue.ScaleRows, epilogue.Probs);
        CpuAttention.Run(CpuTensor.Of(qkv).Floats, batch, shape, CpuTensor.Of(kCache).Floats, CpuTensor.Of(vCache).Floats, maxT, CpuTensor.Of(z).Floats, e);
    }

    void IBackend.RmsNormHeads(DeviceTensor qkv, AttentionShape shape, DeviceTensor qGain, DeviceTensor kGain, float eps, int rows)
    {
        var body = new HeadNormRows(CpuTensor.Of(qkv).Floats, shape, CpuTensor.Of(qGain).Floats, CpuTensor.Of(kGain).Floats, eps);
        CpuParallel.For(rows, ref body);
    }

    /// <summary>RMSNorm of each q and k head of one qkv row (the k heads follow the q heads), in place (<see cref="NormRow"/>).</summary>
    readonly struct HeadNormRows(float[] qkv, AttentionShape shape, float[] qGain, float[] kGain, float eps) : IParallelBody
    {
        public void Run(int r)
        {
            int dh = shape.DHead;
            for (int h = 0; h < shape.Heads + shape.KvHeads; h++)
            {
                var x = qkv.AsSpan(r * shape.QkvDim + h * dh, dh);
                NormRow.Apply(x, h < shape.Heads ? qGain : kGain, default, eps, x);
            }
        }
    }

    void IBackend.Activate(DeviceTensor x, Activation act, int rows)
    {
        var body = new ActivateRows(CpuTensor.Of(x).Floats, act, x.Cols);
        CpuParallel.For(rows, ref body);
    }

    readonly struct ActivateRows(float[] x, Activation act, int d) : IParallelBody
    {
        public void Run(int r) => ActivationRow.Apply(act, x.AsSpan(r * d, d), x.AsSpan(r * d, d));
    }

    void IBackend.ActivateGated(DeviceTensor gateUp, Activation act, DeviceTensor y, int rows)
    {
        if (gateUp.Cols != 2 * y.Cols) throw new ArgumentException($"a gated activation reads [*, 2 d_ff] = [*, {gateUp.Cols}] into [*, {y.Cols}]");
        var body = new GatedRows(CpuTensor.Of(gateUp).Floats, act, CpuTensor.Of(y).Floats, y.Cols);
        CpuParallel.For(rows, ref body);
    }

    /// <summary>y = act(gate) * up for one row of [gate | up].</summary>
    readonly struct GatedRows(float[] gateUp, Activation act, float[] y, int f) : IParallelBody
    {
        public void Run(int r) => ActivationRow.ApplyGated(act, gateUp.AsSpan(r * 2 * f, f), gateUp.AsSpan(r * 2 * f + f, f), y.AsSpan(r * f, f));
    }

    void IBackend.Scale(DeviceTensor x, float s, int rows)
    {
        var a = CpuTensor.Of(x).Floats.AsSpan(0, rows * x.Cols);
        TensorPrimitives.Multiply(a, s, a);
    }

    void IBackend.SoftCap(DeviceTensor x, float cap, int rows)
    {
        var a = CpuTensor.Of(x).Floats.AsSpan(0, rows * x.Cols);
        TensorPrimitives.Divide(a, cap, a);
        TensorPrimitives.Tanh(a, a);
        TensorPrimitives.Multiply(a, cap, a);
    }

    void IBackend.GatherRows(DeviceTensor src, ReadOnlySpan<int> rows, DeviceTensor dst)
    {
        var s = CpuTensor.Of(src).Floats;
        var d = CpuTensor.Of(dst).Floats;
        int c = src.Cols;
        for (int i = 0; i < rows.Length; i++) s.AsSpan(rows[i] * c, c).CopyTo(d.AsSpan(i * c, c));
    }

    void IBackend.Add(DeviceTensor x, DeviceTensor y, int rows)
    {
        var a = CpuTensor.Of(x).Floats.AsSpan(0, rows * x.Cols);
        TensorPrimitives.Add(a, CpuTensor.Of(y).Floats.AsSpan(0, rows * x.Cols), a);
    }

    /// <summary>Nothing to free: the CPU backend's tensors are managed memory.</summary>
    public void Dispose() { }
}
