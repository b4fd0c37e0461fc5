using System.Text.Json.Nodes;
using HeadPursuit.Eval.Experiments;
using HeadPursuit.Somp;

namespace HeadPursuit.Eval.Tests;

/// <summary>
/// The resumable results file: written whole per cell, read back only when every cell checks out against the experiment;
/// a damaged file is refused naming the file, the line, the cell and the field (never a KeyNotFound or NullReference,
/// never a report from bad data).
/// </summary>
public class ResultsStoreTests
{
    const string Fingerprint = "abc123";
    static readonly string[] Metrics = ["concept_frequency", "concept_mass"];
    static readonly List<CellPlan> Grid = [CellPlan.Baseline, new("somp", 2, 0, -1, [new HeadId(0, 1), new HeadId(1, 3)])];

    static CellResult Result(CellPlan c) => new(c.Key, c.Selection, c.K, c.Draw, c.Alpha, [.. c.Heads.Select(h => h.ToString())],
        new Dictionary<string, double> { ["concept_frequency"] = 0.25, ["concept_mass_next"] = 0.5, ["concept_mass_generated"] = 0.125 },
        ["red fox", "blue sky", "a"]);

    static ResultsStore Open(string path) => new(path, Fingerprint, Grid, prompts: 3, Metrics);

    /// <summary>A store holding both cells; returns its lines.</summary>
    static string[] Stored(string path)
    {
        var store = Open(path);
        foreach (var c in Grid) store.Add(Result(c));
        return File.ReadAllLines(path);
    }

    [Fact]
    public void EveryCellIsWrittenWholeAndReadBackAsItWas()
    {
        using var t = new TempFolder();
        string path = Path.Combine(t.Path, "r.cells.jsonl");
        var lines = Stored(path);
        Assert.Equal(3, lines.Length);
        Assert.Equal(["r.cells.jsonl"], Directory.GetFiles(t.Path).Select(Path.GetFileName));   // no temporary file left
        var again = Open(path);
        Assert.Equal(Grid.Select(c => c.Key), again.Done.Keys);
        Assert.Equal(Result(Grid[1]).Generations, again.Done[Grid[1].Key].Generations);
        Assert.Equal(0.125, again.Done[Grid[1].Key].Metrics["concept_mass_generated"]);
    }

    public static TheoryData<string, Func<JsonObject, JsonObject?>, string> Damage => new()
    {
        { "a missing field", o => { o.Remove("generations"); return o; }, "generations" },
        { "a missing metrics object", o => { o.Remove("metrics"); return o; }, "metrics" },
        { "a null where a list belongs", o => { o["heads"] = null; return o; }, "heads" },
        { "a number as text", o => { o["k"] = "2"; return o; }, "$.k" },
        { "a metric as text", o => { o["metrics"]!["concept_frequency"] = "high"; return o; }, "metrics.concept_frequency" },
        { "a text as a number", o => { o["generations"]![0] = 7; return o; }, "generations" },
        { "an unknown field", o => { o["note"] = "x"; return o; }, "note" },
        { "fewer generations than prompts", o => { o["generations"]!.AsArray().RemoveAt(2); return o; }, "\"generations\" holds 2 texts, the experiment has 3 prompts" },
        { "a requested metric missing", o => { o["metrics"]!.AsObject().Remove("concept_mass_next"); o["metrics"]!.AsObject().Remove("concept_mass_generated"); return o; },
          "\"metrics\" has no value for \"concept_mass\"" },
        { "a cell not in the grid", o => { o["key"] = "somp k=9 alpha=-1"; return o; }, "cell 'somp k=9 alpha=-1' is not a cell of this experiment's grid" },
        { "heads that are not the grid's", o => { o["heads"] = new JsonArray("L0H1", "L2H2"); return o; }, "\"heads\" [L0H1, L2H2] are not the grid's [L0H1, L1H3]" },
        { "an alpha other than the key's", o => { o["alpha"] = 5; return o; }, "differs from the cell's key" },
        { "null instead of a cell", _ => null, "holds null" },
    };

    [Theory]
    [MemberData(nameof(Damage))]
    public void ADamagedCellIsRefusedNamingTheLineAndTheField(string damage, Func<JsonObject, JsonObject?> edit, string expected)
    {
        using var t = new TempFolder();
        string path = Path.Combine(t.Path, "r.cells.jsonl");
        var lines = Stored(path);
        var edited = edit(JsonNode.Parse(lines[2])!.AsObject());
        lines[2] = edited?.ToJsonString() ?? "null";
        File.WriteAllLines(path, lines);
        var e = Assert.Throws<ArgumentException>(() => Open(path));
        Assert.StartsWith($"{path}:3", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Contains("the results file is damaged", e.Message);
        _ = damage;
    }

    [Fact]
    public void ACellStoredTwiceTornOrFromAnotherExperimentIsRefused()
    {
        using var t = new TempFolder();
        string path = Path.Combine(t.Path, "r.cells.jsonl");
        var lines = Stored(path);

        File.WriteAllLines(path, [.. lines, lines[1]]);
        Assert.Contains($"{path}:4: cell 'baseline' appears twice", Assert.Throws<ArgumentException>(() => Open(path)).Message);

        File.WriteAllLines(path, [.. lines[..2], lines[2][..40]]);   // half a line, as an append cut short would leave
        Assert.StartsWith($"{path}:3", Assert.Throws<ArgumentException>(() => Open(path)).Message);

        File.WriteAllLines(path, ["{\"experiment_sha256\":\"other\"}", .. lines[1..]]);
        Assert.Contains("holds results of another experiment file (fingerprint other, now abc123)", Assert.Throws<ArgumentException>(() => Open(path)).Message);

        File.WriteAllLines(path, ["{\"experiment_sha256\":7}", .. lines[1..]]);
        Assert.Contains("fingerprint missing", Assert.Throws<ArgumentException>(() => Open(path)).Message);

        File.WriteAllLines(path, ["[not json", .. lines[1..]]);
        Assert.Contains("the first line is not a results header", Assert.Throws<ArgumentException>(() => Open(path)).Message);
    }
}
