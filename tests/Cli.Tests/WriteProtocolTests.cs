using System.Text.Json.Nodes;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Files;
using HeadPursuit.Tests;

namespace HeadPursuit.Cli.Tests;

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

    /// <summary>
    /// Kills runs of <paramref name="args"/> with SIGKILL at random moments, as fractions of <paramref name="whole"/> (an
    /// uninterrupted run's time), calling <paramref name="afterKill"/> after each: three at any moment, then one soon after
    /// <paramref name="progress"/> exists, so that the final run has something to resume. A run that ends before its kill
    /// has its <paramref name="outputs"/> removed, and the next starts over.
    /// </summary>
    void KillAtRandomMoments(string[] args, TimeSpan whole, string progress, string[] outputs, Action afterKill)
    {
        var random = new Random(_seed);
        for (int kill = 0, runs = 0; kill < 4; kill++, runs++)
        {
            Assert.True(runs < 8, $"seed {_seed}: the runs kept ending before their kill");
            bool last = kill == 3;
            var after = whole * (last ? 0.2 * random.NextDouble() : 0.05 + 0.65 * random.NextDouble());
            if (ChildCli.KillAfter(after, _dir, args, last ? progress : null)) { afterKill(); continue; }
            foreach (string f in outputs) File.Delete(f);
            if (last) kill--;
        }
        Assert.True(File.Exists(progress), $"seed {_seed}: nothing was stored before the last kill");
    }

    [Fact]
    public void CaptureKilledAtRandomMomentsResumesToTheSameFile()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var reference = ChildCli.Run(_dir, Capture(P("reference.safetensors")));
        Assert.True(reference.Exit == 0, reference.Err);
        string acts = P("acts.safetensors"), partial = acts + ".partial";
        KillAtRandomMoments(Capture(acts), clock.Elapsed, partial, [acts], () =>
        {
            if (File.Exists(acts)) HeadActivations.Load(acts);   // killed after its last write: whole
            if (File.Exists(partial))   // a checkpoint is always whole: it loads
                Assert.True(HeadActivations.LoadCheckpoint(partial).Unfinished, $"seed {_seed}");
        });
        var (exit, _, err) = ChildCli.Run(_dir, [.. Capture(acts)[..^1]]);   // not quiet: it says it resumes
        Assert.True(exit == 0, err);
        Assert.Contains("resuming from", err);
        Assert.Equal(File.ReadAllBytes(P("reference.safetensors")), File.ReadAllBytes(acts));
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
        string[] eval = ["eval", experiment, "--device", "cpu", "--quiet"];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var reference = ChildCli.Run(_dir, eval);
        Assert.True(reference.Exit == 0, reference.Err);
        var whole = clock.Elapsed;
        var expected = Report();
        Assert.Equal(["report.alpha=-1.svg", "report.alpha=5.svg", "report.cells.jsonl", "report.json", "report.md", "report.somp.svg"], expected.Keys.Order());
        string[] outputs = [.. expected.Keys.Select(P)];
        foreach (string f in outputs) File.Delete(f);

        KillAtRandomMoments(eval, whole, P("report.cells.jsonl"), outputs, () =>
        {
            if (File.Exists(P("report.json"))) JsonNode.Parse(File.ReadAllText(P("report.json")));   // killed after its last writes: whole
            if (File.Exists(P("report.cells.jsonl")))   // every line whole
                Assert.All(File.ReadAllLines(P("report.cells.jsonl")), l => JsonNode.Parse(l));
        });
        var (exit, _, err) = ChildCli.Run(_dir, eval);
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
        (exit, _, err) = ChildCli.Run(_dir, eval);
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
