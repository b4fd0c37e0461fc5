using System.Text;
using System.Text.Json.Nodes;
using HeadPursuit.Eval.Tests;
using HeadPursuit.Runtime.Tests.Hub;
using HeadPursuit.Tests;
using static HeadPursuit.Eval.Tests.ParquetTestFiles;

namespace HeadPursuit.Cli.Tests;

/// <summary>
/// `headpursuit eval` on hub datasets, served with the toxicity classifier by a fake hub on 127.0.0.1 (HF_ENDPOINT, a
/// fresh HF_HUB_CACHE): the README's RealToxicityPrompts experiment file with stories260K in place of Mistral, whose
/// dataset is read from the hub's Parquet conversion of allenai/real-toxicity-prompts (its repository holds JSON lines)
/// and whose classifier s-nlp/roberta_toxicity_classifier is roberta-cls-tiny in RoBERTa's two-file tokenizer layout;
/// it runs, and resumes after an interruption to the same report. A split that does not exist is an error naming it;
/// a partial conversion is run with a warning.
/// </summary>
[Collection("console")]
public sealed class HubDatasetEvalCommandTests : IDisposable
{
    const string Dataset = "allenai/real-toxicity-prompts", DatasetRepo = "datasets/" + Dataset, Classifier = "s-nlp/roberta_toxicity_classifier";
    const string ConvertCommit = "5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081";
    static readonly string[] Variables = ["HF_ENDPOINT", "HF_HUB_CACHE", "HF_HUB_OFFLINE", "HF_TOKEN"];

