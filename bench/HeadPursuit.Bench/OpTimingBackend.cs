using System.Diagnostics;
using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Bench;

/// <summary>Wraps a backend and adds up the wall time spent in each op, to show where a forward pass goes.</summary>
sealed class OpTimingBackend(IBackend inner) : IBackend
{
    readonly Dictionary<string, double> _seconds = new();

    public string Name => inner.Name;
    public IReadOnlyDictionary<string, double> Seconds => _seconds;
    public void Reset() => _seconds.Clear();

    void Time(string op, Action run)
    {
        long start = Stopwatch.GetTimestamp();
        run();
        _seconds[op] = _seconds.GetValueOrDefault(op) + Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    public DeviceTensor Matrix(WeightMatrix w) => inner.Matrix(w);
    public DeviceTensor Vector(float[] v) => inner.Vector(v);
    public DeviceTensor Table(TensorView table) => inner.Table(table);
    public DeviceTensor Activations(int rows, int cols) => inner.Activations(rows, cols);
    public void Upload(ReadOnlySpan<float> src, DeviceTensor dst) => inner.Upload(src, dst);
    public void Download(DeviceTensor src, int rows, Span<float> dst) => inner.Download(src, rows, dst);

    public void Embed(DeviceTensor table, ReadOnlySpan<int> ids, DeviceTensor x, bool accumulate)
    {
        var copy = ids.ToArray();
        Time("embed", () => inner.Embed(table, copy, x, accumulate));
    }
    public void LayerNorm(DeviceTensor x, DeviceTensor w, DeviceTensor b, float eps, DeviceTensor y, int rows) => Time("norm", () => inner.LayerNorm(x, w, b, eps, y, rows));
    public void RmsNorm(DeviceTensor x, DeviceTensor w, float eps, DeviceTensor y, int rows) => Time("norm", () => inner.RmsNorm(x, w, eps, y, rows));
    public void MatMul(DeviceTensor x, DeviceTensor w, DeviceTensor? bias, DeviceTensor y, int rows, bool accumulate = false) =>
        Time(y.Cols > 8192 ? "matmul (unembedding)" : "matmul", () => inner.MatMul(x, w, bias, y, rows, accumulate));
    public void Attention(DeviceTensor qkv, BatchLayout batch, AttentionShape shape, DeviceTensor kCache, DeviceTensor vCache, int maxT, DeviceTensor z, HeadEpilogue epilogue) =>
        Time("attention (+ capture, scales)", () => inner.Attention(qkv, batch, shape, kCache, vCache, maxT, z, epilogue));
    public void RmsNormHeads(DeviceTensor qkv, AttentionShape shape, DeviceTensor qGain, DeviceTensor kGain, float eps, int rows) =>
        Time("qk norm", () => inner.RmsNormHeads(qkv, shape, qGain, kGain, eps, rows));
    public void Activate(DeviceTensor x, Activation act, int rows) => Time("activation", () => inner.Activate(x, act, rows));
    public void ActivateGated(DeviceTensor gateUp, Activation act, DeviceTensor y, int rows) => Time("gated activation", () => inner.ActivateGated(gateUp, act, y, rows));
    public void Scale(DeviceTensor x, float s, int rows) => Time("scale", () => inner.Scale(x, s, rows));
    public void SoftCap(DeviceTensor x, float cap, int rows) => Time("soft-cap", () => inner.SoftCap(x, cap, rows));
    public void GatherRows(DeviceTensor src, ReadOnlySpan<int> rows, DeviceTensor dst)
    {
        var r = rows.ToArray();
        Time("gather", () => inner.GatherRows(src, r, dst));
    }
    public void Add(DeviceTensor x, DeviceTensor y, int rows) => Time("add", () => inner.Add(x, y, rows));
    public void Dispose() => inner.Dispose();
}
