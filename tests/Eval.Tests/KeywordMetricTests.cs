using HeadPursuit.Eval.Metrics;

namespace HeadPursuit.Eval.Tests;

public class KeywordMetricTests
{
    static readonly KeywordCounter Colours = new(["red", "blue", "light blue", "Navy Blue"]);

    [Theory]
    [InlineData("Red, red and RED!", 3)]                       // case-insensitive, punctuation separates
    [InlineData("The boredom of a shredder", 0)]               // whole words only: no "red" inside words
    [InlineData("a light blue sky", 1)]                         // the multi-word keyword wins over "blue" alone
    [InlineData("light, blue", 1)]                              // "light" alone is no keyword; "blue" is
    [InlineData("navy blue and light blue and blue", 3)]
    [InlineData("", 0)]
    public void CountsWholeWordAndMultiWordMatches(string text, int expected) =>
        Assert.Equal(expected, Colours.Count(text));

    [Fact]
    public void FrequencyIsHitsPerWordPerGenerationAndOverall()
    {
        // "the red ball" -> 1 hit / 3 words; "light blue and red sky" -> 2 hits / 5 words; "" -> 0 / 0
        var hits = KeywordFrequency.PerGeneration(Colours, ["the red ball", "light blue and red sky", ""]);
        Assert.Equal([new KeywordHits(1, 3), new KeywordHits(2, 5), new KeywordHits(0, 0)], hits);
        Assert.Equal(1.0 / 3, hits[0].Frequency, 12);
        Assert.Equal(0, hits[2].Frequency);
        Assert.Equal(3.0 / 8, KeywordFrequency.Overall(hits), 12);
    }

    [Fact]
    public void IsKeywordMatchesWholeTextsOnly()
    {
        Assert.True(Colours.IsKeyword("Light Blue"));
        Assert.False(Colours.IsKeyword("light blue sky"));
        Assert.False(Colours.IsKeyword("light"));
    }

    [Fact]
    public void ToxicityCountsListedWordsPerGeneration()
    {
        var tox = new ToxicityCount(["idiot", "shut up"]);
        Assert.Equal(2, tox.Of("Shut up, you IDIOT."));
        Assert.Equal(0, tox.Of("idiotic shutters"));
        Assert.Equal(2.0 / 3, tox.MeanPerGeneration(["Shut up, you IDIOT.", "hello", "nice"]), 12);
    }

    [Fact]
    public void ClassificationTakesTheFirstNamedLabel()
    {
        var acc = new ClassificationAccuracy(["positive", "negative", "very negative"]);
        Assert.Equal("negative", acc.Predict("It is negative, not positive."));
        Assert.Equal("very negative", acc.Predict("Very negative indeed"));
        Assert.Null(acc.Predict("no idea"));
        // right, wrong, unlabelled -> 1/3
        Assert.Equal(1.0 / 3, acc.Accuracy(["positive!", "negative", "hmm"], ["positive", "positive", "negative"]), 12);
        Assert.Contains("'neutral'", Assert.Throws<ArgumentException>(() => acc.Accuracy(["x"], ["neutral"])).Message);
    }

    [Fact]
    public void EmptyKeywordListIsRejected() =>
        Assert.Throws<ArgumentException>(() => new KeywordCounter(["", "  ", "!!"]));
}