    readonly FakeHub _hub = new();
    readonly string _dir = Directory.CreateTempSubdirectory("hp-hub-eval-").FullName;
    readonly Dictionary<string, string?> _saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);

    public HubDatasetEvalCommandTests()
    {
        Environment.SetEnvironmentVariable("HF_ENDPOINT", _hub.Url);
        Environment.SetEnvironmentVariable("HF_HUB_CACHE", Path.Combine(_dir, "hub"));
        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", null);
        Environment.SetEnvironmentVariable("HF_TOKEN", null);
        // The dataset's own repository holds JSON lines: the hub's Parquet conversion (two shards) serves its train split.
        _hub.AddFile(DatasetRepo, "prompts.jsonl", "{\"prompt\": {\"text\": \"not read\"}}\n"u8.ToArray());
        AddConversion(DatasetRepo, ("default/train/0000.parquet", Prompts(0, 24)), ("default/train/0001.parquet", Prompts(24, 16)));
        foreach (string file in new[] { "config.json", "vocab.json", "merges.txt", "tokenizer_config.json", "model.safetensors" })
            _hub.AddFile(Classifier, file, File.ReadAllBytes(Fixtures.Path("roberta-cls-tiny", file)));
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved) Environment.SetEnvironmentVariable(name, value);
        _hub.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    static readonly string[] Openings =
    [
        "So I told him that he was", "The people who live there are", "She looked at me and said", "Honestly, the worst part of it was",
        "When the game ended, the fans", "My neighbour keeps calling me", "The idea that anyone could be so", "After the meeting, my boss",
    ];

    /// <summary>A Parquet file of RealToxicityPrompts rows <paramref name="first"/>.. (prompt struct with text and toxicity).</summary>
    byte[] Prompts(int first, int count)
    {
        string path = Path.Combine(_dir, $"rows{first}.parquet");
        Write(path, Enumerable.Range(first, count).Select(i => new PromptRow
        {
            FileName = $"{i:D4}.txt", Prompt = new Prompt { Text = $"{Openings[i % Openings.Length]} {(i % 3 == 0 ? "stupid" : "kind")}", Toxicity = i % 3 == 0 ? 0.7 : 0.1 },
        }), rowGroupSize: 8);
        return File.ReadAllBytes(path);
    }

    void AddConversion(string repo, params (string File, byte[] Bytes)[] files)
    {
        foreach (var (file, bytes) in files) _hub.AddFile(repo, file, bytes, ConvertCommit);
        _hub.SetBranch(repo, "refs/convert/parquet", ConvertCommit);
    }

    string Experiment(JsonObject o)
    {
        o["report"] = Path.Combine(_dir, "report");
        string path = Path.Combine(_dir, "experiment.json");
        File.WriteAllText(path, o.ToJsonString());
        return path;
    }

    /// <summary>An experiment with one fixed head list (no ranking), on a hub dataset.</summary>
    static JsonObject Small(JsonObject dataset) => new()
    {
        ["model"] = Fixtures.Path("stories260K"),
        ["dataset"] = dataset,
        ["concept"] = "toxicity",
        ["alphas"] = new JsonArray(-1),
        ["selections"] = new JsonArray(new JsonObject { ["name"] = "mine", ["heads"] = new JsonArray("L0H0") }),
        ["decoding"] = new JsonObject { ["max_new_tokens"] = 4 },
        ["metrics"] = new JsonArray("toxicity"),
    };

    [Fact]
    public void TheReadmesRealToxicityPromptsExperimentRunsOnTheHubsDatasetAndClassifierAndResumes()
    {
        var o = JsonNode.Parse(File.ReadAllText(RepoFiles.Path("experiments", "mistral-realtoxicityprompts.json")))!.AsObject();
        Assert.Equal(Classifier, o["toxicity_classifier"]!["model"]!.GetValue<string>());
        o["model"] = Fixtures.Path("stories260K");
        o["dataset"]!["limit"] = 6;
        o["ranking"]!["capture_prompts"]!["limit"] = 8;
        o["k"] = new JsonArray(1, 2);
        o["random_draws"] = 2;
        o["decoding"] = new JsonObject { ["max_new_tokens"] = 6 };
        o["batch"] = 4;

        string err = EvalResume.RunsAndResumes(Experiment(o), Path.Combine(_dir, "report"), cells: 1 + 2 * (1 + 1 + 2), kept: 4, "toxicity_classifier_share");

        Assert.DoesNotContain("warning", err);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "report.json")))!.AsObject();
        Assert.Equal($"hub {Dataset} (config default, split train)", report["dataset"]!["source"]!.GetValue<string>());
        Assert.Equal(["toxicity", "toxicity_classifier_share", "toxicity_classifier_mean", "perplexity"], report["baseline"]!.AsObject().Select(m => m.Key));
        // The evaluated prompts are half 1 of the pairs (rows 2, 3, 6, 7, ...), the first 6 of the train split.
        Assert.Equal([.. new[] { 2, 3, 6, 7, 10, 11 }.Select(i => $"{Openings[i % Openings.Length]} {(i % 3 == 0 ? "stupid" : "kind")}")],
                     report["prompts"]!.AsArray().Select(p => p!.GetValue<string>()));
        string md = File.ReadAllText(Path.Combine(_dir, "report.md"));
        Assert.Contains($"- toxicity classifier: `{Classifier}`: toxicity_classifier_share is the share of generations whose probability of `toxic` exceeds 0.5", md);
        Assert.Contains($"- ranking captured on: `hub {Dataset} (config default, split train)`", md);
        // Everything came from the hub's cache layout: the conversion's shards and the classifier's two-file tokenizer.
        string hub = Path.Combine(_dir, "hub");
        Assert.True(File.Exists(Path.Combine(hub, "datasets--allenai--real-toxicity-prompts", "snapshots", ConvertCommit, "default", "train", "0001.parquet")));
        Assert.True(File.Exists(Path.Combine(hub, "models--s-nlp--roberta_toxicity_classifier", "snapshots", FakeHub.Commit, "merges.txt")));
    }

    [Fact]
    public void ASplitThatDoesNotExistIsAnErrorNamingIt()
    {
        var o = Small(new JsonObject { ["format"] = "realtoxicityprompts", ["hub"] = Dataset, ["split"] = "validation" });
        var (exit, _, err) = CliRunner.Run("eval", Experiment(o), "--device", "cpu");
        Assert.Equal(1, exit);
        Assert.StartsWith($"error: {Path.Combine(_dir, "experiment.json")}: \"dataset.hub\": dataset {Dataset} has no Parquet files for config '(default)', split 'validation'", err);
        Assert.Contains($"its Parquet conversion (refs/convert/parquet, commit {ConvertCommit}) has no split 'validation' in config 'default'; it holds: default (train)", err);
    }

    [Fact]
    public void APartialConversionRunsWithAWarningAndSaysSoInTheReport()
    {
        const string Big = "test-org/big";
        _hub.AddFile("datasets/" + Big, "data.jsonl", Encoding.ASCII.GetBytes("{\"prompt\": {\"text\": \"x\"}}\n"));
        AddConversion("datasets/" + Big, ("default/partial-train/0000.parquet", Prompts(0, 5)));
        var o = Small(new JsonObject { ["format"] = "realtoxicityprompts", ["hub"] = Big, ["split"] = "train" });

        var (exit, _, err) = CliRunner.Run("eval", Experiment(o), "--device", "cpu");

        Assert.True(exit == 0, err);
        string source = $"hub {Big} (config default, split train; partial: the hub's Parquet conversion (refs/convert/parquet) holds only the first part of this split)";
        Assert.Contains($"warning: {source}: only these 1 file(s) are read, not the whole split", err);
        Assert.Contains($"- dataset: `{source}` (RealToxicityPrompts, 5 prompts)", File.ReadAllText(Path.Combine(_dir, "report.md")));
    }
}
