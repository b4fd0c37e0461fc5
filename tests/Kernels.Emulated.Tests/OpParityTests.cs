using HeadPursuit.Runtime.Backends.Cpu;

namespace HeadPursuit.Kernels.Emulated.Tests;

/// <summary>Every op of the CUDA backend (host code and kernels) against the CPU backend, and the argmax helper.</summary>
public class OpParityTests
{
    [Fact]
    public void Every_op_matches_the_cpu()
    {
        using var cuda = Emulator.Backend();
        var results = new BackendComparison(new CpuBackend(), cuda).RunAll();
        Assert.NotEmpty(results);
        foreach (var r in results) Assert.True(r.Passed, r.ToString());
    }

    [Fact]
    public void Every_op_matches_the_cpu_with_each_blocks_threads_run_in_reverse_order()
    {
        using var cuda = Emulator.Backend();
        Emulator.InReverseThreadOrder(() =>
        {
            foreach (var r in new BackendComparison(new CpuBackend(), cuda, seed: 8).RunAll()) Assert.True(r.Passed, r.ToString());
        });
    }

    [Fact]
    public void Argmax_rows_takes_the_first_largest()
    {
        using var cuda = Emulator.Backend();
        float[] logits = [1, 5, 5, -2, /* row 1 */ -7, -8, -9, -7];
        var x = cuda.Activations(2, 4);
        cuda.Upload(logits, x);
        var best = new int[2];
        cuda.ArgmaxRows(x, best);
        Assert.Equal([1, 0], best);
    }
}
