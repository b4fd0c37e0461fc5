using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Generation;

public sealed class SamplerTests
{
    static int[] Draw(SamplingOptions o, float[] logits, int count, int stream = 0)
    {
        var s = new Sampler(o, stream);
        return Enumerable.Range(0, count).Select(_ => s.Next(logits)).ToArray();
    }

    [Fact]
    public void GreedyTakesTheFirstOfTiedMaxima() =>
        Assert.Equal(1, new Sampler(new SamplingOptions()).Next([0f, 3f, 3f, -1f]));

    [Fact]
    public void TemperatureOneSamplesTheSoftmax()
    {
        // p = softmax([0, ln 3]) = (0.25, 0.75): over 20000 seeded draws the frequency of token 1 is 0.75 +- 0.02
        // (the standard deviation of the frequency is 0.003).
        var draws = Draw(new SamplingOptions { Temperature = 1, Seed = 3 }, [0f, MathF.Log(3)], 20000);
        Assert.InRange(draws.Count(d => d == 1) / 20000.0, 0.73, 0.77);
    }

    [Fact]
    public void LowTemperatureSharpensAndHighTemperatureFlattens()
    {
        float[] logits = [0f, 1f];
        double Share(float t) => Draw(new SamplingOptions { Temperature = t, Seed = 5 }, logits, 10000).Count(d => d == 1) / 10000.0;
        // p(1) = 1 / (1 + e^(-1/T)): T = 0.25 -> 0.982, T = 1 -> 0.731, T = 4 -> 0.562
        Assert.InRange(Share(0.25f), 0.97, 0.995);
        Assert.InRange(Share(1f), 0.71, 0.75);
        Assert.InRange(Share(4f), 0.54, 0.58);
    }

    [Fact]
    public void TopKKeepsOnlyTheKMostLikely()
    {
        var draws = Draw(new SamplingOptions { Temperature = 1, TopK = 2, Seed = 1 }, [1f, 0.9f, 0.8f, 2f], 2000);
        Assert.All(draws, d => Assert.Contains(d, new[] { 0, 3 }));
        Assert.Contains(0, draws);
        Assert.Equal(Enumerable.Repeat(3, 50), Draw(new SamplingOptions { Temperature = 1, TopK = 1, Seed = 2 }, [1f, 0.9f, 0.8f, 2f], 50));
    }

    [Fact]
    public void TopPKeepsTheSmallestSetReachingP()
    {
        // probabilities 0.5, 0.3, 0.2 (logits are their logs): p = 0.7 keeps {0, 1}; p = 0.5 keeps {0}
        float[] logits = [MathF.Log(0.5f), MathF.Log(0.3f), MathF.Log(0.2f)];
        var draws = Draw(new SamplingOptions { Temperature = 1, TopP = 0.7f, Seed = 4 }, logits, 3000);
        Assert.DoesNotContain(2, draws);
        Assert.InRange(draws.Count(d => d == 1) / 3000.0, 0.34, 0.41);   // 0.3 / 0.8 = 0.375
        Assert.All(Draw(new SamplingOptions { Temperature = 1, TopP = 0.5f, Seed = 4 }, logits, 200), d => Assert.Equal(0, d));
    }

    [Fact]
    public void TheSameSeedGivesTheSameDrawsAndStreamsDiffer()
    {
        var o = new SamplingOptions { Temperature = 1, Seed = 9 };
        float[] logits = [0f, 0.5f, 1f, 0.2f, 0.7f];
        Assert.Equal(Draw(o, logits, 100), Draw(o, logits, 100));
        Assert.NotEqual(Draw(o, logits, 100, stream: 0), Draw(o, logits, 100, stream: 1));
        Assert.NotEqual(Draw(o, logits, 100), Draw(o with { Seed = 10 }, logits, 100));
    }

    [Theory]
    [InlineData(-1f, 0, 1f)]
    [InlineData(1f, -2, 1f)]
    [InlineData(1f, 0, 0f)]
    [InlineData(1f, 0, 1.5f)]
    public void InvalidSettingsAreRefused(float temperature, int topK, float topP) =>
        Assert.Throws<ArgumentException>(() => new SamplingOptions { Temperature = temperature, TopK = topK, TopP = topP }.Validate());

    [Fact]
    public void GenerationStopsAfterAStopTokenAndKeepsIt()
    {
        using var model = Transformer.Load(Fixtures.Path("stories260K"), new CpuBackend());
        // The golden greedy story from BOS starts 403 407 261 ...: stopping on 261 ends after three tokens.
        var result = new Generator(model).Generate([[1], [1, 403]], new SamplingOptions { MaxNewTokens = 20, StopTokens = [261] });
        Assert.Equal([403, 407, 261], result.NewTokens[0]);
        Assert.Equal([407, 261], result.NewTokens[1]);
    }

    [Fact]
    public void SeededSamplingIsReproducibleThroughTheModel()
    {
        using var model = Transformer.Load(Fixtures.Path("stories260K"), new CpuBackend());
        var o = new SamplingOptions { MaxNewTokens = 24, Temperature = 1, TopK = 40, Seed = 11 };
        var a = new Generator(model).Generate([[1], [1]], o).NewTokens;
        var b = new Generator(model).Generate([[1], [1]], o).NewTokens;
        Assert.Equal(a, b);
        Assert.NotEqual(a[0], a[1]);   // each prompt of a batch draws from its own stream
    }
}
