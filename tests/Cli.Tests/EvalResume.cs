using System.Text.Json.Nodes;

namespace HeadPursuit.Cli.Tests;

/// <summary>`headpursuit eval` run to the end, then again after an interruption: the report must come out the same.</summary>
static class EvalResume
{
    /// <summary>
    /// Runs the experiment (report stem <paramref name="stem"/>), cuts its results file to the header and
    /// <paramref name="kept"/> cells, runs it again; returns the second run's standard error.
    /// </summary>
    public static string RunsAndResumes(string file, string stem, int cells, int kept, string metric)
    {
        var (exit, _, err) = CliRunner.Run("eval", file, "--device", "cpu");
        Assert.True(exit == 0, err);
        var report = JsonNode.Parse(File.ReadAllText(stem + ".json"))!.AsObject();
        Assert.Equal(cells, report["cells"]!.AsArray().Count);
        Assert.Contains($"## {metric} relative to the unmodified model", File.ReadAllText(stem + ".md"));
        string results = stem + ".cells.jsonl";
        Assert.Equal(1 + cells, File.ReadAllLines(results).Length);

        string before = File.ReadAllText(stem + ".json");
        File.WriteAllLines(results, File.ReadAllLines(results)[..(1 + kept)]);   // as if interrupted after `kept` cells
        File.Delete(stem + ".json");
        (exit, _, err) = CliRunner.Run("eval", file, "--device", "cpu");
        Assert.True(exit == 0, err);
        Assert.Equal(1 + cells, File.ReadAllLines(results).Length);
        Assert.Equal(before, File.ReadAllText(stem + ".json"));
        return err;
    }
}
