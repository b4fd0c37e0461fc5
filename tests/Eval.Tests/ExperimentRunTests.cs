using System.Text.Json.Nodes;
using HeadPursuit.Eval.Experiments;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Somp;
using HeadPursuit.Tests;

namespace HeadPursuit.Eval.Tests;

/// <summary>End to end on the stories260K fixture: a small experiment, run for real.</summary>
public class ExperimentRunTests
{
    static ExperimentReport Run(JsonObject o, string folder, ISompSolver? solver = null)
    {
        o["report"] = Path.Combine(folder, "report");
        var spec = ExperimentFile.Parse(o.ToJsonString(), "small.json", folder);
        using var model = Transformer.Load(spec.Model, new CpuBackend());
        return new ExperimentRunner(spec, new TextTask(spec, model, Tokenizer.FromFolder(spec.Model))) { Solver = solver }.Run();
    }

    /// <summary>The CPU solver, counting the heads it is given.</summary>
    sealed class CountingSolver : ISompSolver
    {
        public int Heads;
        public string Name => "counting";
        public SompResult[] RunHeads(IReadOnlyList<SompHead> heads, AtomSet dictionary, int iterations, SompOptions options)
        {
            Heads += heads.Count;
            return ((ISompSolver)CpuSompSolver.Instance).RunHeads(heads, dictionary, iterations, options);
        }
    }

    [Fact]
    public void The_ranking_runs_on_the_solver_given()
    {
        using var t = new TempFolder();
        var o = ExperimentJson.Small();
        o["selections"] = new JsonArray("somp");
        var solver = new CountingSolver();
        var report = Run(o, t.Path, solver);
        Assert.Equal(40, solver.Heads);   // stories260K: every one of its 5 x 8 heads, once
        using var again = new TempFolder();
        Assert.Equal(report.Cells.Select(c => c.Heads), Run((JsonObject)JsonNode.Parse(o.ToJsonString())!, again.Path).Cells.Select(c => c.Heads));
    }

    [Fact]
    public void AlphaOneEverywhereNormalisesEveryMetricToExactlyOne()
    {
        using var t = new TempFolder();
        var report = Run(ExperimentJson.Small(), t.Path);
        // baseline + per k (2): somp, logit_lens, 3 random draws; + the fixed list "mine"
        Assert.Equal(1 + 2 * (1 + 1 + 3) + 1, report.Cells.Count);
        Assert.All(report.Cells, c => Assert.Equal(6, c.Generations.Length));
        Assert.True(report.Baseline.Metrics["perplexity"] > 1);
        Assert.Equal(["concept_frequency", "perplexity"], report.MetricNames);
        NormalisedAssert.AllOne(report);
    }

    [Fact]
    public void SuppressionChangesGenerationsAndAFinishedRunResumesWithoutRedoingCells()
    {
        using var t = new TempFolder();
        var o = ExperimentJson.Small();
        o["alphas"] = new JsonArray(-1);
        o["k"] = new JsonArray(4);
        o["selections"] = new JsonArray("somp");
        var first = Run(o, t.Path);
        var somp = first.Cells.Single(c => c.Selection == "somp");
        Assert.Equal(4, somp.Heads.Length);
        Assert.NotEqual(first.Baseline.Generations, somp.Generations);   // scaling 4 of 40 heads by -1 changes the text
        Assert.NotEqual(1.0, first.NormalisedOf(somp, "perplexity"));

        string results = Path.Combine(t.Path, "report.cells.jsonl");
        Assert.Equal(1 + 2, File.ReadAllLines(results).Length);           // header + 2 cells
        File.WriteAllLines(results, File.ReadAllLines(results)[..2]);      // as if interrupted after the baseline
        var second = Run((JsonObject)JsonNode.Parse(o.ToJsonString())!, t.Path);
        Assert.Equal(3, File.ReadAllLines(results).Length);
        Assert.Equal(somp.Generations, second.Cells.Single(c => c.Selection == "somp").Generations);
        Assert.Equal(first.ToJson(), second.ToJson());

        var changed = (JsonObject)JsonNode.Parse(o.ToJsonString())!;
        changed["seed"] = 8;
        Assert.Contains("another experiment file", Assert.Throws<ArgumentException>(() => Run(changed, t.Path)).Message);
    }
}
