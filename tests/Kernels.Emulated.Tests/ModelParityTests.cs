using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Verification;
using HeadPursuit.Tests;

namespace HeadPursuit.Kernels.Emulated.Tests;

/// <summary>Whole models on the CUDA code path: the reference fixtures, and greedy generation against the CPU.</summary>
public class ModelParityTests
{
    [Theory]
    [InlineData("gpt2-tiny")]
    [InlineData("llama-tiny")]
    [InlineData("qwen2-tiny")]
    [InlineData("stories260K")]
    [InlineData("llava-tiny")]
    [InlineData("llava-next-tiny")]
    [InlineData("qwen25-vl-tiny")]
    [InlineData("tinyworld-gpt2")]
    [InlineData("llama3-rope-tiny")]
    [InlineData("qwen3-tiny")]
    [InlineData("pythia-tiny")]
    [InlineData("gemma2-tiny")]
    [InlineData("gemma3-text-tiny")]
    [InlineData("roberta-cls-tiny")]
    [InlineData("gemma3-vlm-tiny")]
    public void Model_fixture_verifies_on_cuda(string model)
    {
        using var cuda = Emulator.Backend();
        var results = ModelVerifier.Run(Fixtures.Path(model), cuda);
        Assert.NotEmpty(results);
        foreach (var r in results) Assert.True(r.Passed, $"{model}: {r}");
    }

    [Fact]
    public void Stories260k_greedy_generations_are_identical_with_and_without_intervention()
    {
        using var cuda = Emulator.Backend();
        var cases = GenerationComparison.Run(Fixtures.Path("stories260K"), new CpuBackend(), cuda);
        Assert.Equal(2, cases.Count);
        foreach (var c in cases) Assert.True(c.Passed, c.ToString());
        // The intervention must change what the model writes, or the second case would prove nothing.
        Assert.False(cases[0].Reference.Zip(cases[1].Reference).All(p => p.First.SequenceEqual(p.Second)));
    }
}
