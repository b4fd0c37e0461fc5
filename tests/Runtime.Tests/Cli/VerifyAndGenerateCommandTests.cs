using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Cli;

[Collection("console")]
public sealed class VerifyAndGenerateCommandTests
{
    [Fact]
    public void VerifyPrintsOneLinePerTensorAndSucceeds()
    {
        var (exit, stdout, _) = CliRunner.Run("verify", Fixtures.Path("gpt2-tiny"));
        Assert.Equal(0, exit);
        Assert.Contains("ok   seq2         head_out", stdout);
        Assert.Contains("gpt2-tiny: 28 passed, 0 failed", stdout);
    }

    [Fact]
    public void GreedyGenerationFromBosGivesTheGoldenStory()
    {
        var (exit, stdout, stderr) = CliRunner.Run("generate", "--model", Fixtures.Path("stories260K"), "--ids", "1", "--max-new-tokens", "8", "--stop", "2");
        Assert.Equal(0, exit);
        Assert.Equal("403 407 261 378 432 383 286 261", stdout.Trim());
        Assert.Contains("tok/s", stderr);
    }

    [Theory]
    [InlineData("error: missing --model", "generate", "--ids", "1")]
    [InlineData("unknown option: --temprature", "generate", "--model", "M", "--ids", "1", "--temprature", "1")]
    [InlineData("unknown command 'rnak'", "rnak")]
    public void BadCommandLinesAreExplained(string expected, params string[] args)
    {
        var (exit, _, stderr) = CliRunner.Run(args);
        Assert.NotEqual(0, exit);
        Assert.Contains(expected, stderr);
    }

    [Fact]
    public void OutOfRangeHeadIsNamed()
    {
        var (exit, _, stderr) = CliRunner.Run("generate", "--model", Fixtures.Path("stories260K"), "--ids", "1", "--scale", "L9H0=-1");
        Assert.Equal(1, exit);
        Assert.Contains("head L9H0 is out of range", stderr);
    }

    [Fact]
    public void MissingModelFolderIsNamed()
    {
        var (exit, _, stderr) = CliRunner.Run("generate", "--model", "/nonexistent/model", "--ids", "1");
        Assert.Equal(1, exit);
        Assert.Contains("/nonexistent/model", stderr);
    }
}
