using HeadPursuit.Tests;

namespace HeadPursuit.Cli.Tests;

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
    public void VerifyChecksTokenizerFixtures()
    {
        var (exit, stdout, _) = CliRunner.Run("verify", Fixtures.Path("gpt2-tokenizer"));
        Assert.Equal(0, exit);
        Assert.Contains("ok   tok0         ids_raw", stdout);
        Assert.Contains("gpt2-tokenizer: 180 passed, 0 failed", stdout);
    }

    [Fact]
    public void VerifyRunsAClassifierFixtureWithItsBatchesAndTokenizerCases()
    {
        var (exit, stdout, _) = CliRunner.Run("verify", Fixtures.Path("roberta-cls-tiny"));
        Assert.Equal(0, exit);
        Assert.Contains("ok   seq3         logits", stdout);
        Assert.Contains("ok   batch_left   last_hidden_state", stdout);
        Assert.Contains("ok   tok9         ids+special", stdout);
        Assert.Contains("roberta-cls-tiny: 116 passed, 0 failed", stdout);   // 5 texts x 12 checks, the batches 5 + 3, 12 tokenizer cases x 4
    }

    [Fact]
    public void AClassifierCannotGenerate()
    {
        var (exit, _, stderr) = CliRunner.Run("generate", "--model", Fixtures.Path("roberta-cls-tiny"), "--prompt", "Hello", "--device", "cpu");
        Assert.Equal(1, exit);
        Assert.Contains("model_type \"roberta\" is a sequence classifier: it scores texts", stderr);
    }

    [Fact]
    public void GreedyGenerationFromBosGivesTheGoldenStory()
    {
        var (exit, stdout, stderr) = CliRunner.Run("generate", "--model", Fixtures.Path("stories260K"), "--ids", "1", "--max-new-tokens", "8", "--stop", "2");
        Assert.Equal(0, exit);
        Assert.Equal("Once upon a time, there was a", stdout.Trim());   // ids 403 407 261 378 432 383 286 261, decoded
        Assert.Contains("tok/s", stderr);
    }

    [Fact]
    public void TextPromptStreamsDecodedText()
    {
        var (exit, stdout, _) = CliRunner.Run("generate", "--model", Fixtures.Path("stories260K"), "--prompt", "Once upon a time", "--max-new-tokens", "12");
        Assert.Equal(0, exit);
        Assert.StartsWith(", there was a little girl named Lily", stdout);
    }

    [Fact]
    public void JsonOutputCarriesIdsTextAndTiming()
    {
        var (exit, stdout, _) = CliRunner.Run("generate", "--model", Fixtures.Path("tinyworld-gpt2"), "--prompt", "Question: What is the capital of France? Answer:",
                                              "--max-new-tokens", "2", "--json");
        Assert.Equal(0, exit);
        using var doc = System.Text.Json.JsonDocument.Parse(stdout);
        var r = doc.RootElement.GetProperty("results")[0];
        Assert.Equal(" Paris", r.GetProperty("text").GetString()![..6]);
        Assert.Equal(11, r.GetProperty("prompt_ids").GetArrayLength());
        Assert.True(doc.RootElement.GetProperty("decode_tokens_per_s").GetDouble() > 0);
    }

    [Theory]
    [InlineData("error: missing --out", "capture", "--model", "M", "--prompts", "p.txt")]
    [InlineData("unknown option '--temprature' for headpursuit generate (did you mean --temperature?)", "generate", "--model", "M", "--ids", "1", "--temprature", "1")]
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
