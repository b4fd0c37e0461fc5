using HeadPursuit.Somp;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeadPursuit.Eval.Experiments;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Tests;
using static HeadPursuit.Cli.Tests.VisionFixtureCases;

namespace HeadPursuit.Cli.Tests;

/// <summary>
/// The vision-language verbs on llava-next-tiny (image token 500; an image takes 16 base tokens plus its unpadded map):
/// generate --image against the fixture's greedy generations, capture --images against its image-pooled z, capture ->
/// rank -> steer --policy image on synthetic images of different sizes, text prompts with stories260K's tokenizer beside
/// the weights, and eval with the image classification and captioning tasks.
/// </summary>
[Collection("console")]
public sealed class LlavaNextCommandTests : IDisposable
{
    const int ImageToken = 500;
    readonly string _dir = Directory.CreateTempSubdirectory("hp-llava-next-").FullName;
    readonly string _model = Fixtures.Path("llava-next-tiny");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string P(string name) => Path.Combine(_dir, name);

    static (int Exit, string Out, string Err) Hp(params string[] args) => CliRunner.Run([.. args, "--device", "cpu"]);

    string Image(JsonElement c) => Path.Combine(_model, c.GetProperty("images")[0].GetString()!);

    [Theory]
    [InlineData("gen_base", false)]
    [InlineData("gen_base", true)]
    [InlineData("gen_int", true)]
    [InlineData("gen_int_image", true)]
    public void GenerateWithAnImageGivesTheFixturesGreedyTokens(string name, bool collapse)
    {
        var c = Case("llava-next-tiny", "generation", name);
        int[] prompt = Ints(c.GetProperty("prompt_ids"));
        if (collapse) Assert.Single(Collapse(prompt, ImageToken), ImageToken);
        string[] args = ["generate", "--model", _model, "--image", Image(c), "--ids", string.Join(",", collapse ? Collapse(prompt, ImageToken) : prompt),
                         "--max-new-tokens", c.GetProperty("max_new_tokens").GetInt32().ToString(), "--json",
                         // The fixture generates past EOS (id 2); stop at the image token instead, which it never emits.
                         "--stop", ImageToken.ToString(), "--policy", c.GetProperty("position_policy").GetString()!];
        if (ScaleOption(c) is { Length: > 0 } scales) args = [.. args, "--scale", scales];
        var (exit, stdout, stderr) = Hp(args);
        Assert.True(exit == 0, stderr);
        Assert.Equal(Ints(c.GetProperty("new_ids")), Ints(Result(stdout).GetProperty("new_ids")));
        Assert.Equal(prompt, Ints(Result(stdout).GetProperty("prompt_ids")));   // 88 image tokens for the 30x30 image
    }

    [Fact]
    public void CaptureOfAJsonlSampleMatchesTheFixturesImagePooledZ()
    {
        var c = Case("llava-next-tiny", "forward", "prompt0");
        string jsonl = P("samples.jsonl");
        File.WriteAllText(jsonl, JsonSerializer.Serialize(new { image = Image(c), prompt = Collapse(Ints(c.GetProperty("input_ids")), ImageToken) }) + "\n");
        var (exit, _, stderr) = Hp("capture", "--model", _model, "--images", jsonl, "--out", P("one.safetensors"));
        Assert.True(exit == 0, stderr);

        var acts = HeadActivations.Load(P("one.safetensors"));
        Assert.Equal((2, 4, 1, 16), (acts.Layers, acts.Heads, acts.Samples, acts.DHead));
        using var expected = SafeTensorsFile.Open(Fixtures.Path("llava-next-tiny", "expected.safetensors"));
        var want = new float[2 * 4 * 16];   // z_image_mean [L, H, d_head] = Z [L, H, n = 1, d_head]
        expected.Get(c.GetProperty("tensors").GetProperty("z_image_mean").GetString()!).ExpectShape(2, 4, 16).CopyTo(want);
        for (int i = 0; i < want.Length; i++)
            Assert.True(Math.Abs(acts.Z[i] - want[i]) <= 1e-4 + 1e-4 * Math.Abs(want[i]), $"z_image_mean[{i}]: {acts.Z[i]} vs {want[i]}");
        Assert.Equal("mean over the image tokens", acts.Positions);
    }

    /// <summary>Six synthetic RGB images of different sizes and aspect ratios (so different grids, unpadding and token counts).</summary>
    string WriteImages() => WriteSyntheticImages(P("images"), [(20, 37), (45, 18), (30, 30), (13, 29), (60, 24), (33, 40)]);

    [Fact]
    public void CaptureRankSteerOnSyntheticImagesWithTheImagePolicy() =>   // four images of different token counts (grids, unpadding) packed together
        CaptureBatchedRankSteer(Hp, _model, _dir, WriteImages(), $"1,184,378,{ImageToken},432,252", "5,17,99,460", [0, 4]);

    /// <summary>llava-next-tiny with stories260K's tokenizer (512 ids, the fixture's vocabulary size) beside it.</summary>
    string ModelWithTokenizer()
    {
        string folder = Directory.CreateDirectory(P("llava-next-tok")).FullName;
        foreach (var f in new[] { "config.json", "model.safetensors", "preprocessor_config.json" })
            File.Copy(Path.Combine(_model, f), Path.Combine(folder, f));
        foreach (var f in new[] { "tokenizer.json", "tokenizer_config.json" }) File.Copy(Fixtures.Path("stories260K", f), Path.Combine(folder, f));
        return folder;
    }

