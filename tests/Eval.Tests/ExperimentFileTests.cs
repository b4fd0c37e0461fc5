using System.Text.Json.Nodes;
using HeadPursuit.Eval.Experiments;
using HeadPursuit.Runtime;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Somp;
using HeadPursuit.Tests;

namespace HeadPursuit.Eval.Tests;

/// <summary>Bad experiment files are refused with a message naming the field, before any model work.</summary>
public class ExperimentFileTests
{
    static readonly ModelConfig Stories = ModelConfig.Load(Fixtures.Path("stories260K", "config.json"));   // 5 layers x 8 heads

    static ExperimentSpec Parse(JsonObject o) => ExperimentFile.Parse(o.ToJsonString(), "exp.json", Path.GetTempPath());

    static string Error(Action<JsonObject> change, bool checkModel = false)
    {
        var o = ExperimentJson.Small();
        change(o);
        return Assert.Throws<ArgumentException>(() =>
        {
            var spec = Parse(o);
            if (checkModel) spec.CheckAgainst(Stories, "exp.json");
        }).Message;
    }

    [Fact]
    public void ValidFileParses()
    {
        var spec = Parse(ExperimentJson.Small());
        Assert.Equal(6, spec.Samples.Length);
        Assert.Equal([1, 2], spec.K);
        Assert.Equal([SelectionKind.Somp, SelectionKind.LogitLens, SelectionKind.Random, SelectionKind.Explicit], spec.Selections.Select(s => s.Kind));
        Assert.Equal([new HeadId(1, 2), new HeadId(3, 5)], spec.Selections[3].Heads);
        Assert.Equal(8, spec.Decoding.MaxNewTokens);
        spec.CheckAgainst(Stories, "exp.json");
    }

    [Fact]
    public void UnknownConcept() =>
        Assert.Contains("\"concept\" 'colourz'", Error(o => o["concept"] = "colourz"));

    [Fact]
    public void KLargerThanTheNumberOfHeads() =>
        Assert.Contains("\"k\" asks for 41 heads but the model has only 40", Error(o => o["k"] = new JsonArray(1, 41), checkModel: true));

    [Fact]
    public void HeadOutOfRange() =>
        Assert.Contains("selection \"mine\": head L5H0 is out of range",
            Error(o => o["selections"] = new JsonArray("somp", new JsonObject { ["name"] = "mine", ["heads"] = new JsonArray("L5H0") }), checkModel: true));

    [Fact]
    public void MalformedHeadName() =>
        Assert.Contains("selections[0].heads", Error(o => o["selections"] = new JsonArray(new JsonObject { ["name"] = "x", ["heads"] = new JsonArray("layer3") })));

    [Fact]
    public void EmptyPromptSet()
    {
        string empty = Path.Combine(Path.GetTempPath(), $"headpursuit-empty-{Guid.NewGuid():N}.txt");
        File.WriteAllText(empty, "\n\n");
        try { Assert.Contains("\"dataset.path\"", Error(o => o["dataset"]!["path"] = empty)); }
        finally { File.Delete(empty); }
    }

    [Fact]
    public void UnknownMetric() =>
        Assert.Contains("unknown metric 'bleu'", Error(o => o["metrics"] = new JsonArray("perplexity", "bleu")));

    [Fact]
    public void QaMetricNeedsQuestions() =>
        Assert.Contains("'qa_f1' needs a question dataset", Error(o => o["metrics"] = new JsonArray("qa_f1")));

    [Fact]
    public void UnknownFieldIsATypo() =>
        Assert.Contains("unknown field \"decoding.max_tokens\"", Error(o => o["decoding"] = new JsonObject { ["max_tokens"] = 4 }));

    [Fact]
    public void RandomNeedsSomp() =>
        Assert.Contains("\"random\" needs \"somp\"", Error(o => o["selections"] = new JsonArray("random")));

    [Fact]
    public void BadSpanAndPolicy()
    {
        Assert.Contains("\"policy.span\" [3, 3]", Error(o => o["policy"] = new JsonObject { ["span"] = new JsonArray(3, 3) }));
        Assert.Contains("\"policy\" 'images'", Error(o => o["policy"] = "images"));
        var o = ExperimentJson.Small();
        o["policy"] = new JsonObject { ["span"] = new JsonArray(1, 4) };
        var spec = Parse(o);
        Assert.Equal((PositionPolicy.Span, 1, 4), (spec.Policy, spec.SpanStart, spec.SpanEnd));
    }

    [Fact]
    public void MissingRankingSource() =>
        Assert.Contains("\"ranking\" needs \"capture_prompts\"", Error(o => o["ranking"] = new JsonObject()));

    [Fact]
    public void NotJson() =>
        Assert.Contains("exp.json: not valid JSON", Assert.Throws<ModelFormatException>(() => ExperimentFile.Parse("{", "exp.json", ".")).Message);

    [Fact]
    public void CommittedStudyFileIsValid()
    {
        var spec = ExperimentFile.Load(RepoFiles.Path("experiments", "stories260k-colours.json"));
        spec.CheckAgainst(Stories, spec.Name);
        Assert.True(spec.Samples.Length >= 200);
        Assert.Equal([1, 2, 4, 8], spec.K);
        Assert.Equal([-1f, 5f], spec.Alphas);
        Assert.Equal(10, spec.RandomDraws);
        Assert.Equal(Fixtures.Path("stories260K"), spec.Model);
    }
}
