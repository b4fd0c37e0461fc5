using System.Text.Json;
using System.Text.Json.Nodes;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Tests;

namespace HeadPursuit.Cli.Tests;

/// <summary>
/// Image prompts through the command line: text with the &lt;image&gt; placeholder (on llava-tiny given the
/// stories260K tokenizer, widened to llava-tiny's 1024 ids), and the errors for bad image input.
/// </summary>
[Collection("console")]
public sealed class VisionPromptTests : IDisposable
{
    const int ImageToken = 1023;
    readonly string _dir = Directory.CreateTempSubdirectory("hp-vlmprompt-").FullName;
    readonly string _llava = Fixtures.Path("llava-tiny");
    readonly string _image = Fixtures.Path("llava-tiny", "images/img0_47x33_rgb.png");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static (int Exit, string Out, string Err) Hp(params string[] args) => CliRunner.Run([.. args, "--device", "cpu"]);

    /// <summary>llava-tiny with a tokenizer: its config, weights and preprocessor, plus stories260K's tokenizer files.</summary>
    string LlavaWithTokenizer()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_dir, "llava-tok")).FullName;
        foreach (var f in new[] { "config.json", "model.safetensors", "preprocessor_config.json" })
            File.Copy(Path.Combine(_llava, f), Path.Combine(folder, f));
        File.Copy(Fixtures.Path("stories260K", "tokenizer_config.json"), Path.Combine(folder, "tokenizer_config.json"));
        // Ids 512..1023 (llava-tiny generates them) added as plain tokens "<t512>"..., so generated text decodes.
        var tokenizer = JsonNode.Parse(File.ReadAllText(Fixtures.Path("stories260K", "tokenizer.json")))!;
        var vocab = tokenizer["model"]!["vocab"]!.AsObject();
        Assert.Equal(512, vocab.Count);
        for (int id = 512; id < 1024; id++) vocab[$"<t{id}>"] = id;
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), tokenizer.ToJsonString());
        return folder;
    }

    static int[] Ids(JsonElement e) => [.. e.EnumerateArray().Select(x => x.GetInt32())];

    static JsonElement Generate(params string[] args)
    {
        var (exit, stdout, stderr) = Hp(["generate", .. args, "--max-new-tokens", "4", "--json"]);
        Assert.True(exit == 0, stderr);
        return JsonDocument.Parse(stdout).RootElement.GetProperty("results")[0].Clone();
    }

    [Fact]
    public void TextPromptPlaceholderBecomesTheImageTokensBetweenTheEncodedParts()
    {
        string model = LlavaWithTokenizer();
        var tok = Tokenizer.FromFolder(model);
        int[] before = tok.Encode("Lily saw ", addSpecialTokens: true), after = tok.Encode(" and smiled");
        Assert.Equal(1, before[0]);   // BOS
        var byText = Generate("--model", model, "--image", _image, "--prompt", "Lily saw <image> and smiled");
        Assert.Equal([.. before, .. Enumerable.Repeat(ImageToken, 16), .. after], Ids(byText.GetProperty("prompt_ids")));

        // The same ids typed by hand (the image token once) generate the same tokens.
        var byIds = Generate("--model", model, "--image", _image, "--ids", string.Join(",", [.. before, ImageToken, .. after]));
        Assert.Equal(Ids(byText.GetProperty("new_ids")), Ids(byIds.GetProperty("new_ids")));
    }

    [Fact]
    public void DefaultPromptDescribesTheImage()
    {
        string model = LlavaWithTokenizer();
        var ids = Ids(Generate("--model", model, "--image", _image).GetProperty("prompt_ids"));
        Assert.Equal([1, .. Enumerable.Repeat(ImageToken, 16)], ids[..17]);
        Assert.Equal(Tokenizer.FromFolder(model).Encode("\nDescribe the image."), ids[17..]);
    }

    [Theory]
    [InlineData("1,5,1023,1023,7", "Image features and image tokens do not match: the prompt holds 2 image tokens (id 1023)")]
    [InlineData("1,5,7", "the prompt ids hold no image token (id 1023)")]
    public void ImageTokenCountsOtherThanOneOrNImgAreRefused(string ids, string message)
    {
        var (exit, _, stderr) = Hp("generate", "--model", _llava, "--image", _image, "--ids", ids);
        Assert.Equal(1, exit);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public void AFileThatIsNotPngOrJpegIsRefusedByName()
    {
        string fake = Path.Combine(_dir, "fake.png");
        File.WriteAllText(fake, "not an image at all");
        var (exit, _, stderr) = Hp("generate", "--model", _llava, "--image", fake, "--ids", "1,1023");
        Assert.Equal(1, exit);
        Assert.Contains($"{fake}: not a PNG or JPEG image", stderr);
    }

    [Fact]
    public void ImagesNeedAVisionLanguageModel()
    {
        string stories = Fixtures.Path("stories260K");
        var (exit, _, stderr) = Hp("generate", "--model", stories, "--image", _image, "--prompt", "<image> Once");
        Assert.Equal(1, exit);
        Assert.Contains("--image needs a vision-language model, but", stderr);
        Assert.Contains("text-only model (model_type \"llama\")", stderr);

        (exit, _, stderr) = Hp("capture", "--model", stories, "--images", _image, "--prompt", "<image> Once", "--out", Path.Combine(_dir, "x.safetensors"));
        Assert.Equal(1, exit);
        Assert.Contains("--images needs a vision-language model", stderr);

        (exit, _, stderr) = Hp("generate", "--model", _llava, "--ids", "1,5", "--policy", "image");
        Assert.Equal(1, exit);
        Assert.Contains("--policy image scales heads at image tokens: it needs --image", stderr);
    }

    [Fact]
    public void TextPromptsWithoutATokenizerAskForIds()
    {
        var (exit, _, stderr) = Hp("generate", "--model", _llava, "--image", _image, "--prompt", "<image> hello");
        Assert.Equal(1, exit);
        Assert.Contains("no tokenizer.json, so prompts must be token ids holding the image token 1023", stderr);
    }

    [Fact]
    public void ConceptIdsOutsideTheVocabularyAreRefused()
    {
        string jsonl = Path.Combine(_dir, "one.jsonl");
        File.WriteAllText(jsonl, JsonSerializer.Serialize(new { image = _image, prompt = new[] { 1, 1023 } }) + "\n");
        string acts = Path.Combine(_dir, "acts.safetensors");
        Assert.Equal(0, Hp("capture", "--model", _llava, "--images", jsonl, "--out", acts).Exit);
        var (exit, _, stderr) = Hp("rank", "--model", _llava, "--activations", acts, "--concept-ids", "big=5,4096", "--out", _dir);
        Assert.Equal(1, exit);
        Assert.Contains("--concept-ids big: '4096' is not a token id in [0, 1024)", stderr);
    }
}
