namespace HeadPursuit.Somp.Tests;

/// <summary>SompFast must give SompReference's selections, EVR and coefficients on many seeded random problems.</summary>
public class SompFastVsReferenceTests
{
    static void AssertSame(RandomProblem p, int iterations, SompOptions options, string what)
    {
        var expected = SompReference.Run(p.H(), p.N, p.DModel, p.DictionaryAsDouble, p.V, iterations, options);
        var actual = SompFast.RunHeads([p.Head], p.Atoms, iterations, options)[0];
        Assert.True(expected.Selected.SequenceEqual(actual.Selected),
            $"{what}: selections differ: reference [{string.Join(",", expected.Selected)}], fast [{string.Join(",", actual.Selected)}]");
        Close.All(expected.Evr, actual.Evr, 1e-9, 1e-12, what + " evr");
        double scale = expected.Coef.Length == 0 ? 0 : expected.Coef.Max(Math.Abs);
        Close.All(expected.Coef, actual.Coef, 1e-7, 1e-8 * scale, what + " coef");
    }

    [Fact]
    public void RandomShapesAndOptions()
    {
        var rng = new Random(1234);
        for (int trial = 0; trial < 40; trial++)
        {
            int dHead = rng.Next(1, 9), dModel = rng.Next(dHead, 24), v = rng.Next(2, 60), n = rng.Next(2, 30);
            int iterations = rng.Next(1, Math.Min(v, dModel) + 1);
            var options = new SompOptions(Center: rng.Next(2) == 0, Normalize: rng.Next(2) == 0);
            AssertSame(RandomProblem.Create(rng, n, dHead, dModel, v), iterations, options, $"trial {trial} ({options}, N={iterations})");
        }
    }

    /// <summary>
    /// Enough atoms and iterations that most rows stay stale for many terms, so the choice rests on the pending-term
    /// bounds (PendingTermBounds).
    /// </summary>
    [Fact]
    public void ManyStaleRows()
    {
        var rng = new Random(1235);
        for (int trial = 0; trial < 4; trial++)
            AssertSame(RandomProblem.Create(rng, n: 40, dHead: 8, dModel: 24, v: 300), 20, new SompOptions(Center: trial % 2 == 0), $"stale rows trial {trial}");
    }

    /// <summary>Unnormalised atoms with norms from 1e-30 to 1e30: the bounds' margins scale with every row.</summary>
    [Fact]
    public void ExtremeAtomNormsWithoutNormalising()
    {
        var rng = new Random(1236);
        for (int trial = 0; trial < 6; trial++)
        {
            var p = RandomProblem.Create(rng, n: 25, dHead: 6, dModel: 16, v: 80);
            for (int j = 0; j < 80; j++)
            {
                float scale = MathF.Pow(10, rng.Next(-30, 31));
                for (int m = 0; m < 16; m++) p.D[j * 16 + m] *= scale;
            }
            AssertSame(p, 10, new SompOptions(Center: trial % 2 == 0, Normalize: false), $"extreme norms trial {trial}");
        }
    }

