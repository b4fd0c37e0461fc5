using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Verification;
using HeadPursuit.Tests;
using Xunit.Abstractions;

namespace HeadPursuit.Runtime.Tests.Models;

/// <summary>Every forward, intervention and generation case of every model fixture (and the classifier's single texts and padded batches), within the MANIFEST's tolerances.</summary>
public sealed class FixtureParityTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("gpt2-tiny")]
    [InlineData("llama-tiny")]
    [InlineData("qwen2-tiny")]
    [InlineData("stories260K")]
    [InlineData("tinyworld-gpt2")]
    [InlineData("llama3-rope-tiny")]
    [InlineData("qwen3-tiny")]
    [InlineData("pythia-tiny")]
    [InlineData("gemma2-tiny")]
    [InlineData("gemma3-text-tiny")]
    [InlineData("roberta-cls-tiny")]
    public void EveryCaseMatchesTheReference(string fixture)
    {
        var results = ModelVerifier.Run(Fixtures.Path(fixture), new CpuBackend()).ToList();
        foreach (var r in results) output.WriteLine(r.ToString());
        Assert.NotEmpty(results);
        Assert.All(results, r => Assert.True(r.Passed, r.ToString()));
    }
}
