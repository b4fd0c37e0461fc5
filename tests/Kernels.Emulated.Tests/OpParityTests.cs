using HeadPursuit.Runtime.Backends.Cpu;

namespace HeadPursuit.Kernels.Emulated.Tests;

/// <summary>Every op of the CUDA backend (host code and kernels) against the plain double-precision reference (PlainOps).</summary>
public class OpParityTests
{
    [Fact]
    public void Every_op_matches_the_plain_reference()
    {
        using var cuda = Emulator.Backend();
        var results = new BackendComparison(cuda).RunAll();
        Assert.Equal(new BackendComparison(new CpuBackend()).RunAll().Select(r => r.Op), results.Select(r => r.Op));   // the whole op list ran
        foreach (var r in results) Assert.True(r.Passed, r.ToString());
    }

    [Fact]
    public void Every_op_matches_the_plain_reference_with_each_blocks_threads_run_in_reverse_order()
    {
        using var cuda = Emulator.Backend();
        Emulator.InReverseThreadOrder(() =>
        {
            foreach (var r in new BackendComparison(cuda, seed: 8).RunAll()) Assert.True(r.Passed, r.ToString());
        });
    }
}
