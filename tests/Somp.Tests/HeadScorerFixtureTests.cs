namespace HeadPursuit.Somp.Tests;

/// <summary>HeadScorer on the heads_llama_tiny fixture: Zbar and the llama-tiny o_proj / lm_head weights.</summary>
public class HeadScorerFixtureTests
{
    static readonly LlamaTinyHeadsCase Case = new();
    const int V = 12;

    [Fact]
    public void PooledZTimesOutputBlockIsTheFixturesH()
    {
        var c = Case;
        double maxAbs = c.H.Max(MathF.Abs);
        for (int l = 0; l < LlamaTinyHeadsCase.L; l++)
            for (int h = 0; h < LlamaTinyHeadsCase.Heads; h++)
            {
                var z = c.Zbar.Head(l, h).ToArray();
                var wo = c.Blocks.Block(l, h);
                for (int i = 0; i < LlamaTinyHeadsCase.N; i++)
                    for (int m = 0; m < LlamaTinyHeadsCase.DModel; m++)
                    {
                        double x = 0;
                        for (int e = 0; e < LlamaTinyHeadsCase.DHead; e++) x += (double)z[i * 16 + e] * wo[m * 16 + e];
                        double expected = c.H[((l * 4 + h) * 16 + i) * 64 + m];
                        Assert.True(Math.Abs(x - expected) <= 1e-5 * maxAbs, $"H[L{l}H{h}, {i}, {m}] = {x}, fixture {expected}");
                    }
            }
    }

    [Fact]
    public void DictionaryIsLmHeadRowsAtConceptIds()
    {
        var atoms = AtomSet.FromUnembedding(Case.LmHead, 64, Case.ConceptIds);
        Assert.Equal(Case.D, atoms.Rows);
    }

    // The fixture's scores come from its F32 H (MANIFEST: "SOMP fed with the stored F32 H/D: EVR/scores within 1e-9").
    // Fed H itself (W_O = identity, d_head = d_model) the scorer must meet that. Fed Zbar, H = Zbar W_O^T differs from the
    // stored H by its single F32 rounding (relative 2^-24 ~ 6e-8 per element), so scores can only agree to ~1e-7.
    const double FromH = 1e-9, FromZbar = 1e-7;

    [Fact]
    public void SompFromStoredHMatchesToFixturePrecision() => CheckSomp(ScorerOnStoredH(), FromH);

    [Fact]
    public void SompFromZbarAndOutputBlocks() => CheckSomp(new HeadScorer(Case.Zbar, Case.Blocks, Case.LmHead, new SompOptions()), FromZbar);

    [Fact]
    public void LogitLensFromStoredHMatchesToFixturePrecision() => CheckLogitLens(ScorerOnStoredH(), FromH, 0);

    [Fact]
    // A logit-lens score is a mean of terms of both signs: its F32-rounding error scales with the terms, not with the
    // (possibly cancelled) mean, so the Zbar check is absolute, relative to the largest |score|.
    public void LogitLensFromZbarAndOutputBlocks() =>
        CheckLogitLens(new HeadScorer(Case.Zbar, Case.Blocks, Case.LmHead, new SompOptions()), 0, FromZbar * Case.LlScores.Max(Math.Abs));

    static HeadScorer ScorerOnStoredH()
    {
        var h = new Runtime.Capture.HeadActivations(2, 4, 16, 64, Case.H);
        var identity = new float[64 * 64];
        for (int k = 0; k < 64; k++) identity[k * 64 + k] = 1;
        var blocks = Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, 4).Select(_ => identity).ToArray()).ToArray();
        return new HeadScorer(h, new OutputBlocks(blocks, 64, 64), Case.LmHead, new SompOptions());
    }

    static void CheckSomp(HeadScorer scorer, double rel)
    {
        var c = Case;
        var ranking = scorer.Rank("fixture", c.ConceptIds);
        Assert.Equal(V, ranking.Iterations);
        Assert.Equal(c.Ranking, ranking.Entries.Select(e => e.Head));
        foreach (var e in ranking.Entries)
        {
            int k = e.Head.Layer * 4 + e.Head.Head;
            Close.All(c.Scores.AsSpan(k, 1), [e.Score], rel, 0, $"{e.Head} score");
            Close.All(c.EvrCurves.AsSpan(k * V, V), e.EvrCurve, rel, 0, $"{e.Head} evr");
            Assert.Equal(c.Selected.AsSpan(k * V, V).ToArray().Select(j => c.ConceptIds[j]), e.SelectedTokenIds);
        }
    }

    static void CheckLogitLens(HeadScorer scorer, double rel, double abs)
    {
        var c = Case;
        var ranking = scorer.LogitLens("fixture", c.ConceptIds);
        Assert.Equal(c.LlRanking, ranking.Entries.Select(e => e.Head));
        foreach (var e in ranking.Entries)
            Close.All(c.LlScores.AsSpan(e.Head.Layer * 4 + e.Head.Head, 1), [e.Score], rel, abs, $"{e.Head} ll_score");
    }
}