    [Fact]
    public void FewerSamplesThanIterations()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 10; trial++)
            AssertSame(RandomProblem.Create(rng, n: 3, dHead: 4, dModel: 20, v: 40), 12, new SompOptions(), $"n<N trial {trial}");
    }

    [Fact]
    public void DictionarySmallerThanDefaultN_AllAtomsSelected()
    {
        var rng = new Random(8);
        for (int trial = 0; trial < 10; trial++)
        {
            var p = RandomProblem.Create(rng, n: 25, dHead: 6, dModel: 16, v: 9);
            AssertSame(p, 9, new SompOptions(), $"|D|<N trial {trial}");
        }
    }

    [Fact]
    public void NearCollinearAtoms()
    {
        var rng = new Random(9);
        for (int trial = 0; trial < 10; trial++)
        {
            var p = RandomProblem.Create(rng, n: 30, dHead: 8, dModel: 16, v: 30);
            // rows 10..19 = rows 0..9 plus a 1e-4 perturbation
            for (int j = 10; j < 20; j++)
                for (int m = 0; m < 16; m++) p.D[j * 16 + m] = p.D[(j - 10) * 16 + m] + 1e-4f * (float)(rng.NextDouble() - 0.5);
            AssertSame(p, 12, new SompOptions(), $"near-collinear trial {trial}");
        }
    }

    [Fact]
    public void DuplicateAtomsTieToTheFirstIndex()
    {
        var rng = new Random(10);
        for (int trial = 0; trial < 10; trial++)
        {
            var p = RandomProblem.Create(rng, n: 20, dHead: 5, dModel: 12, v: 24);
            // rows 12..23 duplicate rows 0..11 (exact copies, some negated, some scaled by 2: equal after normalisation)
            for (int j = 12; j < 24; j++)
            {
                float f = (j % 3) switch { 0 => 1f, 1 => -1f, _ => 2f };
                for (int m = 0; m < 12; m++) p.D[j * 12 + m] = f * p.D[(j - 12) * 12 + m];
            }
            AssertSame(p, 6, new SompOptions(), $"duplicates trial {trial}");
            var fast = SompFast.RunHeads([p.Head], p.Atoms, 6, new SompOptions())[0];
            Assert.All(fast.Selected, j => Assert.True(j < 12, $"picked duplicate row {j} over its earlier copy"));
        }
    }

    /// <summary>
    /// More iterations than independent atoms (8 distinct rows, each twice): once the span is full, the remaining
    /// atoms explain nothing; both paths keep selecting (first remaining index), EVR stays flat, coefficients are 0.
    /// Real vocabularies have such rows (e.g. a model whose untrained tokens share one embedding).
    /// </summary>
    [Fact]
    public void IterationsBeyondTheSpanOfTheDictionaryPlateau()
    {
        var rng = new Random(12);
        for (int trial = 0; trial < 5; trial++)
        {
            var p = RandomProblem.Create(rng, n: 20, dHead: 6, dModel: 20, v: 16);
            for (int j = 8; j < 16; j++)
                for (int m = 0; m < 20; m++) p.D[j * 20 + m] = p.D[(j - 8) * 20 + m];
            AssertSame(p, 12, new SompOptions(), $"beyond-span trial {trial}");
            var fast = SompFast.RunHeads([p.Head], p.Atoms, 12, new SompOptions())[0];
            Assert.Equal([8, 9, 10, 11], fast.Selected[8..]);
            for (int t = 8; t < 12; t++) Assert.Equal(fast.Evr[7], fast.Evr[t]);
        }
    }

    [Fact]
    public void ZeroVarianceHeadScoresZeroNotNaN()
    {
        var rng = new Random(11);
        var p = RandomProblem.Create(rng, n: 10, dHead: 4, dModel: 8, v: 15);
        var constant = p with { Z = [.. Enumerable.Range(0, 40).Select(k => (float)(k % 4))] }; // every sample the same row
        var reference = SompReference.Run(constant.H(), 10, 8, constant.DictionaryAsDouble, 15, 5, new SompOptions());
        var fast = SompFast.RunHeads([constant.Head, p.Head], constant.Atoms, 5, new SompOptions());
        foreach (var r in new[] { reference, fast[0] })
        {
            Assert.Equal(0, r.Score);
            Assert.Equal(new double[5], r.Evr);
            Assert.Empty(r.Selected);
        }
        Assert.True(fast[1].Score > 0); // the other head of the batch is unaffected
    }

    [Fact]
    public void BatchedHeadsEqualOneByOne()
    {
        var rng = new Random(12);
        var dictionary = RandomProblem.Create(rng, 1, 1, 16, 40).Atoms;
        var heads = Enumerable.Range(0, 5).Select(_ => RandomProblem.Create(rng, 18, 6, 16, 1).Head).ToArray();
        var batched = SompFast.RunHeads(heads, dictionary, 10, new SompOptions());
        for (int h = 0; h < heads.Length; h++)
        {
            var alone = SompFast.RunHeads([heads[h]], dictionary, 10, new SompOptions())[0];
            Assert.Equal(alone.Selected, batched[h].Selected);
            Assert.Equal(alone.Evr, batched[h].Evr);
        }
    }
}
