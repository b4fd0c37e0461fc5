using System.Text.Json.Nodes;
using HeadPursuit.Eval.Experiments;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Vision;

namespace HeadPursuit.Eval.Tests;

/// <summary>End to end on the llava-tiny fixture with synthetic images: random weights, so the numbers mean nothing,
/// but every cell must run, report and resume, and alpha = 1 must change nothing.</summary>
public class ImageExperimentRunTests
{
    static ExperimentReport Run(JsonObject o, string folder)
    {
        var spec = ExperimentFile.Parse(o.ToJsonString(), "images.json", folder);
        using var llava = LlavaModel.Load(spec.Model, new CpuBackend());
        return new ExperimentRunner(spec, new ImageTask(spec, llava, tokenizer: null)).Run();
    }

    [Fact]
    public void ClassificationWithAlphaOneEverywhereNormalisesToExactlyOne()
    {
        using var t = new TempFolder();
        var report = Run(ImageExperimentJson.Classification(t.Path), t.Path);
        // baseline + per k (2): somp, logit_lens, 2 random draws
        Assert.Equal(1 + 2 * (1 + 1 + 2), report.Cells.Count);
        Assert.Equal(["accuracy", "concept_frequency"], report.MetricNames);
        Assert.Equal([Path.Combine("classes", "17", "a.png"), Path.Combine("classes", "17", "b.png"), Path.Combine("classes", "42", "c.png"),
                      Path.Combine("classes", "42", "d.png"), Path.Combine("classes", "42", "e.png")], report.Spec.Samples);
        Assert.All(report.Cells, c => Assert.Equal(5, c.Generations.Length));
        // without a tokenizer a generation is its ids: 1..6 integers below the vocabulary size
        Assert.All(report.Baseline.Generations, g => Assert.All(g.Split(' '), id => Assert.InRange(int.Parse(id), 0, 1023)));
        Assert.InRange(report.Baseline.Metrics["accuracy"], 0, 1);
        Assert.Equal((2, 4), (report.Somp!.Layers, report.Somp.Heads));   // llava-tiny's language model
        Assert.Equal(5, report.Somp.Samples);   // ranked on the dataset's 5 images
        NormalisedAssert.AllOne(report);
        Assert.Contains("\"accuracy\"", report.ToJson());
        Assert.Contains("## accuracy relative to the unmodified model", report.ToMarkdown());
    }

    [Fact]
    public void CaptioningWithAlphaOneEverywhereNormalisesToExactlyOne()
    {
        using var t = new TempFolder();
        var report = Run(ImageExperimentJson.Captioning(t.Path), t.Path);
        Assert.Equal(1 + 1 + 2, report.Cells.Count);
        Assert.Equal(["concept_frequency", "cider_d"], report.MetricNames);
        Assert.Equal(["p0.png", "p1.png", "p2.png"], report.Spec.Samples);
        Assert.Equal(2, report.Somp!.Samples);   // ranked on the separate capture folder
        Assert.True(report.Baseline.Metrics["cider_d"] >= 0);
        NormalisedAssert.AllOne(report);
        Assert.Contains("ranking captured on 2 images", report.ToMarkdown());
    }

    [Fact]
    public void ImagePolicySuppressionResumesWithoutRedoingCells()
    {
        using var t = new TempFolder();
        var o = ImageExperimentJson.Classification(t.Path);
        o["alphas"] = new JsonArray(-1, 0);
        o["k"] = new JsonArray(4);
        o["selections"] = new JsonArray("somp");
        var first = Run(o, t.Path);
        Assert.All(first.Cells.Where(c => c.Selection == "somp"), c => Assert.Equal(4, c.Heads.Length));
        // silencing half the heads at the image positions changes what the model says about the images
        Assert.NotEqual(first.Baseline.Generations, first.Cells.Single(c => c.Selection == "somp" && c.Alpha == 0).Generations);

        string results = Path.Combine(t.Path, "report.cells.jsonl");
        Assert.Equal(1 + 3, File.ReadAllLines(results).Length);           // header + baseline + 2 alphas
        File.WriteAllLines(results, File.ReadAllLines(results)[..3]);      // as if interrupted before the last cell
        var second = Run((JsonObject)JsonNode.Parse(o.ToJsonString())!, t.Path);
        Assert.Equal(4, File.ReadAllLines(results).Length);
        Assert.Equal(first.ToJson(), second.ToJson());

        var changed = (JsonObject)JsonNode.Parse(o.ToJsonString())!;
        changed["seed"] = 8;
        Assert.Contains("another experiment file", Assert.Throws<ArgumentException>(() => Run(changed, t.Path)).Message);
    }
}
