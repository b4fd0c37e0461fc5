using HeadPursuit.Somp;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeadPursuit.Eval.Experiments;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Tests.Imaging;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Tests;
using static HeadPursuit.Cli.Tests.VisionFixtureCases;

namespace HeadPursuit.Cli.Tests;

/// <summary>
/// The vision-language verbs on qwen25-vl-tiny (no tokenizer: prompts are token ids; an image is vision start 1000, the
/// image token 1003 once or expanded, vision end 1001): generate --image against the fixture's greedy generations,
/// capture --images against its image-pooled z, capture -> rank -> steer --policy image on synthetic images of different
/// sizes (so different token counts and rotary deltas), eval with the image classification and captioning tasks, and
/// text prompts through a tokenizer.
/// </summary>
[Collection("console")]
public sealed class Qwen25VlCommandTests : IDisposable
{
    const int ImageToken = 1003, VisionStart = 1000, VisionEnd = 1001;
    readonly string _dir = Directory.CreateTempSubdirectory("hp-qwen-vl-").FullName;
    readonly string _model = Fixtures.Path("qwen25-vl-tiny");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string P(string name) => Path.Combine(_dir, name);

    static (int Exit, string Out, string Err) Hp(params string[] args) => CliRunner.Run([.. args, "--device", "cpu"]);

    static JsonElement Case(string group, string name) => VisionFixtureCases.Case("qwen25-vl-tiny", group, name);

    static int[] Collapse(int[] ids) => VisionFixtureCases.Collapse(ids, ImageToken);

    [Theory]
    [InlineData("gen_base", false)]
    [InlineData("gen_base", true)]
    [InlineData("gen_int", true)]
    [InlineData("gen_int_image", true)]
    public void GenerateWithAnImageGivesTheFixturesGreedyTokens(string name, bool collapse)
    {
        var c = Case("generation", name);
        int[] prompt = Ints(c.GetProperty("prompt_ids"));
        if (collapse) Assert.Single(Collapse(prompt), ImageToken);
        var scales = c.GetProperty("head_scales").EnumerateArray()
                      .Select(s => $"L{s.GetProperty("layer").GetInt32()}H{s.GetProperty("head").GetInt32()}={s.GetProperty("alpha").GetDouble()}").ToArray();
        string[] args = ["generate", "--model", _model, "--image", Path.Combine(_model, c.GetProperty("images")[0].GetString()!),
                         "--ids", string.Join(",", collapse ? Collapse(prompt) : prompt),
                         "--max-new-tokens", c.GetProperty("max_new_tokens").GetInt32().ToString(), "--json",
                         // The fixture generates past EOS (id 2); stop at the image token instead, which it never emits.
                         "--stop", ImageToken.ToString(), "--policy", c.GetProperty("position_policy").GetString()!];
        if (scales.Length > 0) args = [.. args, "--scale", string.Join(",", scales)];
        var (exit, stdout, stderr) = Hp(args);
        Assert.True(exit == 0, stderr);
        Assert.Equal(Ints(c.GetProperty("new_ids")), NewIds(stdout));
        Assert.Equal(prompt, Ints(JsonDocument.Parse(stdout).RootElement.GetProperty("results")[0].GetProperty("prompt_ids")));
    }

    [Fact]
    public void CaptureOfAJsonlSampleMatchesTheFixturesImagePooledZ()
    {
        var c = Case("forward", "prompt2");
        string jsonl = P("samples.jsonl");
        File.WriteAllText(jsonl, JsonSerializer.Serialize(new { image = Path.Combine(_model, c.GetProperty("images")[0].GetString()!), prompt = Collapse(Ints(c.GetProperty("input_ids"))) }) + "\n");
        var (exit, _, stderr) = Hp("capture", "--model", _model, "--images", jsonl, "--out", P("one.safetensors"));
        Assert.True(exit == 0, stderr);

        var acts = HeadActivations.Load(P("one.safetensors"));
        Assert.Equal((2, 4, 1, 16), (acts.Layers, acts.Heads, acts.Samples, acts.DHead));
        using var expected = SafeTensorsFile.Open(Fixtures.Path("qwen25-vl-tiny", "expected.safetensors"));
        var want = new float[2 * 4 * 16];   // z_image_mean [L, H, d_head] = Z [L, H, n = 1, d_head]
        expected.Get(c.GetProperty("tensors").GetProperty("z_image_mean").GetString()!).ExpectShape(2, 4, 16).CopyTo(want);
        for (int i = 0; i < want.Length; i++)
            Assert.True(Math.Abs(acts.Z[i] - want[i]) <= 1e-4 + 1e-4 * Math.Abs(want[i]), $"z_image_mean[{i}]: {acts.Z[i]} vs {want[i]}");
        Assert.Equal("mean over the image tokens", acts.Positions);
    }

    /// <summary>Six synthetic RGB images of different sizes (4 to 15 image tokens each after smart_resize).</summary>
    string WriteImages() => WriteSyntheticImages(P("images"), [.. Enumerable.Range(0, 6).Select(k => (14 + 7 * k, 30 - 3 * k))]);

