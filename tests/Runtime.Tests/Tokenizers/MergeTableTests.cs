using HeadPursuit.Runtime.Tokenizers;

namespace HeadPursuit.Runtime.Tests.Tokenizers;

public sealed class MergeTableTests
{
    [Fact]
    public void FindsEveryPairAndNothingElse()
    {
        // Pairs chosen so that left ^ right repeats a lot (the hashing that made the old table slow): all must be found.
        var rng = new Random(3);
        var pairs = new Dictionary<(int, int), (int Rank, int Merged)>();
        while (pairs.Count < 20000)
        {
            int left = rng.Next(300), right = rng.Next(300) ^ (rng.Next(2) == 0 ? left : 0);
            pairs.TryAdd((left, right), (pairs.Count, rng.Next(262144)));
        }
        var table = new MergeTable(pairs.Count);
        foreach (var ((l, r), (rank, merged)) in pairs) table.TryAdd(l, r, rank, merged);
        foreach (var ((l, r), (rank, merged)) in pairs)
        {
            Assert.True(table.TryGet(l, r, out int foundRank, out int foundMerged), $"({l}, {r}) missing");
            Assert.Equal((rank, merged), (foundRank, foundMerged));
        }
        for (int l = 0; l < 600; l += 7)
            for (int r = 0; r < 600; r += 5)
                if (!pairs.ContainsKey((l, r))) Assert.False(table.TryGet(l, r, out _, out _), $"({l}, {r}) found but never added");
    }

    [Fact]
    public void ARepeatedPairKeepsItsFirstRank()
    {
        var table = new MergeTable(2);
        table.TryAdd(5, 7, rank: 0, merged: 100);
        table.TryAdd(5, 7, rank: 1, merged: 200);
        Assert.True(table.TryGet(5, 7, out int rank, out int merged));
        Assert.Equal((0, 100), (rank, merged));
        Assert.False(table.TryGet(7, 5, out _, out _));
    }
}
