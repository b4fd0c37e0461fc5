using System.Text.Json;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Tests;

namespace HeadPursuit.Cli.Tests;

/// <summary>capture -> merge -> rank -> decompose on stories260K, through the command line.</summary>
[Collection("console")]
public sealed class CaptureRankCommandTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-cli-").FullName;
    readonly string _model = Fixtures.Path("stories260K");
    readonly string _prompts;

    public CaptureRankCommandTests()
    {
        _prompts = Path.Combine(_dir, "prompts.txt");
        string[] colours = ["red", "blue", "green", "yellow", "pink"];
        File.WriteAllLines(_prompts, Enumerable.Range(0, 20).Select(i => $"Lily saw a {colours[i % 5]} ball number {i} in the park."));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string P(string name) => Path.Combine(_dir, name);

    (int Exit, string Out, string Err) Hp(params string[] args) => CliRunner.Run([.. args, "--device", "cpu"]);

    [Fact]
    public void ShardsMergeIntoExactlyTheSingleRun()
    {
        Assert.Equal(0, Hp("capture", "--model", _model, "--prompts", _prompts, "--batch", "5", "--out", P("all.safetensors")).Exit);
        Assert.Equal(0, Hp("capture", "--model", _model, "--prompts", _prompts, "--batch", "5", "--shard", "1/2", "--out", P("b.safetensors")).Exit);
        Assert.Equal(0, Hp("capture", "--model", _model, "--prompts", _prompts, "--batch", "5", "--shard", "0/2", "--out", P("a.safetensors")).Exit);
        Assert.Equal(0, CliRunner.Run("merge", "--out", P("merged.safetensors"), P("b.safetensors"), P("a.safetensors")).Exit);
        var all = HeadActivations.Load(P("all.safetensors"));
        var merged = HeadActivations.Load(P("merged.safetensors"));
        Assert.Equal((5, 8, 20, 8), (all.Layers, all.Heads, all.Samples, all.DHead));
        Assert.Equal(all.Z, merged.Z);

        var (exit, _, err) = CliRunner.Run("merge", "--out", P("bad.safetensors"), P("a.safetensors"));
        Assert.Equal(1, exit);
        Assert.Contains("expected shards 0..1 of 2", err);
    }

    [Fact]
    public void DecomposeShardsMergeIntoExactlyTheSingleRun()
    {
        Assert.Equal(0, Hp("capture", "--model", _model, "--prompts", _prompts, "--out", P("acts.safetensors")).Exit);
        string[] common = ["decompose", "--model", _model, "--activations", P("acts.safetensors"), "--iterations", "6", "--top", "4"];
        Assert.Equal(0, Hp([.. common, "--out", P("whole")]).Exit);
        for (int k = 0; k < 3; k++) Assert.Equal(0, Hp([.. common, "--shard", $"{k}/3", "--out", P($"part{k}")]).Exit);
        Assert.Equal(13, JsonDocument.Parse(File.ReadAllText(P("part0/decompose.json"))).RootElement.GetProperty("heads").GetArrayLength());   // 40 heads: 13, 14, 13
        var (exit, _, err) = CliRunner.Run("merge", "--out", P("merged"), P("part2/decompose.json"), P("part0/decompose.json"), P("part1/decompose.json"));
        Assert.True(exit == 0, err);
        foreach (var file in new[] { "decompose.json", "decompose.md" })
            Assert.Equal(File.ReadAllBytes(P($"whole/{file}")), File.ReadAllBytes(P($"merged/{file}")));

        // A --heads selection is sliced the same way, and its parts join into the run of that selection.
        string[] chosen = [.. common, "--heads", "L4H7,L0H1,L2H3"];
        Assert.Equal(0, Hp([.. chosen, "--out", P("chosen")]).Exit);
        Assert.Equal(0, Hp([.. chosen, "--shard", "0/2", "--out", P("c0")]).Exit);
        Assert.Equal(0, Hp([.. chosen, "--shard", "1/2", "--out", P("c1")]).Exit);
        Assert.Equal(0, CliRunner.Run("merge", "--out", P("cm"), P("c0/decompose.json"), P("c1/decompose.json")).Exit);
        Assert.Equal(File.ReadAllBytes(P("chosen/decompose.json")), File.ReadAllBytes(P("cm/decompose.json")));

        (exit, _, err) = CliRunner.Run("merge", "--out", P("bad"), P("part0/decompose.json"), P("part1/decompose.json"));
        Assert.Equal(1, exit);
        Assert.Contains("expected shards 0..2 of 3 once each, got 0/3, 1/3", err);
        (exit, _, err) = CliRunner.Run("merge", "--out", P("bad"), P("c0/decompose.json"), P("part1/decompose.json"), P("part2/decompose.json"));
        Assert.Equal(1, exit);
        Assert.Contains("does not belong with", err);
        Assert.Contains("selection differs", err);
        (exit, _, err) = CliRunner.Run("merge", "--out", P("bad"), P("part0/decompose.json"), P("acts.safetensors"));
        Assert.Equal(1, exit);
        Assert.Contains("either activations files or decompose.json files", err);
        File.WriteAllText(P("part1/decompose.json"), File.ReadAllText(P("part1/decompose.json")).Replace("\"evr\"", "\"evr_curve\""));
        (exit, _, err) = CliRunner.Run("merge", "--out", P("bad"), P("part0/decompose.json"), P("part1/decompose.json"), P("part2/decompose.json"));
        Assert.Equal(1, exit);
        Assert.Contains("part1/decompose.json: not a decomposition written by headpursuit decompose", err);
        Assert.Contains("missing required properties including: 'evr'", err);
        (exit, _, err) = Hp([.. chosen, "--shard", "0/4"]);   // 3 heads in 4 slices: 0, 1, 1, 1
        Assert.Equal(1, exit);
        Assert.Contains("shard 0/4 of 3 heads is empty", err);
        (exit, _, err) = Hp([.. common, "--heads", "L1H2,L7H0", "--shard", "0/2"]);
        Assert.Equal(1, exit);
        Assert.Contains("L7H0 is outside the model's 5 layers x 8 heads", err);   // checked before slicing, in every shard
    }

    [Fact]
    public void CaptureResumesFromItsCheckpoint()
    {
        Assert.Equal(0, Hp("capture", "--model", _model, "--prompts", _prompts, "--batch", "5", "--out", P("full.safetensors")).Exit);
        var full = HeadActivations.Load(P("full.safetensors"));
        // A checkpoint of the same run holding its first 10 samples, as an interrupted run leaves it.
        var first = new HeadActivations(full.Layers, full.Heads, 10, full.DHead) { Model = full.Model, Positions = full.Positions, Metadata = full.Metadata };
        for (int l = 0; l < full.Layers; l++)
            for (int h = 0; h < full.Heads; h++)
                full.Head(l, h)[..(10 * full.DHead)].CopyTo(first.Head(l, h));
        first.Save(P("resumed.safetensors.partial"));

        var (exit, _, err) = Hp("capture", "--model", _model, "--prompts", _prompts, "--batch", "5", "--out", P("resumed.safetensors"));
        Assert.Equal(0, exit);
        Assert.Contains("10 of 20 samples already captured", err);
        Assert.Equal(full.Z, HeadActivations.Load(P("resumed.safetensors")).Z);
        Assert.False(File.Exists(P("resumed.safetensors.partial")));
    }

    [Fact]
    public void RankWritesEveryOutputAndDecomposeListsTokens()
    {
        Assert.Equal(0, Hp("capture", "--model", _model, "--prompts", _prompts, "--out", P("acts.safetensors")).Exit);
        var (exit, stdout, _) = Hp("rank", "--model", _model, "--activations", P("acts.safetensors"), "--concept", "colours", "--top", "4", "--out", P("rank"));
        Assert.Equal(0, exit);
        Assert.Contains("## colours: somp head ranking", stdout);
        foreach (var ext in new[] { "somp.json", "somp.csv", "somp.md", "somp.svg", "logit_lens.json", "logit_lens.csv", "logit_lens.md", "dictionary.md" })
            Assert.True(File.Exists(P($"rank/colours.{ext}")), ext);
        Assert.Equal(42, File.ReadAllLines(P("rank/colours.somp.csv")).Length);   // settings comment + header + 5 x 8 heads

        (exit, stdout, _) = Hp("decompose", "--model", _model, "--activations", P("acts.safetensors"), "--heads", "L0H1,L4H7", "--iterations", "5", "--out", P("dec"));
        Assert.Equal(0, exit);
        Assert.Contains("| L4H7 |", stdout);
        Assert.True(File.Exists(P("dec/decompose.json")));
    }

    [Fact]
    public void ActivationsOfAnotherModelAreRefused()
    {
        Assert.Equal(0, Hp("capture", "--model", _model, "--prompts", _prompts, "--out", P("acts.safetensors")).Exit);
        var (exit, _, err) = Hp("rank", "--model", Fixtures.Path("tinyworld-gpt2"), "--activations", P("acts.safetensors"), "--concept", "colours");
        Assert.Equal(1, exit);
        Assert.Contains("captured from another model", err);
    }

    [Fact]
    public void UnknownConceptAndEmptyPromptFileAreNamed()
    {
        var (exit, _, err) = Hp("rank", "--model", _model, "--prompts", _prompts, "--concept", "flavours");
        Assert.Equal(1, exit);
        Assert.Contains("concept 'flavours' is neither a word-list file nor a built-in list", err);
        File.WriteAllText(P("empty.txt"), "\n\n");
        (exit, _, err) = Hp("capture", "--model", _model, "--prompts", P("empty.txt"), "--out", P("x.safetensors"));
        Assert.Equal(1, exit);
        Assert.Contains("the prompt file is empty", err);
    }

    [Fact]
    public void VerifyRunsSompFixtures()
    {
        var (exit, stdout, _) = Hp("verify", Fixtures.Path("somp"));
        Assert.Equal(0, exit);
        Assert.Contains("ok   heads_llama_tiny ranking", stdout);
        Assert.Contains("somp: 17 passed, 0 failed", stdout);
    }
}
