using System.Text.Json.Nodes;
using HeadPursuit.Eval.Experiments;

namespace HeadPursuit.Eval.Tests;

/// <summary>The committed TinyWorld experiment files parse, and the fields they introduced refuse bad values.</summary>
public class TinyWorldExperimentFileTests
{
    static string QaFile => RepoFiles.Path("experiments", "tinyworld-countries-qa.json");

    static string Error(Action<JsonObject> change)
    {
        var o = (JsonObject)JsonNode.Parse(File.ReadAllText(QaFile))!;
        change(o);
        return Assert.Throws<ArgumentException>(() => ExperimentFile.Parse(o.ToJsonString(), "qa.json", Path.GetDirectoryName(QaFile)!)).Message;
    }

    [Fact]
    public void QuestionExperimentEvaluatesOneHalfAndRanksOnTheOther()
    {
        var spec = ExperimentFile.Load(QaFile);
        Assert.Equal(DatasetFormat.Questions, spec.DatasetFormat);
        Assert.Equal(120, spec.Samples.Length);
        Assert.Equal(spec.Samples.Length, spec.Golds!.Length);
        Assert.Equal("Question: What is the capital of Germany? Answer:", spec.Samples[0]);
        Assert.Equal(["Berlin"], spec.Golds[0]);
        Assert.Equal((1, 0), (spec.DatasetHalf, spec.CaptureHalf));
        Assert.Equal(("Question:", " Answer:"), (spec.ExcludePrefix, spec.ExcludeSuffix));
        Assert.Equal(("lexicon:countries", ConceptTokens.SpaceVariant), (spec.Concept, spec.ConceptTokens));
        Assert.Equal(["qa_f1_concept", "qa_f1_other"], spec.PlotMetrics);
        foreach (var name in new[] { "tinyworld-colours.json", "tinyworld-colours-sweep.json" })
            Assert.Contains("concept_mass", ExperimentFile.Load(RepoFiles.Path("experiments", name)).Metrics);
    }

    [Fact]
    public void BadNewFieldsAreRefusedByName()
    {
        Assert.Contains("\"dataset.half\" must be 0 or 1", Error(o => o["dataset"]!["half"] = 2));
        Assert.Contains("\"ranking.capture_half\"", Error(o => o["ranking"]!["capture_half"] = -1));
        Assert.Contains("planets", Error(o => o["concept"] = "lexicon:planets"));
        Assert.Contains("\"concept_tokens\"", Error(o => o["concept_tokens"] = "sometimes"));
        Assert.Contains("\"plot_metrics\": 'qa_f1_country'", Error(o => o["plot_metrics"] = new JsonArray("qa_f1_country")));
        Assert.Contains("concept_mass", Error(o =>
        {
            o["metrics"] = new JsonArray("concept_mass");
            o["policy"] = new JsonObject { ["span"] = new JsonArray(0, 2) };
            o.Remove("plot_metrics");
        }));
    }
}
