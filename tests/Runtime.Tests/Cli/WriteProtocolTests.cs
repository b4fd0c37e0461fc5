using System.Text.Json.Nodes;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Files;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Cli;

/// <summary>
/// The write protocol with the built command as a child process: killed with SIGKILL at random moments during capture
/// and eval, a rerun resumes to byte-identical files and leaves nothing else behind; a second process writing the same
/// output stops at once naming the first; a full disk (a 64 KiB tmpfs) and a read-only folder (a read-only tmpfs) give
/// one error line naming the path, exit 1, and leave no file behind. The tmpfs are mounted in a mount namespace of the
/// command's own (unshare), so the tests need no privilege beyond user namespaces.
/// The kill times come from a seed printed in every failure message, so a failure can be replayed.
/// </summary>
public sealed class WriteProtocolTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-write-").FullName;
    readonly int _seed = Environment.TickCount;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string P(string name) => Path.Combine(_dir, name);

    string[] Files() => [.. Directory.GetFiles(_dir).Select(Path.GetFileName).Order()!];

    /// <summary>Capture on the built-in model (300 prompts) with a checkpoint after every prompt: many writes to be killed in.</summary>
    static string[] Capture(string output) => ["capture", "--out", output, "--batch", "1", "--checkpoint-every", "1", "--device", "cpu", "--quiet"];

    [Fact]
    public void CaptureKilledAtRandomMomentsResumesToTheSameFile()
    {
        var reference = ChildCli.Run(_dir, Capture(P("reference.safetensors")));
        Assert.True(reference.Exit == 0, reference.Err);
        var random = new Random(_seed);
        for (int kill = 0; kill < 3; kill++)
        {
            var after = TimeSpan.FromMilliseconds(random.Next(1500, 6000));
            Assert.True(ChildCli.KillAfter(after, _dir, Capture(P("acts.safetensors"))), $"seed {_seed}: the capture ended before {after}");
            Assert.False(File.Exists(P("acts.safetensors")), $"seed {_seed}");
            if (File.Exists(P("acts.safetensors.partial")))   // a checkpoint is always whole: it loads
                Assert.True(HeadActivations.LoadCheckpoint(P("acts.safetensors.partial")).Unfinished, $"seed {_seed}");
        }
        Assert.True(File.Exists(P("acts.safetensors.partial")), $"seed {_seed}: no checkpoint was written before the kills");
        var (exit, _, err) = ChildCli.Run(_dir, [.. Capture(P("acts.safetensors"))[..^1]]);   // not quiet: it says it resumes
        Assert.True(exit == 0, err);
        Assert.Contains("resuming from", err);
        Assert.Equal(File.ReadAllBytes(P("reference.safetensors")), File.ReadAllBytes(P("acts.safetensors")));
        Assert.Equal(["acts.safetensors", "reference.safetensors"], Files());   // no checkpoint, temporary or lock file left
    }

    string Experiment()
    {
        string model = Fixtures.Path("tinyworld-gpt2");
        string path = P("experiment.json");
        File.WriteAllText(path, new JsonObject
        {
            ["name"] = "killed", ["model"] = model,
            ["dataset"] = new JsonObject { ["format"] = "prompts", ["path"] = Path.Combine(model, "eval", "story_prompts.txt"), ["limit"] = 8 },
            ["concept"] = "colours", ["ranking"] = new JsonObject { ["capture_prompts"] = Path.Combine(model, "eval", "capture_prompts.txt") },
            ["k"] = new JsonArray(1, 2), ["alphas"] = new JsonArray(-1, 5), ["selections"] = new JsonArray("somp", "random"), ["random_draws"] = 2,
            ["seed"] = 3, ["decoding"] = new JsonObject { ["max_new_tokens"] = 8 }, ["metrics"] = new JsonArray("concept_frequency"), ["batch"] = 4,
            ["report"] = P("report"),
        }.ToJsonString());
        return path;
    }

    Dictionary<string, byte[]> Report() => Directory.GetFiles(_dir, "report.*").ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    [Fact]
    public void EvalKilledAtRandomMomentsResumesToTheSameReport()
    {
        string experiment = Experiment();
        var reference = ChildCli.Run(_dir, "eval", experiment, "--device", "cpu", "--quiet");
        Assert.True(reference.Exit == 0, reference.Err);
        var expected = Report();
        Assert.Equal(["report.alpha=-1.svg", "report.alpha=5.svg", "report.cells.jsonl", "report.json", "report.md", "report.somp.svg"], expected.Keys.Order());
        foreach (string f in expected.Keys) File.Delete(P(f));

        var random = new Random(_seed);
        int killed = 0;
        for (int kill = 0; kill < 3; kill++)
            if (ChildCli.KillAfter(TimeSpan.FromMilliseconds(random.Next(1500, 7000)), _dir, "eval", experiment, "--device", "cpu", "--quiet")) killed++;
        Assert.True(killed > 0, $"seed {_seed}: every run ended before its kill");
        var (exit, _, err) = ChildCli.Run(_dir, "eval", experiment, "--device", "cpu", "--quiet");
        Assert.True(exit == 0, $"seed {_seed}: {err}");
        var resumed = Report();
        Assert.Equal(expected.Keys.Order(), resumed.Keys.Order());
        foreach (var (name, bytes) in expected) Assert.True(bytes.SequenceEqual(resumed[name]), $"seed {_seed}: {name} differs after the resume");
        Assert.Equal(["experiment.json", .. expected.Keys.Order()], Files());

        // A damaged results file: refused naming the line, the cell and the field; no report is written from it.
        var lines = File.ReadAllLines(P("report.cells.jsonl"));
        var cell = JsonNode.Parse(lines[2])!.AsObject();
        cell["generations"]!.AsArray().RemoveAt(0);
        lines[2] = cell.ToJsonString();
        File.WriteAllLines(P("report.cells.jsonl"), lines);
        File.Delete(P("report.json"));
        (exit, _, err) = ChildCli.Run(_dir, "eval", experiment, "--device", "cpu", "--quiet");
        Assert.Equal(1, exit);
        Assert.Equal($"error: {P("report.cells.jsonl")}:3: cell '{cell["key"]}' \"generations\" holds 7 texts, the experiment has 8 prompts; " +
                     "the results file is damaged: delete that line (the cell is run again) or the file", err.Trim());
        Assert.False(File.Exists(P("report.json")));
    }

    [Fact]
    public void ASecondWriterOfTheSameOutputStopsNamingTheFirst()
    {
        string output = P("acts.safetensors");
        using var first = ChildCli.Start(_dir, Capture(output));
        _ = first.StandardOutput.ReadToEndAsync();
        _ = first.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (FileLock.Holder(output + ".lock") != first.Id)
        {
            Assert.False(first.HasExited, "the first capture ended before it was seen holding its lock");
            Assert.True(DateTime.UtcNow < deadline, "the first capture never took its lock");
            Thread.Sleep(20);
        }
        var (exit, _, err) = ChildCli.Run(_dir, Capture(output));
        first.Kill();
        first.WaitForExit();
        Assert.Equal(1, exit);
        Assert.Equal($"error: {output} is being written by another headpursuit process (pid {first.Id}): wait for it to finish, or give --out another path", err.Trim());
    }

    [Fact]
    public void AFullDiskGivesOneErrorAndLeavesNoFile()
    {
        string small = P("small");
        Directory.CreateDirectory(small);
        string acts = Path.Combine(small, "acts.safetensors"), table = Path.Combine(small, "steered.md");
        // The capture's checkpoint alone (8 x 16 prompts x 6 layers x 8 heads x 16 floats) is larger than the disk.
        var (exit, stdout, err) = ChildCli.InOwnMounts(
            $"mount -t tmpfs -o size=64k tmpfs '{small}' && {ChildCli.ShellLine("capture", "--out", acts, "--device", "cpu", "--quiet")}; " +
            $"rc=$?; echo \"left:$(ls -A '{small}')\"; exit $rc");
        Assert.True(exit == 1, err);
        Assert.Matches($"^error: cannot write {System.Text.RegularExpressions.Regex.Escape(acts)}(\\.partial)?: no space left on the device$", err.Trim());
        Assert.Equal("left:", stdout.Trim());

        // A disk already full: a steered table (a few hundred bytes) is not written as an empty file.
        (exit, stdout, err) = ChildCli.InOwnMounts(
            $"mount -t tmpfs -o size=64k tmpfs '{small}' && head -c 1000000 /dev/zero > '{small}/filler' 2>/dev/null; " +
            $"{ChildCli.ShellLine("steer", "--prompt", "Lily saw a", "--heads", "L0H1", "--max-new-tokens", "4", "--out", table, "--device", "cpu", "--quiet")}; " +
            $"rc=$?; echo \"left:$(ls -A '{small}')\"; exit $rc");
        Assert.True(exit == 1, err);
        Assert.Equal($"error: cannot write {table}: no space left on the device", err.Trim());
        Assert.Equal("left:filler", stdout.Trim());
    }

    [Fact]
    public void AReadOnlyFolderGivesOneErrorBeforeAnyWork()
    {
        string folder = P("readonly");
        Directory.CreateDirectory(folder);
        string table = Path.Combine(folder, "steered.md");
        var (exit, stdout, err) = ChildCli.InOwnMounts(
            $"mount -t tmpfs -o ro tmpfs '{folder}' && " +
            $"{ChildCli.ShellLine("steer", "--prompt", "Lily saw a", "--heads", "L0H1", "--max-new-tokens", "4", "--out", table, "--device", "cpu", "--quiet")}");
        Assert.Equal(1, exit);
        Assert.Equal($"error: cannot write in {folder} (--out {table}): read-only file system", err.Trim());
        Assert.Equal("", stdout);   // refused before generating anything
    }
}
