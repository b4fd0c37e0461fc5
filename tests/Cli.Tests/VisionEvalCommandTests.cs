using System.Text.Json.Nodes;
using HeadPursuit.Tests;

namespace HeadPursuit.Cli.Tests;

/// <summary>
/// `headpursuit eval` with the repository's image experiment files on llava-tiny (the fixture's own PNGs), and the same
/// experiments on another vision-language family's fixture with its prompt ids, their report written to a temp folder:
/// the whole grid runs, reports and resumes; a text-only model is refused before loading.
/// </summary>
[Collection("console")]
public sealed class VisionEvalCommandTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-vlm-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static (int Exit, string Out, string Err) Hp(params string[] args) => CliRunner.Run([.. args, "--device", "cpu"]);

    static string Repo(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HeadPursuit.sln"))) return Path.Combine([dir.FullName, .. parts]);
        throw new DirectoryNotFoundException("cannot find HeadPursuit.sln above " + AppContext.BaseDirectory);
    }

    /// <summary>The repository's experiment file with absolute paths and the report in the temp folder.</summary>
    string Copy(string name, Action<JsonObject>? change = null)
    {
        var o = JsonNode.Parse(File.ReadAllText(Repo("experiments", name)))!.AsObject();
        o["model"] = Fixtures.Path("llava-tiny");
        var dataset = o["dataset"]!.AsObject();
        dataset["path"] = Path.GetFullPath(Path.Combine(Repo("experiments"), (string)dataset["path"]!));
        if (dataset["images"] != null) dataset["images"] = Fixtures.Path("llava-tiny", "images");
        o["report"] = Path.Combine(_dir, "report");   // beside the experiment file, not over it
        change?.Invoke(o);
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, o.ToJsonString());
        return path;
    }

    [Theory]
    [InlineData("llava-tiny-images.json", "llava-tiny", null, 1 + 3 * 2 * (1 + 1 + 3), "accuracy")]
    [InlineData("llava-tiny-captions.json", "llava-tiny", null, 1 + 2 * (1 + 1 + 3), "cider_d")]
    [InlineData("llava-tiny-images.json", "gemma3-vlm-tiny", "2,108,1000,1020,1001,108,5,6,7", 1 + 3 * 2 * (1 + 1 + 3), "accuracy")]
    [InlineData("llava-tiny-captions.json", "gemma3-vlm-tiny", "2,108,1000,1020,1001,108,9,11", 1 + 2 * (1 + 1 + 3), "cider_d")]
    public void TheExampleExperimentRunsReportsAndResumes(string name, string model, string? promptIds, int cells, string metric)
    {
        string file = Copy(name, o =>
        {
            o["model"] = Fixtures.Path(model);
            if (promptIds != null) o["prompt_ids"] = new JsonArray([.. promptIds.Split(',').Select(id => JsonValue.Create(int.Parse(id)))]);
        });
        var (exit, _, err) = Hp("eval", file);
        Assert.True(exit == 0, err);
        string stem = Path.Combine(_dir, "report");
        var report = JsonNode.Parse(File.ReadAllText(stem + ".json"))!.AsObject();
        Assert.Equal(cells, report["cells"]!.AsArray().Count);
        Assert.All(report["cells"]!.AsArray(), c => Assert.Equal(6, c!["generations"]!.AsArray().Count));
        Assert.Contains($"## {metric} relative to the unmodified model", File.ReadAllText(stem + ".md"));
        Assert.True(File.Exists(stem + ".somp.svg"));
        Assert.Equal(1 + cells, File.ReadAllLines(stem + ".cells.jsonl").Length);

        string before = File.ReadAllText(stem + ".json");
        (exit, _, err) = Hp("eval", file);   // every cell is finished: nothing is redone
        Assert.True(exit == 0, err);
        Assert.Equal(1 + cells, File.ReadAllLines(stem + ".cells.jsonl").Length);
        Assert.Equal(before, File.ReadAllText(stem + ".json"));
    }

    [Fact]
    public void ATextOnlyModelIsRefusedNamingTheDatasetFormat()
    {
        string file = Copy("llava-tiny-images.json", o => o["model"] = Fixtures.Path("llama-tiny"));
        var (exit, _, err) = Hp("eval", file);
        Assert.NotEqual(0, exit);
        Assert.Contains("\"dataset.format\" is an image task", err);
        Assert.Contains("text-only model", err);
    }
}
