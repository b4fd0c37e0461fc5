using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Verification;
using HeadPursuit.Tests;

namespace HeadPursuit.Kernels.Tests;

/// <summary>CPU-vs-CUDA checks: skipped without a GPU (CI); run by bench/gpu/run-on-gpu.sh on a GPU machine.</summary>
public class GpuParityTests
{
    [GpuFact]
    public void Every_op_matches_the_cpu()
    {
        using var cuda = new CudaBackend();
        foreach (var r in new BackendComparison(new CpuBackend(), cuda).RunAll()) Assert.True(r.Passed, r.ToString());
    }

    [GpuFact]
    public void Every_model_fixture_verifies_on_cuda()
    {
        foreach (string model in new[] { "gpt2-tiny", "llama-tiny", "qwen2-tiny", "stories260K" })
        {
            using var cuda = new CudaBackend();
            foreach (var r in ModelVerifier.Run(Fixtures.Path(model), cuda)) Assert.True(r.Passed, $"{model}: {r}");
        }
    }

    [GpuFact]
    public void Argmax_rows_takes_the_first_largest()
    {
        using var cuda = new CudaBackend();
        float[] logits = [1, 5, 5, -2, /* row 1 */ -7, -8, -9, -7];
        var x = cuda.Activations(2, 4);
        cuda.Upload(logits, x);
        var best = new int[2];
        cuda.ArgmaxRows(x, best);
        Assert.Equal([1, 0], best);
    }
}