    [Fact]
    public void CaptureRankSteerOnSyntheticImagesWithTheImagePolicy() =>   // images of 4 to 15 tokens packed together
        CaptureBatchedRankSteer(Hp, _model, _dir, WriteImages(), $"5,{VisionStart},{ImageToken},{VisionEnd},468,79", "5,17,99,660", [0, 5]);


    /// <summary>
    /// The repository's llava-tiny image experiment run on qwen25-vl-tiny instead (the same images and labels; the prompt
    /// ids hold vision start, the image token once, vision end), its report in the temp folder.
    /// </summary>
    string Experiment(string name)
    {
        string experiments = Path.GetFullPath(Path.Combine(Fixtures.Root, "..", "..", "experiments"));
        var o = JsonNode.Parse(File.ReadAllText(Path.Combine(experiments, name)))!.AsObject();
        o["name"] = "qwen25-vl-tiny-" + o["name"];
        o["model"] = _model;
        o["prompt_ids"] = new JsonArray(1, VisionStart, ImageToken, VisionEnd, 5, 6);
        var dataset = o["dataset"]!.AsObject();
        dataset["path"] = Path.GetFullPath(Path.Combine(experiments, (string)dataset["path"]!));
        if (dataset["images"] != null) dataset["images"] = Fixtures.Path("llava-tiny", "images");
        o["report"] = Path.Combine(_dir, "report");
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, o.ToJsonString());
        return path;
    }

    [Theory]
    [InlineData("llava-tiny-images.json", 1 + 3 * 2 * (1 + 1 + 3), "accuracy")]
    [InlineData("llava-tiny-captions.json", 1 + 2 * (1 + 1 + 3), "cider_d")]
    public void EvalRunsTheImageTasks(string name, int cells, string metric)
    {
        string file = Experiment(name);
        var (exit, _, err) = Hp("eval", file);
        Assert.True(exit == 0, err);
        string stem = Path.Combine(_dir, "report");
        var report = JsonNode.Parse(File.ReadAllText(stem + ".json"))!.AsObject();
        Assert.Equal(cells, report["cells"]!.AsArray().Count);
        Assert.All(report["cells"]!.AsArray(), c => Assert.Equal(6, c!["generations"]!.AsArray().Count));
        Assert.Contains($"## {metric} relative to the unmodified model", File.ReadAllText(stem + ".md"));
        // Steering changes some generation of the grid (the image policy reaches the model).
        var texts = report["cells"]!.AsArray().Select(c => c!["generations"]!.ToJsonString()).Distinct().Count();
        Assert.True(texts > 1);
    }

    [Fact]
    public void ATextPromptsImagePlaceholderBecomesTheImagesSpan()
    {
        // The fixture with stories260K's tokenizer, its vocabulary widened to the model's 1024 ids.
        string folder = Directory.CreateDirectory(P("qwen-tok")).FullName;
        foreach (var f in new[] { "config.json", "model.safetensors", "preprocessor_config.json" }) File.Copy(Path.Combine(_model, f), Path.Combine(folder, f));
        File.Copy(Fixtures.Path("stories260K", "tokenizer_config.json"), Path.Combine(folder, "tokenizer_config.json"));
        var tokenizer = JsonNode.Parse(File.ReadAllText(Fixtures.Path("stories260K", "tokenizer.json")))!;
        var vocab = tokenizer["model"]!["vocab"]!.AsObject();
        for (int id = 512; id < 1024; id++) vocab[$"<t{id}>"] = id;
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), tokenizer.ToJsonString());

        var tok = Tokenizer.FromFolder(folder);
        int[] before = tok.Encode("Lily saw ", addSpecialTokens: true), after = tok.Encode(" and smiled");
        string image = Path.Combine(_model, "images", "imgC_41x23_rgb.png");   // 15 image tokens
        var (exit, stdout, stderr) = Hp("generate", "--model", folder, "--image", image, "--prompt", "Lily saw <image> and smiled", "--max-new-tokens", "4", "--json");
        Assert.True(exit == 0, stderr);
        var result = JsonDocument.Parse(stdout).RootElement.GetProperty("results")[0];
        Assert.Equal([.. before, VisionStart, .. Enumerable.Repeat(ImageToken, 15), VisionEnd, .. after], Ints(result.GetProperty("prompt_ids")));
        var byIds = Hp("generate", "--model", folder, "--image", image, "--ids", string.Join(",", [.. before, VisionStart, ImageToken, VisionEnd, .. after]),
                       "--max-new-tokens", "4", "--json");
        Assert.Equal(Ints(result.GetProperty("new_ids")), NewIds(byIds.Out));
    }

    [Fact]
    public void APromptWithTheWrongImageTokenCountIsRefused()
    {
        string image = Path.Combine(_model, "images", "imgA_20x28_rgb.png");   // 8 image tokens
        var (exit, _, stderr) = Hp("generate", "--model", _model, "--image", image, "--ids", $"5,{VisionStart},{ImageToken},{ImageToken},{ImageToken},{VisionEnd}");
        Assert.Equal(1, exit);
        Assert.Contains("Image features and image tokens do not match: the prompt holds 3 image tokens (id 1003) but the images give 8 features", stderr);
    }
}
