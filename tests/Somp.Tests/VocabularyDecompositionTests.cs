namespace HeadPursuit.Somp.Tests;

/// <summary>Full-vocabulary SOMP per head on llama-tiny (vocab 1024, d_model 64, N = 50) against SompReference.</summary>
public class VocabularyDecompositionTests
{
    static readonly LlamaTinyHeadsCase Case = new();

    [Fact]
    public void MatchesReferenceOnEveryHeadWhateverTheBatchSize()
    {
        var options = new SompOptions();
        var all = VocabularyDecomposition.Run(Case.Zbar, Case.Blocks, Case.LmHead, options);
        var oneByOne = VocabularyDecomposition.Run(Case.Zbar, Case.Blocks, Case.LmHead, options, memoryBudgetBytes: 1);
        Assert.Equal(8, all.Count);
        double[] vocabulary = SompFixtureCase.ToDouble(Case.LmHead);
        foreach (var head in new[] { new HeadId(0, 0), new HeadId(1, 3) })
        {
            var problem = new RandomProblem(16, 16, 64, 1024, Case.Zbar.Head(head.Layer, head.Head).ToArray(), Case.Blocks.Block(head.Layer, head.Head), Case.LmHead);
            var expected = SompReference.Run(problem.H(), 16, 64, vocabulary, 1024, VocabularyDecomposition.DefaultIterations, options);
            var got = all.Single(d => d.Head == head);
            Assert.Equal(expected.Selected, got.TokenIds);
            Close.All(expected.Evr, got.Evr, 1e-9, 0, head + " evr");
        }
        for (int k = 0; k < all.Count; k++)
        {
            Assert.Equal(all[k].Head, oneByOne[k].Head);
            Assert.Equal(all[k].TokenIds, oneByOne[k].TokenIds);
        }
    }

    [Fact]
    public void OnlyTheHeadsAskedForAreDecomposedAndTheyEqualTheFullRun()
    {
        var options = new SompOptions();
        var all = VocabularyDecomposition.Run(Case.Zbar, Case.Blocks, Case.LmHead, options, iterations: 10);
        HeadId[] wanted = [new(1, 3), new(0, 2)];
        var some = VocabularyDecomposition.Run(Case.Zbar, Case.Blocks, Case.LmHead, options, iterations: 10, heads: wanted);
        Assert.Equal([new HeadId(0, 2), new HeadId(1, 3)], some.Select(d => d.Head));
        foreach (var d in some) Assert.Equal(all.Single(a => a.Head == d.Head).TokenIds, d.TokenIds);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            VocabularyDecomposition.Run(Case.Zbar, Case.Blocks, Case.LmHead, options, heads: [new HeadId(2, 0)]));
        Assert.Contains("L2H0", e.Message);
    }
}
