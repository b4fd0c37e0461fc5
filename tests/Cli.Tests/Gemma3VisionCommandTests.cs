using System.Text.Json;
using System.Text.Json.Nodes;
using HeadPursuit.Eval.Experiments;
using HeadPursuit.Somp;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Tests.Imaging;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Tests;
using static HeadPursuit.Cli.Tests.VisionFixtureCases;

namespace HeadPursuit.Cli.Tests;

/// <summary>
/// The vision-language verbs on gemma3-vlm-tiny beyond the fixture's own cases (VisionCommandTests runs those; no
/// tokenizer: prompts are ids, image token 1020, 4 per image, written as "\n\n" 108, &lt;start_of_image&gt; 1000, the image
/// token, &lt;end_of_image&gt; 1001, "\n\n" 108): capture -> rank -> decompose -> steer --policy image on llava-tiny's test
/// PNGs (any size: Gemma 3 resizes without cropping), text prompts with a tokenizer beside the weights, and bad images
/// and prompts refused by name.
/// </summary>
[Collection("console")]
public sealed class Gemma3VisionCommandTests : IDisposable
{
    const int ImageToken = 1020;
    readonly string _dir = Directory.CreateTempSubdirectory("hp-gemma3-cli-").FullName;
    readonly string _model = Fixtures.Path("gemma3-vlm-tiny");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string P(string name) => Path.Combine(_dir, name);

    static (int Exit, string Out, string Err) Hp(params string[] args) => CliRunner.Run([.. args, "--device", "cpu"]);

    [Fact]
    public void CaptureRankDecomposeSteerOnPngsWithTheImagePolicy()
    {
        string images = Fixtures.Path("llava-tiny", "images");   // six PNGs: RGB, interlaced, grey, RGBA, 20x64 to 160x120
        string prompt = "2,425,113,108,1000,1020,1001,108,468,79";
        var (exit, _, stderr) = Hp("capture", "--model", _model, "--images", images, "--ids", prompt, "--batch", "4", "--out", P("acts.safetensors"));
        Assert.True(exit == 0, stderr);
        var acts = HeadActivations.Load(P("acts.safetensors"));
        Assert.Equal((4, 4, 6, 16), (acts.Layers, acts.Heads, acts.Samples, acts.DHead));

        (exit, _, stderr) = Hp("rank", "--model", _model, "--activations", P("acts.safetensors"), "--concept-ids", "shapes=5,17,99,660", "--out", P("rank"));
        Assert.True(exit == 0, stderr);
        var ranking = HeadRankingJson.Read(P("rank/shapes.somp.json"));
        Assert.Equal((4, 4, 6), (ranking.Layers, ranking.Heads, ranking.Samples));
        Assert.Contains("before post_attention_layernorm", JsonNode.Parse(File.ReadAllText(P("rank/shapes.somp.json")))!["head_output"]!.GetValue<string>());
        var top = ranking.Top(2);

        (exit, _, stderr) = Hp("decompose", "--model", _model, "--activations", P("acts.safetensors"), "--heads", top[0].ToString(),
                               "--iterations", "4", "--top", "3", "--out", P("dec"));
        Assert.True(exit == 0, stderr);
        Assert.Equal(4, JsonDocument.Parse(File.ReadAllText(P("dec/decompose.json"))).RootElement.GetProperty("heads")[0].GetProperty("token_ids").GetArrayLength());

        (exit, string json, stderr) = Hp("steer", "--model", _model, "--images", images, "--ids", prompt, "--ranking", P("rank/shapes.somp.json"),
                                         "--top", "2", "--alpha", "-1", "--policy", "image", "--max-new-tokens", "6", "--json");
        Assert.True(exit == 0, stderr);
        var rows = JsonDocument.Parse(json).RootElement.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(6, rows.Length);
        // Each row is what generate --image gives for that image, unmodified and with the heads scaled at image tokens only.
        string scale = string.Join(",", top.Select(h => $"{h}=-1"));
        string first = Directory.GetFiles(images, "*.png").Order(StringComparer.Ordinal).First();
        string[] gen = ["generate", "--model", _model, "--image", first, "--ids", prompt, "--max-new-tokens", "6", "--json"];
        Assert.Equal(Words(rows[0].GetProperty("unmodified")), NewIds(Hp(gen).Out));
        Assert.Equal(Words(rows[0].GetProperty("steered")), NewIds(Hp([.. gen, "--scale", scale, "--policy", "image"]).Out));
    }

    [Fact]
    public void TheTextPlaceholderBecomesTheImageAsGemma3ProcessorWritesIt()
    {
        // The fixture's weights with stories260K's tokenizer (its 512 ids lie inside the model's 1024).
        string model = Directory.CreateDirectory(P("with-tokenizer")).FullName;
        foreach (var f in new[] { "config.json", "model.safetensors", "preprocessor_config.json" }) File.Copy(Path.Combine(_model, f), Path.Combine(model, f));
        foreach (var f in new[] { "tokenizer.json", "tokenizer_config.json" }) File.Copy(Fixtures.Path("stories260K", f), Path.Combine(model, f));
        var tok = Tokenizer.FromFolder(model);
        string image = Path.Combine(_model, "images/img0_47x33_rgb.png");
        var (exit, stdout, stderr) = Hp("generate", "--model", model, "--image", image, "--prompt", "Lily saw <image> and smiled", "--max-new-tokens", "3", "--json");
        Assert.True(exit == 0, stderr);
        int[] before = tok.Encode("Lily saw ", addSpecialTokens: true), after = tok.Encode(" and smiled");
        Assert.Equal([.. before, 108, 1000, .. Enumerable.Repeat(ImageToken, 4), 1001, 108, .. after], Ints(Result(stdout).GetProperty("prompt_ids")));
    }

    [Fact]
    public void BadImagesAndPromptsAreRefusedByName()
    {
        string image = Path.Combine(_model, "images/img0_47x33_rgb.png");
        (int, string, string) Generate(string img, string ids) => Hp("generate", "--model", _model, "--image", img, "--ids", ids, "--max-new-tokens", "2");

        string grey16 = P("grey16.png");
        File.WriteAllBytes(grey16, TestPngEncoder.Encode(8, 8, colorType: 0, depth: 16, [.. Enumerable.Range(0, 64).Select(i => i * 1000)]));
        string strip = P("strip.png");
        File.WriteAllBytes(strip, TestPngEncoder.Encode(40, 3, colorType: 2, depth: 8, new int[40 * 3 * 3]));
        string corrupt = P("corrupt.png");
        File.WriteAllBytes(corrupt, File.ReadAllBytes(image)[..200]);
        foreach (var (img, ids, message) in new[]
        {
            (grey16, "2,108,1000,1020,1001,108", $"{grey16}: 16-bit greyscale PNG is not supported"),
            (strip, "2,108,1000,1020,1001,108", $"{strip}: a 40x3 image is too small for Gemma3ImageProcessor"),
            (corrupt, "2,108,1000,1020,1001,108", $"{corrupt}: PNG is truncated"),
            (image, "2,108,1000,1020,1020,1001,108", "Image features and image tokens do not match: the prompt holds 2 image tokens (id 1020)"),
            (image, "2,108,1000,1001,108", "the prompt ids hold no image token (id 1020)"),
        })
        {
            var (exit, _, stderr) = Generate(img, ids);
            Assert.Equal(1, exit);
            Assert.Contains(message, stderr);
        }
    }
}
