namespace HeadPursuit.Somp.Tests;

public class RandomHeadSetsTests
{
    static readonly HeadId[] Chosen = [new(0, 1), new(0, 2), new(2, 0), new(3, 3), new(3, 4), new(3, 5)];

    [Fact]
    public void SamePerLayerCountsDisjointAndDistinct()
    {
        var draws = RandomHeadSets.Draw(Chosen, layers: 4, heads: 8, seed: 42);
        Assert.Equal(RandomHeadSets.DefaultDraws, draws.Count);
        foreach (var set in draws)
        {
            Assert.Equal(Chosen.GroupBy(h => h.Layer).ToDictionary(g => g.Key, g => g.Count()), set.GroupBy(h => h.Layer).ToDictionary(g => g.Key, g => g.Count()));
            Assert.Empty(set.Intersect(Chosen));
            Assert.Equal(set.Length, set.Distinct().Count());
            Assert.All(set, h => Assert.InRange(h.Head, 0, 7));
        }
        Assert.True(draws.Select(s => string.Join(",", s)).Distinct().Count() > 1, "ten draws should not all be equal");
    }

    [Fact]
    public void SeededDrawsRepeat()
    {
        var a = RandomHeadSets.Draw(Chosen, 4, 8, seed: 7);
        var b = RandomHeadSets.Draw(Chosen, 4, 8, seed: 7);
        var c = RandomHeadSets.Draw(Chosen, 4, 8, seed: 8);
        Assert.Equal(a.Select(s => string.Join(",", s)), b.Select(s => string.Join(",", s)));
        Assert.NotEqual(a.Select(s => string.Join(",", s)), c.Select(s => string.Join(",", s)));
    }

    [Fact]
    public void EveryOtherHeadOfALayerIsReachable()
    {
        var seen = RandomHeadSets.Draw([new HeadId(0, 0)], 1, 5, seed: 1, draws: 200).Select(s => s.Single().Head).ToHashSet();
        Assert.Equal([1, 2, 3, 4], seen.Order());
    }

    [Fact]
    public void ImpossibleRequestsAreErrors()
    {
        Assert.Throws<ArgumentException>(() => RandomHeadSets.Draw([new(0, 0), new(0, 1), new(0, 2)], 1, 4, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RandomHeadSets.Draw([new(5, 0)], 4, 4, seed: 1));
        Assert.Throws<ArgumentException>(() => RandomHeadSets.Draw(Chosen, 4, 8, seed: 1, draws: 0));
    }
}
