using HeadPursuit.Runtime;
using HeadPursuit.Eval.Data;
using HeadPursuit.Eval.Metrics;

namespace HeadPursuit.Eval.Tests;

public class LoaderTests
{
    [Fact]
    public void TriviaQaFormatWithAliases()
    {
        using var t = new TempFolder();
        string p = t.Write("qa.json", """
            {"Data": [{"Question": "Capital of France?", "Answer": {"Value": "Paris", "Aliases": ["Paris", "City of Light"], "NormalizedAliases": ["paris"]}},
                      {"Question": "Two plus two?", "Answer": {"Value": "4"}}]}
            """);
        var items = TriviaQaFile.Read(p);
        Assert.Equal(2, items.Length);
        Assert.Equal("Capital of France?", items[0].Question);
        Assert.Equal(["Paris", "City of Light", "paris"], items[0].Golds);
        Assert.Equal(["4"], items[1].Golds);
    }

    [Fact]
    public void TriviaQaErrorsNameTheField()
    {
        using var t = new TempFolder();
        Assert.Contains("\"Data\"", Assert.Throws<ArgumentException>(() => TriviaQaFile.Read(t.Write("a.json", "{\"data\": []}"))).Message);
        Assert.Contains("Data[0]: missing \"Answer\"", Assert.Throws<ArgumentException>(() => TriviaQaFile.Read(t.Write("b.json", "{\"Data\": [{\"Question\": \"q\"}]}"))).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => TriviaQaFile.Read(t.Write("c.json", "{\"Data\": []}"))).Message);
    }

    [Fact]
    public void CountryQuestionSetIsHalfCountries()
    {
        var items = TriviaQaFile.Read(RepoFiles.Path("data", "eval", "countries-qa.json"));
        Assert.Equal(60, items.Length);
        var countries = new KeywordCounter(File.ReadAllLines(RepoFiles.Path("data", "concepts", "countries.txt")).Where(l => !l.StartsWith('#')));
        Assert.Equal(30, items.Count(q => countries.IsKeyword(q.Answer)));
    }

    [Fact]
    public void RealToxicityPromptsReadsPromptText()
    {
        using var t = new TempFolder();
        string p = t.Write("rtp.jsonl", """
            {"filename": "a", "prompt": {"text": "So I said", "toxicity": 0.1}, "continuation": {"text": "x"}}

            {"filename": "b", "prompt": {"text": "Then they", "toxicity": 0.2}}
            """);
        Assert.Equal(["So I said", "Then they"], RealToxicityPromptsFile.Read(p));
        Assert.Contains("rtp2.jsonl:1", Assert.Throws<ArgumentException>(() => RealToxicityPromptsFile.Read(t.Write("rtp2.jsonl", "{\"prompt\": 3}"))).Message);
    }

    [Fact]
    public void CaptionsFromJsonAndFlickrTsv()
    {
        using var t = new TempFolder();
        var json = CaptionsFile.Read(t.Write("c.json", """{"1.jpg": ["a dog", "a brown dog"], "2.jpg": ["a cat"]}"""));
        Assert.Equal(["a dog", "a brown dog"], json["1.jpg"]);
        Assert.Equal(["a cat"], json["2.jpg"]);
        var tsv = CaptionsFile.Read(t.Write("c.token", "1.jpg#0\ta dog .\n1.jpg#1\ta brown dog\n2.jpg#0\ta cat\n"));
        Assert.Equal(["1.jpg", "2.jpg"], tsv.Keys);
        Assert.Equal(["a dog .", "a brown dog"], tsv["1.jpg"]);
        Assert.Contains("c2.token:1", Assert.Throws<ArgumentException>(() => CaptionsFile.Read(t.Write("c2.token", "no tab here"))).Message);
    }

    [Fact]
    public void InvalidUtf8InADataFileIsRefusedNamingTheLine()
    {
        using var t = new TempFolder();
        string Bad(string name, string before, string after)
        {
            string p = System.IO.Path.Combine(t.Path, name);
            File.WriteAllBytes(p, [.. System.Text.Encoding.UTF8.GetBytes(before), 0xC3, 0x28, .. System.Text.Encoding.UTF8.GetBytes(after)]);
            return p;
        }
        string questions = Bad("q.jsonl", "{\"prompt\": \"a\", \"answers\": [\"b\"]}\n{\"prompt\": \"", "\", \"answers\": [\"c\"]}\n");
        Assert.Contains("q.jsonl:2: not valid UTF-8", Assert.Throws<ModelFormatException>(() => QuestionsFile.Read(questions)).Message);
        string captions = Bad("c.token", "1.jpg#0\ta dog\n1.jpg#1\ta ", " dog\n");
        Assert.Contains("c.token:2: not valid UTF-8", Assert.Throws<ModelFormatException>(() => CaptionsFile.Read(captions)).Message);
        string csv = Bad("labels.csv", "path,label\na.png,", "cat\n");
        Assert.Contains("labels.csv:2: not valid UTF-8", Assert.Throws<ModelFormatException>(() => ImageClassificationSet.Read(csv, null)).Message);
    }

    [Fact]
    public void StoryPromptSetsHaveEnoughPrompts()
    {
        Assert.Equal(240, PromptLines.Read(RepoFiles.Path("data", "eval", "stories-heldout.txt")).Length);
        using var t = new TempFolder();
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => PromptLines.Read(t.Write("e.txt", "\n  \n"))).Message);
    }
}
