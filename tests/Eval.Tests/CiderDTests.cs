using HeadPursuit.Eval.Metrics;

namespace HeadPursuit.Eval.Tests;

/// <summary>
/// Hand-worked CIDEr-D. Corpus: image A with reference "a cat sits", image B with "a dog runs", so ln(images) = ln 2
/// and IDF = ln 2 - ln max(1, df): 0 for "a" (in both images), ln 2 for every other n-gram (one image, or none).
/// </summary>
public class CiderDTests
{
    static readonly string[][] Refs = [["a cat sits"], ["a dog runs"]];
    static readonly CiderD Cider = new(Refs);

    [Fact]
    public void IdenticalCaptionScoresThreeQuartersOfTen()
    {
        // n = 1..3: the candidate's vector equals the reference's, cosine 1; n = 4: no 4-grams, 0. Mean over n = 3/4;
        // same length, no penalty; x10 -> 7.5. ("a" has weight 0 but "cat", "sits" keep the unigram cosine at 1.)
        Assert.Equal(7.5, Cider.Score("A cat sits.", Refs[0]), 12);
    }

    [Fact]
    public void ShorterCaptionByHand()
    {
        // "a dog" vs "a dog runs": n=1 c = {a:0, dog:l}, r = {a:0, dog:l, runs:l} (l = ln 2): l^2 / (l * sqrt2 l) = 1/sqrt2;
        // n=2 c = {"a dog": l}, r = {"a dog": l, "dog runs": l}: 1/sqrt2; n=3, n=4: 0.
        // Length penalty exp(-(2-3)^2 / 72). Score = (2/sqrt2)/4 * exp(-1/72) * 10.
        double expected = Math.Sqrt(2) / 4 * Math.Exp(-1.0 / 72) * 10;
        Assert.Equal(expected, Cider.Score("a dog", Refs[1]), 12);
        Assert.Equal(3.486768, expected, 5);
    }

    [Fact]
    public void RepeatedWordsAreClipped()
    {
        // "cat cat cat" vs "a cat sits": n=1 c = {cat: 3l}, r = {a:0, cat:l, sits:l};
        // clipped dot = min(3l, l) * l = l^2; norms 3l and sqrt2 l -> 1/(3 sqrt2). "cat cat" and "cat cat cat" are not in
        // the reference: 0. Same length. Score = 1/(3 sqrt2)/4 * 10 (unclipped it would be 1/sqrt2/4 * 10).
        Assert.Equal(10 / (3 * Math.Sqrt(2)) / 4, Cider.Score("cat cat cat", Refs[0]), 12);
    }

    [Fact]
    public void ScoreAveragesOverReferencesAndCorpusOverImages()
    {
        // Against ["a cat sits", "a dog runs"] the candidate "a cat sits" scores (7.5 + 0) / 2: the second reference shares
        // only "a", whose weight is 0, so all its cosines are 0.
        Assert.Equal(3.75, Cider.Score("a cat sits", ["a cat sits", "a dog runs"]), 12);
        double corpus = Cider.Corpus(["a cat sits", "a dog"], Refs);
        Assert.Equal((7.5 + Math.Sqrt(2) / 4 * Math.Exp(-1.0 / 72) * 10) / 2, corpus, 12);
    }

    [Fact]
    public void NoReferencesIsAnError()
    {
        Assert.Throws<ArgumentException>(() => new CiderD([]));
        Assert.Throws<ArgumentException>(() => Cider.Score("x", []));
    }
}
