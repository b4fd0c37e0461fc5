using HeadPursuit.Runtime.Capture;
using HeadPursuit.Tests;

namespace HeadPursuit.Cli.Tests;

/// <summary>
/// Without --model the commands run the built-in TinyWorld GPT-2 that the build copies beside the binary (from the
/// fixture folder tests/fixtures/tinyworld-gpt2), with its prompts when none are given, and say so; with --model they
/// still ask for prompts; a hub failure says how to do without the hub.
/// </summary>
[Collection("console")]
public sealed class BuiltinModelCommandTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-builtin-").FullName;
    readonly string _fixture = Fixtures.Path("tinyworld-gpt2");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string P(string name) => Path.Combine(_dir, name);

    static (int Exit, string Out, string Err) Hp(params string[] args) => CliRunner.Run([.. args, "--device", "cpu"]);

    [Fact]
    public void RankWithoutModelRanksTheBuiltinModelOnItsPromptsAndSaysWhereTheResultsAre()
    {
        var (exit, stdout, err) = Hp("rank", "--concept", "colours", "--out", P("default"));
        Assert.True(exit == 0, err);
        Assert.Contains("no --model: using the built-in TinyWorld GPT-2", err);
        Assert.Contains("with its prompts " + Path.Combine("eval", "capture_prompts.txt"), err);
        Assert.Contains("## colours: somp head ranking", stdout);
        Assert.Contains("6 layers x 8 heads, 300 samples", stdout);
        string stem = Path.Combine(P("default"), "colours");
        Assert.Contains($"ranking: {stem}.somp.md", err);
        Assert.Contains($"heatmap: {stem}.somp.svg", err);
        Assert.Contains($"report:  {stem}.dictionary.md", err);

        // The same files as ranking the fixture folder on its capture prompts: the built-in model is that fixture.
        (exit, _, err) = Hp("rank", "--model", _fixture, "--prompts", Path.Combine(_fixture, "eval", "capture_prompts.txt"),
                            "--concept", "colours", "--out", P("fixture"));
        Assert.True(exit == 0, err);
        Assert.DoesNotContain("built-in", err);
        var files = Directory.GetFiles(P("default")).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(8, files.Length);
        Assert.Equal(files, Directory.GetFiles(P("fixture")).Select(Path.GetFileName).Order().ToArray());
        foreach (var f in files)
            Assert.True(File.ReadAllBytes(Path.Combine(P("default"), f!)).SequenceEqual(File.ReadAllBytes(Path.Combine(P("fixture"), f!))), f);
    }

    [Fact]
    public void CaptureWithoutModelCapturesTheBuiltinPromptsAndDecomposeReadsThem()
    {
        var (exit, _, err) = Hp("capture", "--out", P("acts.safetensors"));
        Assert.True(exit == 0, err);
        Assert.Contains("no --model", err);
        var acts = HeadActivations.Load(P("acts.safetensors"));
        Assert.Equal((6, 8, 300, 16), (acts.Layers, acts.Heads, acts.Samples, acts.DHead));

        (exit, var stdout, err) = Hp("decompose", "--activations", P("acts.safetensors"), "--heads", "L2H6", "--iterations", "3", "--out", P("dec"));
        Assert.True(exit == 0, err);
        Assert.Contains("no --model: using the built-in TinyWorld GPT-2", err);
        Assert.DoesNotContain("prompts", err);
        Assert.Contains("| L2H6 |", stdout);
    }

    [Fact]
    public void GenerateAndSteerWithoutModelContinueTheStoryOpenings()
    {
        string[] openings = File.ReadAllLines(Path.Combine(_fixture, "eval", "story_prompts.txt"));
        var (exit, stdout, err) = Hp("generate", "--max-new-tokens", "2");
        Assert.True(exit == 0, err);
        Assert.Contains("with its prompts " + Path.Combine("eval", "story_prompts.txt"), err);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(openings.Length, lines.Length);
        Assert.StartsWith($"[1] {openings[0]} ", lines[0]);

        (exit, stdout, err) = Hp("steer", "--heads", "L1H7,L0H0", "--max-new-tokens", "2", "--json");
        Assert.True(exit == 0, err);
        Assert.Contains("no --model", err);
        Assert.Contains(openings[^1], stdout);
    }

    [Fact]
    public void AGivenModelStillNeedsPrompts()
    {
        var (exit, _, err) = Hp("rank", "--model", _fixture, "--concept", "colours");
        Assert.Equal(1, exit);
        Assert.Contains($"give --activations or --prompts for {_fixture}", err);
        (exit, _, err) = Hp("capture", "--model", _fixture, "--out", P("x.safetensors"));
        Assert.Equal(1, exit);
        Assert.Contains($"give --prompts or --images for {_fixture}", err);
        (exit, _, err) = Hp("steer", "--model", _fixture, "--heads", "L0H0");
        Assert.Equal(1, exit);
        Assert.Contains($"give --prompt, --prompt-file or --images for {_fixture}", err);
        (exit, _, err) = Hp("generate", "--model", _fixture);
        Assert.Equal(1, exit);
        Assert.Contains("give exactly one of --prompt, --prompt-file, --ids", err);
    }

    [Fact]
    public void AnUnreachableHubSaysHowToWorkWithoutIt()
    {
        // A hub endpoint on 127.0.0.1 where nothing listens, and an empty cache: the download fails at once.
        var saved = (Environment.GetEnvironmentVariable("HF_ENDPOINT"), Environment.GetEnvironmentVariable("HF_HUB_CACHE"));
        Environment.SetEnvironmentVariable("HF_ENDPOINT", "http://127.0.0.1:1");
        Environment.SetEnvironmentVariable("HF_HUB_CACHE", P("hub"));
        try
        {
            var (exit, _, err) = Hp("rank", "--model", "gpt2", "--prompts", P("none.txt"), "--concept", "colours");
            Assert.Equal(1, exit);
            Assert.Contains("cannot reach http://127.0.0.1:1", err);
            Assert.Contains("HF_HUB_OFFLINE=1", err);
            Assert.Contains("--model also takes a local folder", err);
            Assert.Contains("leaving out --model runs the built-in TinyWorld GPT-2", err);
        }
        finally
        {
            Environment.SetEnvironmentVariable("HF_ENDPOINT", saved.Item1);
            Environment.SetEnvironmentVariable("HF_HUB_CACHE", saved.Item2);
        }
    }
}
