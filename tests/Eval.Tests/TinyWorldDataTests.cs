using HeadPursuit.Eval.Data;
using HeadPursuit.Eval.Experiments;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Tests;

namespace HeadPursuit.Eval.Tests;

/// <summary>The TinyWorld fixture's question file and lexicon, the paired split and the question-only pooling mask.</summary>
public class TinyWorldDataTests
{
    static string FixtureFile(params string[] parts) => Fixtures.Path(["tinyworld-gpt2", .. parts]);

    [Fact]
    public void QuestionFileHalvesKeepEachCapitalQuestionWithItsReverse()
    {
        var rows = QuestionsFile.Read(FixtureFile("eval", "questions.jsonl"));
        Assert.Equal(242, rows.Length);
        Assert.Equal(["Paris"], rows[0].Answers);
        Assert.Equal("country", rows[1].Category);
        var a = PairedHalves.Take(rows, 0);
        var b = PairedHalves.Take(rows, 1);
        Assert.Equal(rows.Length, a.Length + b.Length);
        Assert.Empty(a.Intersect(b));
        Assert.Equal([rows[0], rows[1], rows[4], rows[5]], a[..4]);
        Assert.Equal([rows[2], rows[3], rows[6]], b[..3]);
        // every fact's capital question sits in the same half as its "Which country has the capital ..." reverse
        foreach (var half in new[] { a, b })
            foreach (var capital in half.Where(r => r.Category == "capital"))
                Assert.Contains(half, r => r.Category == "country" && r.Prompt.EndsWith($"capital {capital.Answers[0]}? Answer:"));
        Assert.Throws<ArgumentException>(() => PairedHalves.Take(rows, 2));
    }

    [Fact]
    public void LexiconListsAreReadByName()
    {
        string path = FixtureFile("lexicon.json");
        var countries = LexiconFile.Read(path, "countries");
        Assert.Equal(40, countries.Length);
        Assert.Contains("South Korea", countries);
        Assert.Equal(12, LexiconFile.Read(path, "colours").Length);
        Assert.Contains("planets", Assert.Throws<ArgumentException>(() => LexiconFile.Read(path, "planets")).Message);
        Assert.Throws<ArgumentException>(() => LexiconFile.Read(path, "animal_sounds"));   // an object, not a list
    }

    [Fact]
    public void SpaceOnlyConceptTokensAreTheRunningTextForms()
    {
        var tok = Tokenizer.FromFolder(Fixtures.Path("tinyworld-gpt2"));
        var colours = ConceptSource.Load("lexicon:colours", ConceptTokens.SpaceVariant, Fixtures.Path("tinyworld-gpt2"), w => tok.Encode(w));
        Assert.Equal(12, colours.TokenIds.Length);
        Assert.Contains(tok.Encode(" red")[0], colours.TokenIds);
        Assert.DoesNotContain(tok.Encode("red")[0], colours.TokenIds);
        var both = ConceptSource.Load("lexicon:colours", ConceptTokens.Both, Fixtures.Path("tinyworld-gpt2"), w => tok.Encode(w));
        Assert.Contains(tok.Encode("red")[0], both.TokenIds);
    }

    [Fact]
    public void TemplateTokensAreLeftOutOfThePooling()
    {
        var tok = Tokenizer.FromFolder(Fixtures.Path("tinyworld-gpt2"));
        var ids = tok.Encode("Question: What is the capital of France? Answer:");
        int[] prefix = tok.Encode("Question:"), suffix = tok.Encode(" Answer:");
        var mask = TemplatePositions.Exclude(ids, [.. ids.Select(_ => true)], prefix, suffix, "q");
        var kept = ids.Where((_, i) => mask[i]).ToArray();
        Assert.Equal(" What is the capital of France?", tok.Decode(kept));
        Assert.Contains("q:", Assert.Throws<ArgumentException>(() =>
            TemplatePositions.Exclude(tok.Encode("Lena lives in Lima."), [.. tok.Encode("Lena lives in Lima.").Select(_ => true)], prefix, suffix, "q")).Message);
    }
}
