using HeadPursuit.Tests;

namespace HeadPursuit.Cli.Tests;

/// <summary>
/// A prompt must fit in the model's positions (TinyWorld has 128) with the tokens to generate: otherwise it is refused
/// before anything is generated, naming the prompt and both lengths.
/// </summary>
[Collection("console")]
public sealed class PromptLengthTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-prompt-length-").FullName;
    readonly string _model = Fixtures.Path("tinyworld-gpt2");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static string Ids(int count) => string.Join(",", Enumerable.Repeat(262, count));   // 262 = " the"

    (int Exit, string Out, string Err) Hp(params string[] args) => CliRunner.Run([.. args, "--model", _model, "--device", "cpu"]);

    [Fact]
    public void APromptLongerThanThePositionsIsRefusedBeforeGenerating()
    {
        var (exit, stdout, stderr) = Hp("generate", "--ids", Ids(129), "--max-new-tokens", "0");
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Contains("error: --ids is 129 tokens long, longer than the model's 128 positions", stderr);
    }

    [Fact]
    public void APromptThatLeavesNoRoomForTheNewTokensIsRefusedNamingBothLengths()
    {
        var (exit, stdout, stderr) = Hp("generate", "--ids", Ids(100), "--max-new-tokens", "29");
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Contains("error: --ids is 100 tokens long: with --max-new-tokens 29 it needs 129 positions, more than the model's 128", stderr);
        Assert.Equal(0, Hp("generate", "--ids", Ids(100), "--max-new-tokens", "28", "--json").Exit);   // exactly full: fine
    }

    [Fact]
    public void ALongLineOfAPromptFileIsNamedByItsNumber()
    {
        string prompts = Path.Combine(_dir, "prompts.txt");
        File.WriteAllLines(prompts, ["Lily saw a", string.Join(" ", Enumerable.Repeat("the red ball", 60)), "Tom had a"]);
        var (exit, stdout, stderr) = Hp("steer", "--prompt-file", prompts, "--heads", "L0H0");
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Matches(@"error: prompt 2 of .*prompts\.txt is 180 tokens long, longer than the model's 128 positions", stderr);

        (exit, _, stderr) = Hp("capture", "--prompts", prompts, "--out", Path.Combine(_dir, "acts.safetensors"));
        Assert.Equal(1, exit);
        Assert.Contains("prompt 2 of", stderr);
        Assert.Contains("is 180 tokens long", stderr);
        Assert.False(File.Exists(Path.Combine(_dir, "acts.safetensors")));

        (exit, _, stderr) = Hp("rank", "--prompts", prompts, "--concept", "colours", "--out", _dir);
        Assert.Equal(1, exit);
        Assert.Contains("is 180 tokens long, longer than the model's 128 positions", stderr);
    }
}
