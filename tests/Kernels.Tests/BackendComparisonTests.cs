using HeadPursuit.Runtime.Backends.Cpu;

namespace HeadPursuit.Kernels.Tests;

public class BackendComparisonTests
{
    /// <summary>Every op of the CPU backend against the plain double-precision reference (PlainOps).</summary>
    [Fact]
    public void The_cpu_backend_matches_the_plain_reference_on_every_op()
    {
        var results = new BackendComparison(new CpuBackend()).RunAll();
        Assert.True(results.Count >= 80, $"expected the full op list, got {results.Count}");
        foreach (var r in results) Assert.True(r.Passed, r.ToString());
    }

    [Fact]
    public void A_wrong_backend_is_caught()
    {
        var results = new BackendComparison(new OffByOneAdd()).RunAll();
        Assert.Contains(results, r => r.Op == "Add" && !r.Passed);
        Assert.All(results.Where(r => r.Op != "Add"), r => Assert.True(r.Passed, r.ToString()));
    }

    /// <summary>A CPU backend whose Add also adds 1e-3: the comparison must notice.</summary>
    sealed class OffByOneAdd : Runtime.Backends.IBackend
    {
        readonly Runtime.Backends.IBackend _cpu = new CpuBackend();
        public string Name => "faulty";
        public Runtime.Backends.DeviceTensor Matrix(Runtime.Cpu.WeightMatrix w) => _cpu.Matrix(w);
        public Runtime.Backends.DeviceTensor Vector(float[] v) => _cpu.Vector(v);
        public Runtime.Backends.DeviceTensor Table(Runtime.Tensors.TensorView t) => _cpu.Table(t);
        public Runtime.Backends.DeviceTensor Activations(int rows, int cols) => _cpu.Activations(rows, cols);
        public void Upload(ReadOnlySpan<float> src, Runtime.Backends.DeviceTensor dst) => _cpu.Upload(src, dst);
        public void Download(Runtime.Backends.DeviceTensor src, int rows, Span<float> dst) => _cpu.Download(src, rows, dst);
        public void Embed(Runtime.Backends.DeviceTensor table, ReadOnlySpan<int> ids, Runtime.Backends.DeviceTensor x, bool accumulate) => _cpu.Embed(table, ids, x, accumulate);
        public void LayerNorm(Runtime.Backends.DeviceTensor x, Runtime.Backends.DeviceTensor w, Runtime.Backends.DeviceTensor b, float eps, Runtime.Backends.DeviceTensor y, int rows) => _cpu.LayerNorm(x, w, b, eps, y, rows);
        public void RmsNorm(Runtime.Backends.DeviceTensor x, Runtime.Backends.DeviceTensor w, float eps, Runtime.Backends.DeviceTensor y, int rows) => _cpu.RmsNorm(x, w, eps, y, rows);
        public void MatMul(Runtime.Backends.DeviceTensor x, Runtime.Backends.DeviceTensor w, Runtime.Backends.DeviceTensor? bias, Runtime.Backends.DeviceTensor y, int rows, bool accumulate = false) => _cpu.MatMul(x, w, bias, y, rows, accumulate);
        public void Attention(Runtime.Backends.DeviceTensor qkv, Runtime.Backends.BatchLayout batch, Runtime.Backends.AttentionShape shape, Runtime.Backends.DeviceTensor k, Runtime.Backends.DeviceTensor v, int maxT, Runtime.Backends.DeviceTensor z, Runtime.Backends.HeadEpilogue epilogue) => _cpu.Attention(qkv, batch, shape, k, v, maxT, z, epilogue);
        public void RmsNormHeads(Runtime.Backends.DeviceTensor qkv, Runtime.Backends.AttentionShape shape, Runtime.Backends.DeviceTensor q, Runtime.Backends.DeviceTensor k, float eps, int rows) => _cpu.RmsNormHeads(qkv, shape, q, k, eps, rows);
        public void Activate(Runtime.Backends.DeviceTensor x, Runtime.Backends.Activation act, int rows) => _cpu.Activate(x, act, rows);
        public void ActivateGated(Runtime.Backends.DeviceTensor gateUp, Runtime.Backends.Activation act, Runtime.Backends.DeviceTensor y, int rows) => _cpu.ActivateGated(gateUp, act, y, rows);
        public void Scale(Runtime.Backends.DeviceTensor x, float s, int rows) => _cpu.Scale(x, s, rows);
        public void SoftCap(Runtime.Backends.DeviceTensor x, float cap, int rows) => _cpu.SoftCap(x, cap, rows);
        public void GatherRows(Runtime.Backends.DeviceTensor src, ReadOnlySpan<int> rows, Runtime.Backends.DeviceTensor dst) => _cpu.GatherRows(src, rows, dst);
        public void Add(Runtime.Backends.DeviceTensor x, Runtime.Backends.DeviceTensor y, int rows)
        {
            _cpu.Add(x, y, rows);
            var a = new float[rows * x.Cols];
            _cpu.Download(x, rows, a);
            for (int i = 0; i < a.Length; i++) a[i] += 1e-3f;
            var all = new float[x.Rows * x.Cols];
            _cpu.Download(x, x.Rows, all);
            a.CopyTo(all, 0);
            _cpu.Upload(all, x);
        }
        public void Dispose() { }
    }
}
