using HeadPursuit.Runtime.Capture;

namespace HeadPursuit.Somp.Tests;

/// <summary>Bad input gets a clear exception naming the culprit.</summary>
public class ErrorTests
{
    static readonly LlamaTinyHeadsCase Case = new();

    [Fact]
    public void EmptyConcept()
    {
        var scorer = new HeadScorer(Case.Zbar, Case.Blocks, Case.LmHead, new SompOptions());
        Assert.Contains("colours", Assert.Throws<ArgumentException>(() => scorer.Rank("colours", [])).Message);
        Assert.Contains("colours", Assert.Throws<ArgumentException>(() => scorer.LogitLens("colours", [])).Message);
    }

    [Fact]
    public void ExplicitIterationsLargerThanTheDictionary()
    {
        var scorer = new HeadScorer(Case.Zbar, Case.Blocks, Case.LmHead, new SompOptions());
        Assert.Contains("only 12 atoms", Assert.Throws<ArgumentException>(() => scorer.Rank("c", Case.ConceptIds, iterations: 13)).Message);
        var h = new double[4 * 3];
        Assert.Contains("only 2 atoms", Assert.Throws<ArgumentException>(() => SompReference.Run(h, 4, 3, new double[6], 2, 3, new SompOptions())).Message);
    }

    [Fact]
    public void ActivationsThatDoNotMatchTheOutputBlocks()
    {
        var wrongHeads = new HeadActivations(2, 3, 16, 16);
        var wrongDHead = new HeadActivations(2, 4, 16, 8);
        foreach (var a in new[] { wrongHeads, wrongDHead })
            Assert.Contains("W_O blocks", Assert.Throws<ArgumentException>(() => new HeadScorer(a, Case.Blocks, Case.LmHead, new SompOptions())).Message);
        Assert.Throws<ArgumentException>(() => VocabularyDecomposition.Run(wrongHeads, Case.Blocks, Case.LmHead, new SompOptions()));
        Assert.Contains("d_model", Assert.Throws<ArgumentException>(() => SompFast.RunHeads([new SompHead(new float[4], new float[8], 2, 2, 4)],
            new AtomSet(new float[10], 2, 5), 1, new SompOptions())).Message);
    }

    [Fact]
    public void ZeroSamples()
    {
        var none = new HeadActivations(2, 4, 0, 16);
        Assert.Contains("zero samples", Assert.Throws<ArgumentException>(() => new HeadScorer(none, Case.Blocks, Case.LmHead, new SompOptions())).Message);
        Assert.Contains("n = 0", Assert.Throws<ArgumentException>(() => SompReference.Run([], 0, 3, new double[6], 2, 1, new SompOptions())).Message);
        Assert.Contains("n = 0", Assert.Throws<ArgumentException>(() => new SompHead([], new float[6], 0, 2, 3)).Message);
    }

    [Fact]
    public void FinalNormGainMustMatchTheOption()
    {
        Assert.Throws<ArgumentException>(() => new HeadScorer(Case.Zbar, Case.Blocks, Case.LmHead, new SompOptions(FoldFinalNorm: true)));
        Assert.Throws<ArgumentException>(() => new HeadScorer(Case.Zbar, Case.Blocks, Case.LmHead, new SompOptions(), new float[64]));
        Assert.Throws<HeadPursuit.Runtime.ModelFormatException>(() => AtomSet.FromUnembedding(Case.LmHead, 64, [1], new float[63]));
    }

    [Fact]
    public void TokenOutsideTheVocabularyAndZeroAtoms()
    {
        Assert.Contains("1024", Assert.Throws<ArgumentException>(() => AtomSet.FromUnembedding(Case.LmHead, 64, [1024])).Message);
        var zeroRow = new AtomSet(new float[2 * 3], 2, 3, [17, 18]);
        Assert.Contains("token 17", Assert.Throws<ArgumentException>(() => SompFast.Run(new float[6], 2, 3, zeroRow, 1, new SompOptions())).Message);
    }

    [Fact]
    public void FoldedGainScalesTheDictionaryRows()
    {
        var gain = Enumerable.Range(0, 64).Select(k => 1f + k / 64f).ToArray();
        var folded = AtomSet.FromUnembedding(Case.LmHead, 64, [3, 5], gain);
        Assert.Equal(Case.LmHead[5 * 64 + 10] * gain[10], folded.Rows[64 + 10]);
        var scorer = new HeadScorer(Case.Zbar, Case.Blocks, Case.LmHead, new SompOptions(FoldFinalNorm: true), gain);
        Assert.Contains("\"fold_final_norm\": true", scorer.Rank("c", Case.ConceptIds).ToJson());
    }
}
