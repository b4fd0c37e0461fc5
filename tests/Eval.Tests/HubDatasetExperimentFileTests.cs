using System.Text.Json.Nodes;
using HeadPursuit.Eval.Experiments;

namespace HeadPursuit.Eval.Tests;

/// <summary>
/// The README's hub-dataset experiment files reach the hub for their datasets through the Hugging Face environment
/// (here HF_HUB_OFFLINE=1 with an empty cache, so no request leaves the machine and the error names the dataset). The
/// whole path against a local fake hub is tested by the eval command's tests (HubDatasetEvalCommandTests).
/// </summary>
public sealed class HubDatasetExperimentFileTests : IDisposable
{
    readonly TempFolder _cache = new();
    readonly (string?, string?) _saved = (Environment.GetEnvironmentVariable("HF_HUB_OFFLINE"), Environment.GetEnvironmentVariable("HF_HUB_CACHE"));

    public HubDatasetExperimentFileTests()
    {
        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", "1");
        Environment.SetEnvironmentVariable("HF_HUB_CACHE", _cache.Path);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", _saved.Item1);
        Environment.SetEnvironmentVariable("HF_HUB_CACHE", _saved.Item2);
        _cache.Dispose();
    }

    [Theory]
    [InlineData("mistral-triviaqa-countries.json", "mandarjoshi/trivia_qa")]
    [InlineData("mistral-realtoxicityprompts.json", "allenai/real-toxicity-prompts")]
    public void TheReadmesExperimentsAskTheHubCacheForTheirDatasets(string file, string dataset)
    {
        var e = Assert.Throws<ArgumentException>(() => ExperimentFile.Load(RepoFiles.Path("experiments", file))).Message;
        Assert.Contains($"\"dataset.hub\": HF_HUB_OFFLINE is set and dataset {dataset} is not in the cache at {_cache.Path}", e);
    }

    [Fact]
    public void AHubDatasetIdThatIsNotOneIsRefusedByField()
    {
        var o = ExperimentJson.Small();
        o["dataset"] = new JsonObject { ["format"] = "realtoxicityprompts", ["hub"] = "not/a/dataset/id", ["split"] = "train" };
        using var t = new TempFolder();
        var e = Assert.Throws<ArgumentException>(() => ExperimentFile.Parse(o.ToJsonString(), "hub.json", t.Path)).Message;
        Assert.Contains("hub.json: \"dataset.hub\": 'not/a/dataset/id' is not a hub dataset id", e);
    }
}
