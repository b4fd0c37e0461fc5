using HeadPursuit.Eval.Experiments;
using HeadPursuit.Eval.Metrics;
using HeadPursuit.Eval.Statistics;

namespace HeadPursuit.Eval.Tests;

public class StatisticsTests
{
    [Fact]
    public void QuantilesInterpolateLinearly()
    {
        double[] x = [4, 1, 3, 2];                  // sorted 1 2 3 4: median at 1.5 -> 2.5; Q1 at 0.75 -> 1.75; Q3 at 2.25 -> 3.25
        Assert.Equal(2.5, Quantiles.Median(x));
        Assert.Equal((1.75, 3.25), Quantiles.Iqr(x));
        Assert.Equal(7, Quantiles.Median([7]));
        Assert.Throws<ArgumentException>(() => Quantiles.Median([]));
    }

    [Fact]
    public void NllAndPerplexityByHand()
    {
        // logits [0, ln 3]: softmax [1/4, 3/4]; NLL of token 1 = ln(4/3), of token 0 = ln 4
        float[] logits = [0f, MathF.Log(3)];
        Assert.Equal(Math.Log(4.0 / 3), Perplexity.Nll(logits, 1), 6);
        Assert.Equal(Math.Log(4), Perplexity.Nll(logits, 0), 6);
        // two generations: NLL 2 over 1 token and 4 over 3 tokens -> exp(6 / 4)
        Assert.Equal(Math.Exp(1.5), Perplexity.Overall([new TokenLoss(2, 1), new TokenLoss(4, 3)]), 12);
        Assert.Equal(Math.Exp(2), new TokenLoss(2, 1).Perplexity, 12);
    }

    [Fact]
    public void NormalisedRatio()
    {
        Assert.Equal(1.0, Normalised.Ratio(0.25, 0.25));
        Assert.Equal(1.0, Normalised.Ratio(0, 0));
        Assert.Equal(0.5, Normalised.Ratio(1, 2));
        Assert.Null(Normalised.Ratio(1, 0));
    }
}
