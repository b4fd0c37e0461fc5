using System.Text.Json.Nodes;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Files;
using HeadPursuit.Tests;

namespace HeadPursuit.Cli.Tests;

/// <summary>
/// Issue 16's destroyed inputs, as regression tests: an output path naming an input (the prompt file, the model's
/// weights, the ranking file, the experiment file through its report stem), a device node or a folder is refused before
/// any work, with one error line naming the option and the path, and the input is left byte for byte as it was.
/// Readers of activations refuse an unfinished capture checkpoint.
/// </summary>
[Collection("console")]
public sealed class DestroyedInputTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-inputs-").FullName;
    readonly string _model = Fixtures.Path("stories260K");
    readonly string _prompts;

    public DestroyedInputTests()
    {
        _prompts = P("prompts.txt");
        File.WriteAllLines(_prompts, Enumerable.Range(0, 12).Select(i => $"Lily saw a red ball number {i} in the park."));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string P(string name) => Path.Combine(_dir, name);

    static (int Exit, string Out, string Err) Hp(params string[] args) => CliRunner.Run([.. args, "--device", "cpu", "--quiet"]);

    /// <summary>The command fails with exit 1 and exactly one error line holding <paramref name="expected"/>; <paramref name="input"/> is unchanged.</summary>
    static void Refused(string input, string expected, params string[] args)
    {
        byte[] before = File.ReadAllBytes(input);
        var (exit, _, err) = Hp(args);
        Assert.True(exit == 1, err);
        Assert.Equal([$"error: {expected}"], err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error:")));
        Assert.DoesNotContain("   at ", err);
        Assert.Equal(before, File.ReadAllBytes(input));
    }

    [Fact]
    public void CaptureOutNamingThePromptFileIsRefused() =>
        Refused(_prompts, $"--out {_prompts}: is the --prompts file ({_prompts}); writing it would destroy an input: give another path",
                "capture", "--model", _model, "--prompts", _prompts, "--out", _prompts);

    [Fact]
    public void CaptureOutNamingTheModelWeightsIsRefusedHoweverSpelled()
    {
        string model = P("model");
        Directory.CreateDirectory(model);
        foreach (string f in Directory.GetFiles(_model)) File.Copy(f, Path.Combine(model, Path.GetFileName(f)));
        string weights = Path.Combine(model, "model.safetensors");
        Refused(weights, $"--out {weights}: is a file of the model {model} ({weights}); writing it would destroy an input: give another path",
                "capture", "--model", model, "--prompts", _prompts, "--out", weights);
        string other = Path.Combine(_dir, "model", "..", "model", "model.safetensors"), link = P("weights.safetensors");
        File.CreateSymbolicLink(link, weights);
        foreach (string spelling in new[] { other, link })
            Refused(weights, $"--out {spelling}: is a file of the model {model} ({weights}); writing it would destroy an input: give another path",
                    "capture", "--model", model, "--prompts", _prompts, "--out", spelling);
    }

    [Fact]
    public void SteerOutNamingTheRankingFileIsRefused()
    {
        Assert.Equal(0, Hp("rank", "--model", _model, "--prompts", _prompts, "--concept", "colours", "--out", _dir).Exit);
        string ranking = P("colours.somp.json");
        Refused(ranking, $"--out {ranking}: is the --ranking file ({ranking}); writing it would destroy an input: give another path",
                "steer", "--model", _model, "--prompt", "Lily saw a", "--ranking", ranking, "--top", "2", "--max-new-tokens", "2", "--out", ranking);
    }

    [Fact]
    public void MergeOutNamingOneOfItsPartsIsRefused()
    {
        string part = P("acts.0.safetensors");
        Assert.Equal(0, Hp("capture", "--model", _model, "--prompts", _prompts, "--shard", "0/2", "--out", part).Exit);
        Refused(part, $"--out {part}: is one of the parts ({part}); writing it would destroy an input: give another path",
                "merge", "--out", part, part, P("acts.1.safetensors"));
    }

    [Fact]
    public void AnExperimentWhoseReportStemIsItsOwnNameIsRefused()
    {
        string path = P("small.json");   // no "report": the stem is the name, "small", beside the file: small.json
        File.WriteAllText(path, new JsonObject
        {
            ["name"] = "small", ["model"] = _model,
            ["dataset"] = new JsonObject { ["format"] = "prompts", ["path"] = _prompts, ["limit"] = 2 },
            ["concept"] = "colours", ["k"] = new JsonArray(1), ["alphas"] = new JsonArray(-1),
            ["selections"] = new JsonArray(new JsonObject { ["name"] = "mine", ["heads"] = new JsonArray("L1H2") }),
            ["decoding"] = new JsonObject { ["max_new_tokens"] = 2 }, ["metrics"] = new JsonArray("concept_frequency"),
        }.ToJsonString());
        Refused(path, $"\"report\" {path}: is the experiment file ({path}); writing it would destroy an input: give another path", "eval", path);
    }

    [Fact]
    public void ADeviceNodeIsNeverReplacedByAFile()
    {
        foreach (string device in new[] { "/dev/full", "/dev/null" })
        {
            var (exit, _, err) = Hp("steer", "--model", _model, "--prompt", "Lily saw a", "--heads", "L0H1", "--max-new-tokens", "2", "--out", device);
            Assert.True(exit == 1, err);
            Assert.StartsWith($"error: --out {device}: is not a regular file (a device, pipe or socket)", err);
            Assert.Equal(FileKind.Other, FileIdentity.Of(device).Kind);
        }
        var capture = Hp("capture", "--model", _model, "--prompts", _prompts, "--out", "/dev/full");
        Assert.Equal(1, capture.Exit);
        Assert.Equal(FileKind.Other, FileIdentity.Of("/dev/full").Kind);
        Assert.False(File.Exists("/dev/full.partial"));
    }

    [Fact]
    public void AFolderWhereAFileBelongsIsRefused()
    {
        var (exit, _, err) = Hp("capture", "--model", _model, "--prompts", _prompts, "--out", _dir);
        Assert.Equal(1, exit);
        Assert.Equal($"error: --out {_dir}: is a folder, not a file", err.Trim());
    }

    [Fact]
    public void RankAndMergeRefuseAnUnfinishedCapture()
    {
        string partial = P("acts.safetensors.partial");
        new HeadActivations(5, 8, 3, 8) { Unfinished = true }.Save(partial);
        string expected = $"error: {partial} is an unfinished capture (a checkpoint of 3 samples): rerun the `headpursuit capture` command that wrote it to resume and finish it, then use its --out file";
        var (exit, _, err) = Hp("rank", "--model", _model, "--activations", partial, "--concept", "colours", "--out", _dir);
        Assert.Equal(1, exit);
        Assert.Equal(expected, err.Trim());
        (exit, _, err) = Hp("merge", "--out", P("merged.safetensors"), partial);
        Assert.Equal(1, exit);
        Assert.Equal(expected, err.Trim());
        Assert.True(HeadActivations.LoadCheckpoint(partial).Unfinished);
    }
}
