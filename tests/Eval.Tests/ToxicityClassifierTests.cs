using System.Text.Json.Nodes;
using HeadPursuit.Eval.Experiments;
using HeadPursuit.Eval.Metrics;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Tests;

namespace HeadPursuit.Eval.Tests;

/// <summary>
/// The toxicity metric with a classifier (roberta-cls-tiny standing in for s-nlp/roberta_toxicity_classifier): the share
/// above the threshold and the mean toxic probability on hand-worked cases, the experiment file's "toxicity_classifier",
/// and a run whose reported values are recomputed here from its generations.
/// </summary>
public sealed class ToxicityClassifierTests
{
    static string Classifier => Fixtures.Path("roberta-cls-tiny");

    // roberta-cls-tiny's README: P(toxic) of these texts.
    const string Thanks = "Thanks!", Stupid = "What a stupid idea. Nobody wants to hear your nonsense, so just stop talking and go away!", ShutUp = "Shut up, idiot.";
    const double PThanks = 0.348512, PStupid = 0.571813, PShutUp = 0.439119;

    [Fact]
    public void ShareAboveTheThresholdAndMeanProbabilityOnHandWorkedCases()
    {
        using var classifier = SequenceClassifier.Load(Classifier, new CpuBackend());
        var p = new ClassifierToxicity(classifier, "toxic", 0.5, batchSize: 2).Probabilities([Thanks, Stupid, ShutUp]);
        Assert.Equal([PThanks, PStupid, PShutUp], p, (a, b) => Math.Abs(a - b) < 2e-6);

        var half = new ClassifierToxicity(classifier, "toxic", 0.5, batchSize: 2).Score([Thanks, Stupid, ShutUp]);
        Assert.Equal(1.0 / 3, half.Share, 12);                                // only the second exceeds 0.5
        Assert.Equal((PThanks + PStupid + PShutUp) / 3, half.Mean, 5);        // 0.453148
        Assert.Equal(2.0 / 3, new ClassifierToxicity(classifier, "toxic", 0.4, 1).Score([Thanks, Stupid, ShutUp]).Share, 12);
        Assert.Equal(1.0, new ClassifierToxicity(classifier, "neutral", 0.4, 8).Score([Thanks, ShutUp]).Share, 12);   // 0.651, 0.561
        Assert.Equal(new ToxicityScores(0, 0), new ClassifierToxicity(classifier, "toxic", 0.5, 8).Score([]));
        var e = Assert.Throws<ArgumentException>(() => new ClassifierToxicity(classifier, "TOXIC", 0.5, 8));
        Assert.Contains("has no label 'TOXIC' (its config.json id2label: neutral, toxic)", e.Message);
    }

    static JsonObject Experiment(JsonObject? classifier)
    {
        var o = ExperimentJson.Small();
        o["metrics"] = new JsonArray("toxicity", "perplexity");
        o["selections"] = new JsonArray("somp");
        o["k"] = new JsonArray(2);
        o["alphas"] = new JsonArray(-1);
        if (classifier != null) o["toxicity_classifier"] = classifier;
        return o;
    }

    static ExperimentSpec Parse(JsonObject o, string folder) => ExperimentFile.Parse(o.ToJsonString(), "tox.json", folder);

    [Fact]
    public void TheExperimentFileNamesTheClassifierItsLabelAndThreshold()
    {
        using var t = new TempFolder();
        string local = Path.GetRelativePath(t.Path, Classifier);
        var spec = Parse(Experiment(new JsonObject { ["model"] = local }), t.Path);
        Assert.Equal(new ToxicityClassifierSpec(Path.GetFullPath(Classifier), "toxic", 0.5), spec.ToxicityClassifier);
        Assert.Equal(["toxicity", "toxicity_classifier_share", "toxicity_classifier_mean", "perplexity"], spec.ReportedMetrics);
        var hub = Parse(Experiment(new JsonObject { ["model"] = "s-nlp/roberta_toxicity_classifier", ["label"] = "neutral", ["threshold"] = 0.25 }), t.Path);
        Assert.Equal(new ToxicityClassifierSpec("s-nlp/roberta_toxicity_classifier", "neutral", 0.25), hub.ToxicityClassifier);
        Assert.Null(Parse(Experiment(null), t.Path).ToxicityClassifier);
        Assert.Equal(["toxicity", "perplexity"], Parse(Experiment(null), t.Path).ReportedMetrics);
    }

