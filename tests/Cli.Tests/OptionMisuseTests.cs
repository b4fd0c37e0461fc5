using HeadPursuit.Tests;

namespace HeadPursuit.Cli.Tests;

/// <summary>
/// Every numeric and list option is checked as the command line is parsed (issue 16's misuse cases and their
/// neighbours): a NaN, an infinity, a negative size, a value out of range or a missing value is refused before any
/// model is loaded, with exactly one "error:" line that names the option, exit code 1 and nothing on standard output.
/// </summary>
[Collection("console")]
public sealed class OptionMisuseTests
{
    [Theory]
    [InlineData("--alpha must be a finite number, got 'nan'", "steer", "--heads", "L0H0", "--alpha", "nan")]
    [InlineData("--alpha must be a finite number, got '-Infinity'", "steer", "--heads", "L0H0", "--alpha", "-Infinity")]
    [InlineData("--alpha must be in [-1000000, 1000000], got 1e39", "steer", "--heads", "L0H0", "--alpha", "1e39")]
    [InlineData("--alpha expects a number, got 'strong'", "steer", "--heads", "L0H0", "--alpha", "strong")]
    [InlineData("--scale L0H0 must be a finite number, got 'nan'", "generate", "--scale", "L0H0=nan")]
    [InlineData("--scale L1H2 must be in [-1000000, 1000000], got -1e7", "generate", "--scale", "L0H0=1,L1H2=-1e7")]
    [InlineData("--scale 'L0H0' is not HEAD=ALPHA", "generate", "--scale", "L0H0")]
    [InlineData("--scale: 'L99999999999H0' is not a head name like L3H7", "generate", "--scale", "L99999999999H0=1")]
    [InlineData("--scale gives L0H0 twice", "generate", "--scale", "L0H0=1,L0H0=2")]
    [InlineData("--scale ',' names no heads", "generate", "--scale", ",")]
    [InlineData("--temperature must be a finite number, got 'nan'", "generate", "--temperature", "nan")]
    [InlineData("--temperature must be at least 0, got -0.5", "generate", "--temperature", "-0.5")]
    [InlineData("--temperature 1e39 is beyond the range of a 32-bit float", "steer", "--heads", "L0H0", "--temperature", "1e39")]
    [InlineData("--top-p must be a finite number, got 'nan'", "generate", "--top-p", "nan")]
    [InlineData("--top-p must be in (0, 1], got 0", "generate", "--top-p", "0")]
    [InlineData("--top-p must be in (0, 1], got 1.5", "steer", "--heads", "L0H0", "--top-p", "1.5")]
    [InlineData("--top-k must be at least 0, got -1", "generate", "--top-k", "-1")]
    [InlineData("--seed expects an integer, got '1.5'", "generate", "--seed", "1.5")]
    [InlineData("--max-new-tokens needs a value", "generate", "--prompt", "Lily saw a", "--max-new-tokens")]
    [InlineData("--max-new-tokens needs a value, but the next word is the option --json", "generate", "--max-new-tokens", "--json")]
    [InlineData("--max-new-tokens must be at least 0, got -1", "steer", "--heads", "L0H0", "--max-new-tokens", "-1")]
    [InlineData("--max-new-tokens expects an integer, got '1e9'", "generate", "--max-new-tokens", "1e9")]
    [InlineData("--ids must be at least 0, got -3", "generate", "--ids", "1,-3")]
    [InlineData("--ids ',' lists no values", "generate", "--ids", ",")]
    [InlineData("--stop expects an integer, got 'eos'", "generate", "--ids", "1", "--stop", "eos")]
    [InlineData("--policy 'sometimes' is not one of all, prompt, generated, image", "generate", "--policy", "sometimes")]
    [InlineData("--policy 'span:-1:3' is not one of all, prompt, generated, image, span:START:END", "steer", "--heads", "L0H0", "--policy", "span:-1:3")]
    [InlineData("--top must be at least 1, got -1", "rank", "--top", "-1")]
    [InlineData("--top must be at least 1, got 0", "steer", "--ranking", "r.json", "--top", "0")]
    [InlineData("--top must be at least 1, got 0", "decompose", "--activations", "a.safetensors", "--top", "0")]
    [InlineData("--concept is empty", "rank", "--concept", "")]
    [InlineData("--concept ', ,' names no concept", "rank", "--concept", ", ,")]
    [InlineData("--concept is empty", "sensitivity", "--model", "m", "--prompts", "p.txt", "--concept", "")]
    [InlineData("--heads is empty", "steer", "--heads", "")]
    [InlineData("--heads ',' names no heads", "steer", "--heads", ",")]
    [InlineData("--heads: 'bogus' is not a head name like L3H7", "decompose", "--activations", "a.safetensors", "--heads", "bogus")]
    [InlineData("--iterations must be at least 1, got 0", "rank", "--iterations", "0")]
    [InlineData("--iterations must be at least 1, got -5", "decompose", "--activations", "a.safetensors", "--iterations", "-5")]
    [InlineData("--batch must be at least 1, got 0", "capture", "--out", "a.safetensors", "--batch", "0")]
    [InlineData("--batch must be at least 1, got -8", "rank", "--batch", "-8")]
    [InlineData("--checkpoint-every must be at least 1, got 0", "capture", "--out", "a.safetensors", "--checkpoint-every", "0")]
    [InlineData("--shard '2/2' must be K/N with 0 <= K < N", "capture", "--out", "a.safetensors", "--shard", "2/2")]
    [InlineData("--shard '-1/2' must be K/N with 0 <= K < N", "decompose", "--activations", "a.safetensors", "--shard", "-1/2")]
    [InlineData("--positions 'first' is not one of all-but-special, last, all", "capture", "--out", "a.safetensors", "--positions", "first")]
    [InlineData("--examples must be at least 0, got -1", "eval", "experiment.json", "--examples", "-1")]
    [InlineData("--k must be at least 1, got 0", "overlap", "--k", "8,0", "a.json", "b.json")]
    [InlineData("--seeds must be at least 1, got 0", "sensitivity", "--model", "m", "--prompts", "p.txt", "--concept", "colours", "--seeds", "0")]
    [InlineData("--distractor-fractions must be between 1 and 1000, got 1001", "sensitivity", "--model", "m", "--prompts", "p.txt", "--concept", "colours", "--distractor-fractions", "1001")]
    [InlineData("--device 'gpu' is not one of cpu, cuda, auto", "rank", "--device", "gpu")]
    [InlineData("--concept-tokens 'plain' is not one of both, space", "rank", "--concept-tokens", "plain")]
    [InlineData("--threads must be between 1 and", "verify", "folder", "--threads", "0")]
    [InlineData("--model is empty", "generate", "--model", "")]
    [InlineData("--out is empty", "rank", "--out", "")]
    [InlineData("missing --out (where to write the pooled head outputs)", "capture", "--prompts", "p.txt")]
    [InlineData("missing --k (the top-k sizes compared, e.g. 8,16,32)", "overlap", "a.json", "b.json")]
    [InlineData("missing PARTS (the parts: activations files", "merge", "--out", "merged.safetensors")]
    [InlineData("missing EXPERIMENT.json (the experiment file)", "eval")]
    public void IsRefusedBeforeAnyWorkWithOneLineNamingTheOption(string expected, params string[] args)
    {
        var (exit, stdout, stderr) = CliRunner.Run(args);
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Equal("error: ", stderr[..7]);
        Assert.Contains(expected, stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void ThreadsAboveFourPerCoreAreRefusedWithTheBound()
    {
        int bound = Math.Min(4 * Environment.ProcessorCount, 1024);
        var (exit, _, stderr) = CliRunner.Run("rank", "--threads", "100000");
        Assert.Equal(1, exit);
        Assert.Contains($"--threads must be between 1 and {bound}", stderr);
        Assert.Contains("got 100000", stderr);
        Assert.Equal(0, CliRunner.Run("verify", Fixtures.Path("gpt2-tiny"), "--threads", bound.ToString(System.Globalization.CultureInfo.InvariantCulture)).Exit);
    }

    [Fact]
    public void OptionsTakeTheirValueAfterAnEqualsSignOrAColonAndNegativeNumbersAsValues()
    {
        var (exit, stdout, stderr) = CliRunner.Run("generate", "--model=" + Fixtures.Path("stories260K"), "--ids:1", "--max-new-tokens=3",
                                                   "--scale", "L0H0=-1", "--temperature", "0", "--json");
        Assert.True(exit == 0, stderr);
        Assert.Contains("\"scales\": \"L0H0=-1\"", stdout);
    }
}
