using HeadPursuit.Eval.Metrics;

namespace HeadPursuit.Eval.Tests;

public class QaMetricTests
{
    [Theory]
    [InlineData("The  Eiffel-Tower!", "eiffeltower")]
    [InlineData("An apple, a pear and THE plum.", "apple pear and plum")]
    [InlineData("Theatre", "theatre")]                       // articles only as whole words
    [InlineData("  ", "")]
    public void NormalisesLikeSquad(string text, string expected) => Assert.Equal(expected, AnswerNormalizer.Normalize(text));

    [Fact]
    public void ExactMatchIsMaxOverAliases()
    {
        Assert.Equal(1, QaScores.ExactMatch("the United Kingdom.", ["England", "United Kingdom"]));
        Assert.Equal(0, QaScores.ExactMatch("United", ["England", "United Kingdom"]));
    }

    [Fact]
    public void TokenF1ByHand()
    {
        // prediction "red big ball" vs gold "the big red car": tokens [red, big, ball] vs [big, red, car]
        // overlap 2 -> precision 2/3, recall 2/3 -> F1 2/3
        Assert.Equal(2.0 / 3, QaScores.F1("red big ball", ["the big red car"]), 12);
        // "paris paris" vs "paris": overlap counted once -> P = 1/2, R = 1 -> F1 = 2/3
        Assert.Equal(2.0 / 3, QaScores.F1("paris paris", ["Paris"]), 12);
        // max over aliases: "new york" vs {"York" (P 1/2, R 1 -> 2/3), "New York City" (P 1, R 2/3 -> 0.8)}
        Assert.Equal(0.8, QaScores.F1("new york", ["York", "New York City"]), 12);
        Assert.Equal(0, QaScores.F1("london", ["Paris"]));
        Assert.Equal(1, QaScores.F1("the", ["a"]));              // both normalise to nothing
    }

    [Fact]
    public void AnswerIsTheFirstLine() => Assert.Equal("Paris.", QaScores.AnswerOf("  Paris.\nQ: next question"));

    [Fact]
    public void SummarySplitsByWhetherTheAnswerIsAConceptWord()
    {
        var countries = new KeywordCounter(["France", "United Kingdom"]);
        string[][] golds = [["France"], ["United Kingdom", "UK"], ["Paris"], ["Seven", "7"]];
        string[] predictions = ["france", "UK", "London", "7 continents"];
        var s = QaSummary.Score(golds, predictions, countries);
        // EM: 1, 1, 0, 0. F1: 1, 1, 0, 2/3 ("7 continents" vs "7": P 1/2, R 1)
        Assert.Equal(0.5, s.ExactMatch, 12);
        Assert.Equal((2 + 2.0 / 3) / 4, s.F1, 12);
        Assert.Equal((2, 2), (s.ConceptQuestions, s.OtherQuestions));
        Assert.Equal(1, s.ConceptExactMatch);
        Assert.Equal(1, s.ConceptF1);
        Assert.Equal(0, s.OtherExactMatch);
        Assert.Equal(1.0 / 3, s.OtherF1, 12);
    }
}
