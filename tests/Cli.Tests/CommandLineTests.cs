using HeadPursuit.Tests;

namespace HeadPursuit.Cli.Tests;

/// <summary>
/// The command line as System.CommandLine parses it: help for the root and every command, usage errors (exit 2),
/// @FILE response files, the [suggest] directive that tab completion uses, and --quiet.
/// </summary>
[Collection("console")]
public sealed class CommandLineTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The commands the root's help lists: "  rank   rank all heads ...", "  merge <PARTS>  join ...".</summary>
    static IEnumerable<string> Commands()
    {
        var help = CliRunner.Run("--help").Out;
        var section = help[(help.IndexOf("Commands:", StringComparison.Ordinal) + 9)..].TrimStart('\r', '\n');
        return section.Split('\n').TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)).Select(l => l.Trim().Split(' ')[0]);
    }

    [Fact]
    public void TheRootHelpListsEveryCommandAndAloneOrAsHelpPrintsIt()
    {
        var (exit, stdout, _) = CliRunner.Run();
        Assert.Equal(0, exit);
        Assert.Equal(["generate", "capture", "merge", "rank", "decompose", "steer", "eval", "overlap", "sensitivity", "verify"], Commands());
        Assert.Contains("--quiet", stdout);
        Assert.Contains("Exit codes: 0 ok, 1 bad input", stdout);
        Assert.Equal(stdout, CliRunner.Run("--help").Out);
        Assert.Equal(stdout, CliRunner.Run("help").Out);
        Assert.Equal(CliRunner.Run("rank", "--help").Out, CliRunner.Run("help", "rank").Out);
    }

    [Fact]
    public void EveryCommandsHelpDescribesEveryOptionAndShowsItsDefault()
    {
        foreach (var command in Commands())
        {
            var (exit, stdout, stderr) = CliRunner.Run(command, "--help");
            Assert.True(exit == 0, stderr);
            Assert.Contains($"Usage:\n  headpursuit {command}", stdout.ReplaceLineEndings("\n"));
            var options = stdout[stdout.IndexOf("Options:", StringComparison.Ordinal)..].Split('\n').Skip(1)
                                .TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)).ToList();
            Assert.True(options.Count >= 3, command);
            foreach (var line in options)
            {
                // "  --top <K>   heads shown in the Markdown table [default: 16]": a name, then a description.
                var columns = line.Trim().Split("  ", 2, StringSplitOptions.TrimEntries);
                Assert.True(columns.Length == 2 && columns[1].Length > 10, $"{command}: '{line}' has no description");
            }
        }
        string rank = CliRunner.Run("rank", "--help").Out;
        Assert.Contains("heads shown in the Markdown table [default: 16]", rank);
        Assert.Contains("[default: auto]", rank);
        Assert.Contains("--iterations <N>", rank);
        Assert.Contains("(default: min(50, |concept tokens|))", rank);
        Assert.Contains("Slurm recipe", CliRunner.Run("capture", "--help").Out);   // a command's notes follow its options
        Assert.Contains("--out <ACTS.safetensors> (REQUIRED)", CliRunner.Run("capture", "--help").Out);
    }

    [Theory]
    [InlineData("unknown command 'rnak' (did you mean rank?); the commands are generate, capture, merge, rank", "rnak", "--concept", "colours")]
    [InlineData("unknown option '--modle' for headpursuit rank (did you mean --model?); 'headpursuit rank --help' lists its options", "rank", "--modle", "gpt2")]
    [InlineData("unknown option '--max-new' for headpursuit steer (did you mean --max-new-tokens?)", "steer", "--max-new", "4")]
    [InlineData("unknown option '--frobnicate' for headpursuit capture; 'headpursuit capture --help'", "capture", "--out", "a", "--frobnicate")]
    [InlineData("unexpected argument 'colours' for headpursuit rank; 'headpursuit rank --help' says what it takes", "rank", "colours")]
    [InlineData("unexpected argument 'b' for headpursuit verify", "verify", "a", "b")]
    public void UnknownWordsAreUsageErrors(string expected, params string[] args)
    {
        var (exit, stdout, stderr) = CliRunner.Run(args);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Equal("error: " + expected, stderr.Split('\n')[0][..(7 + expected.Length)]);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void AResponseFileHoldsArgumentsAsIfTyped()
    {
        string model = Fixtures.Path("stories260K");
        string[] direct = ["generate", "--model", model, "--ids", "1", "--max-new-tokens", "4", "--json"];
        string response = Path.Combine(_dir, "args.rsp");
        File.WriteAllLines(response, ["# what to run", "generate", $"--model {model}", "--ids 1 --max-new-tokens 4"]);
        var (exit, stdout, stderr) = CliRunner.Run("@" + response, "--json");
        Assert.True(exit == 0, stderr);
        string Ids(string json) => System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("results")[0].GetProperty("new_ids").GetRawText();
        Assert.Equal(Ids(CliRunner.Run(direct).Out), Ids(stdout));

        (exit, _, stderr) = CliRunner.Run("@" + Path.Combine(_dir, "none.rsp"));
        Assert.Equal(1, exit);
        Assert.Contains("none.rsp", stderr);
    }

    [Theory]
    [InlineData("rank --con", "--concept", "--concept-ids", "--concept-tokens")]
    [InlineData("rank --device ", "auto", "cpu", "cuda")]
    [InlineData("rank --concept ", "colours", "countries", "toxicity")]
    [InlineData("capture --positions ", "all", "all-but-special", "last")]
    [InlineData("ra", "rank")]
    public void TheSuggestDirectiveCompletesCommandsOptionsAndValues(string line, params string[] expected)
    {
        var (exit, stdout, _) = CliRunner.Run($"[suggest:{line.Length}]", line);
        Assert.Equal(0, exit);
        var suggestions = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var s in expected) Assert.Contains(s, suggestions);
    }

    [Fact]
    public void QuietLeavesStandardErrorEmptyAndTheResultUnchanged()
    {
        string[] args = ["generate", "--model", Fixtures.Path("stories260K"), "--ids", "1", "--max-new-tokens", "4", "--device", "cpu"];
        var loud = CliRunner.Run(args);
        Assert.True(loud.Exit == 0, loud.Err);
        Assert.Contains("tok/s", loud.Err);
        var quiet = CliRunner.Run([.. args, "--quiet"]);
        Assert.Equal((0, loud.Out, ""), quiet);
        Assert.Equal(quiet, CliRunner.Run(["-q", .. args]));   // --quiet is global: before the command too
    }

    [Fact]
    public void WritingWhereAFileStandsIsBadInputNamingThePath()
    {
        string blocker = Path.Combine(_dir, "results");
        File.WriteAllText(blocker, "not a folder");
        var (exit, _, stderr) = CliRunner.Run("rank", "--model", Fixtures.Path("tinyworld-gpt2"), "--prompts",
                                              Fixtures.Path("tinyworld-gpt2", "eval", "capture_prompts.txt"), "--concept", "colours",
                                              "--out", blocker, "--device", "cpu", "--quiet");
        Assert.Equal(1, exit);
        Assert.StartsWith("error: ", stderr);
        Assert.Contains(blocker, stderr);
        Assert.DoesNotContain("   at ", stderr);
    }
}