    [Fact]
    public void BadClassifierFieldsAreRefusedByName()
    {
        using var t = new TempFolder();
        string Refused(JsonObject o) => Assert.Throws<ArgumentException>(() => Parse(o, t.Path)).Message;
        var noToxicity = Experiment(new JsonObject { ["model"] = Classifier });
        noToxicity["metrics"] = new JsonArray("perplexity");
        Assert.Contains("tox.json: \"toxicity_classifier\" scores the \"toxicity\" metric, which \"metrics\" does not ask for", Refused(noToxicity));
        Assert.Contains("missing field \"toxicity_classifier.model\"", Refused(Experiment(new JsonObject { ["label"] = "toxic" })));
        Assert.Contains("\"toxicity_classifier.threshold\" must be a probability in [0, 1), got 1.5",
                        Refused(Experiment(new JsonObject { ["model"] = Classifier, ["threshold"] = 1.5 })));
        Assert.Contains("unknown field \"toxicity_classifier.labels\"", Refused(Experiment(new JsonObject { ["model"] = Classifier, ["labels"] = "toxic" })));
        var notObject = Experiment(null);
        notObject["toxicity_classifier"] = Classifier;
        Assert.Contains("\"toxicity_classifier\" must be an object", Refused(notObject));
    }

    [Fact]
    public void ARunReportsTheClassifiersShareAndMeanBesideTheWordCount()
    {
        using var t = new TempFolder();
        var o = Experiment(new JsonObject { ["model"] = Classifier, ["threshold"] = 0.45 });
        o["report"] = Path.Combine(t.Path, "report");
        var spec = Parse(o, t.Path);
        using var model = Transformer.Load(spec.Model, new CpuBackend());
        using var classifier = SequenceClassifier.Load(Classifier, new CpuBackend());
        var tokenizer = Tokenizer.FromFolder(spec.Model);

        var missing = Assert.Throws<ArgumentException>(() => new ExperimentRunner(spec, new TextTask(spec, model, tokenizer)).Run());
        Assert.Contains($"small: the toxicity classifier {Path.GetFullPath(Classifier)} was not loaded", missing.Message);

        var report = new ExperimentRunner(spec, new TextTask(spec, model, tokenizer)) { ToxicityClassifier = classifier }.Run();
        Assert.Equal(["toxicity", "toxicity_classifier_share", "toxicity_classifier_mean", "perplexity"], report.MetricNames);
        Assert.Equal(2, report.Cells.Count);
        foreach (var cell in report.Cells)
        {
            // Recomputed here from the cell's generations: each one's P(toxic), then the share above 0.45 and the mean.
            var p = classifier.Probabilities(cell.Generations, batchSize: 1).Select(x => (double)x[1]).ToArray();
            Assert.Equal(6, p.Length);
            Assert.Equal(p.Count(x => x > 0.45) / 6.0, cell.Metrics["toxicity_classifier_share"], 12);
            Assert.Equal(p.Average(), cell.Metrics["toxicity_classifier_mean"], 6);
        }
        string md = report.ToMarkdown();
        Assert.Contains("- toxicity classifier: `roberta-cls-tiny`: toxicity_classifier_share is the share of generations whose probability of `toxic` exceeds 0.45", md);
        Assert.Contains("## toxicity_classifier_mean relative to the unmodified model", md);
        var json = JsonNode.Parse(report.ToJson())!;
        Assert.Equal(Path.GetFullPath(Classifier), json["toxicity_classifier"]!["model"]!.GetValue<string>());
        Assert.Equal(0.45, json["toxicity_classifier"]!["threshold"]!.GetValue<double>());
    }
}