    [Fact]
    public void TextPromptPlaceholderBecomesTheImagesTokenCount()
    {
        string model = ModelWithTokenizer();
        string image = Path.Combine(_model, "images", "img0_20x37_rgb.png");   // 56 image tokens
        var tok = Tokenizer.FromFolder(model);
        int[] before = tok.Encode("Lily saw ", addSpecialTokens: true), after = tok.Encode(" and smiled");
        var (exit, stdout, stderr) = Hp("generate", "--model", model, "--image", image, "--prompt", "Lily saw <image> and smiled", "--max-new-tokens", "4", "--json");
        Assert.True(exit == 0, stderr);
        var byText = Result(stdout);
        Assert.Equal([.. before, .. Enumerable.Repeat(ImageToken, 56), .. after], Ints(byText.GetProperty("prompt_ids")));

        // The same ids typed by hand (the image token once) generate the same tokens.
        (exit, stdout, stderr) = Hp("generate", "--model", model, "--image", image, "--ids", string.Join(",", [.. before, ImageToken, .. after]), "--max-new-tokens", "4", "--json");
        Assert.True(exit == 0, stderr);
        Assert.Equal(Ints(byText.GetProperty("new_ids")), Ints(Result(stdout).GetProperty("new_ids")));
    }

    [Theory]
    [InlineData("1,5,500,500,7", "Image features and image tokens do not match: the prompt holds 2 image tokens (id 500) but the images give 56 features")]
    [InlineData("1,5,7", "the prompt ids hold no image token (id 500)")]
    public void ImageTokenCountsOtherThanOneOrTheImagesCountAreRefused(string ids, string message)
    {
        var (exit, _, stderr) = Hp("generate", "--model", _model, "--image", Path.Combine(_model, "images", "img0_20x37_rgb.png"), "--ids", ids);
        Assert.Equal(1, exit);
        Assert.Contains(message, stderr);
        Assert.DoesNotContain("   at ", stderr);   // no stack trace
    }

    /// <summary>An image experiment on the fixture's six PNGs (token ids, no tokenizer), its report in the temp folder.</summary>
    string Experiment(string format)
    {
        string images = Fixtures.Path("llava-next-tiny", "images");
        var files = Directory.GetFiles(images, "*.png").Order(StringComparer.Ordinal).ToArray();
        string data;
        if (format == "image_classification")
        {
            data = P("classes.csv");
            File.WriteAllLines(data, ["path,label", .. files.Select((f, i) => $"{f},{(i % 2 == 0 ? 17 : 42)}")]);
        }
        else
        {
            data = P("captions.json");
            File.WriteAllText(data, new JsonObject(files.Select((f, i) => KeyValuePair.Create(Path.GetFileName(f), (JsonNode?)new JsonArray($"17 {i} 5", "42 9"))))
                                    .ToJsonString());
        }
        var dataset = new JsonObject { ["format"] = format, ["path"] = data };
        if (format == "image_captions") dataset["images"] = images;
        var o = new JsonObject
        {
            ["name"] = "llava-next-tiny-" + format, ["model"] = _model, ["dataset"] = dataset,
            ["prompt_ids"] = new JsonArray(1, ImageToken, 5, 6), ["concept"] = "tiny", ["concept_ids"] = new JsonArray(17, 42, 99),
            ["k"] = new JsonArray(2), ["alphas"] = new JsonArray(-1, 5), ["policy"] = "image",
            ["selections"] = new JsonArray("somp", "logit_lens", "random"), ["random_draws"] = 2, ["seed"] = 1,
            ["decoding"] = new JsonObject { ["max_new_tokens"] = 6 },
            ["metrics"] = format == "image_classification" ? new JsonArray("accuracy", "concept_frequency") : new JsonArray("concept_frequency", "cider_d"),
            ["batch"] = 4, ["report"] = P("report-" + format),
        };
        string path = P(format + ".json");
        File.WriteAllText(path, o.ToJsonString());
        return path;
    }

    [Theory]
    [InlineData("image_classification", "accuracy")]
    [InlineData("image_captions", "cider_d")]
    public void EvalRunsTheImageTasksAndReports(string format, string metric)
    {
        var (exit, _, err) = Hp("eval", Experiment(format));
        Assert.True(exit == 0, err);
        string stem = P("report-" + format);
        var report = JsonNode.Parse(File.ReadAllText(stem + ".json"))!.AsObject();
        Assert.Equal(1 + 1 * 2 * (1 + 1 + 2), report["cells"]!.AsArray().Count);   // unmodified + k x alphas x (somp, logit lens, 2 random draws)
        Assert.All(report["cells"]!.AsArray(), c => Assert.Equal(6, c!["generations"]!.AsArray().Count));
        Assert.Contains($"## {metric} relative to the unmodified model", File.ReadAllText(stem + ".md"));
        Assert.True(File.Exists(stem + ".somp.svg"));
    }
}
