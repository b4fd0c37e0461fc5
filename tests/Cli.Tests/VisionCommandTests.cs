using HeadPursuit.Somp;
using System.Text.Json;
using HeadPursuit.Eval.Experiments;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Tests;
using static HeadPursuit.Cli.Tests.VisionFixtureCases;

namespace HeadPursuit.Cli.Tests;

/// <summary>
/// The vision-language verbs on the fixtures (no tokenizer: prompts are token ids): generate --image against each
/// fixture's greedy generations and capture --images against its image-pooled z (llava-tiny: image token 1023, 16 image
/// tokens; gemma3-vlm-tiny: 1020, 4), and capture -> rank -> steer --policy image end to end on llava-tiny with
/// synthetic images written by the test.
/// </summary>
[Collection("console")]
public sealed class VisionCommandTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-vlm-").FullName;
    readonly string _model = Fixtures.Path("llava-tiny");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string P(string name) => Path.Combine(_dir, name);

    static (int Exit, string Out, string Err) Hp(params string[] args) => CliRunner.Run([.. args, "--device", "cpu"]);

    [Theory]
    [InlineData("llava-tiny", "gen_base", false)]
    [InlineData("llava-tiny", "gen_base", true)]
    [InlineData("llava-tiny", "gen_int", true)]
    [InlineData("gemma3-vlm-tiny", "gen_base", false)]
    [InlineData("gemma3-vlm-tiny", "gen_base", true)]
    [InlineData("gemma3-vlm-tiny", "gen_int", true)]
    [InlineData("gemma3-vlm-tiny", "gen_int_image", true)]
    public void GenerateWithAnImageGivesTheFixturesGreedyTokens(string fixture, string name, bool collapse)
    {
        var c = Case(fixture, "generation", name);
        int token = ImageToken(fixture);
        int[] prompt = Ints(c.GetProperty("prompt_ids"));
        if (collapse) Assert.Single(Collapse(prompt, token), token);
        string[] args = ["generate", "--model", Fixtures.Path(fixture), "--image", FirstImage(fixture, c),
                         "--ids", string.Join(",", collapse ? Collapse(prompt, token) : prompt),
                         "--max-new-tokens", c.GetProperty("max_new_tokens").GetInt32().ToString(), "--json",
                         // The fixtures generate past EOS; stop at the image token instead, which they never emit.
                         "--stop", token.ToString(), "--policy", c.GetProperty("position_policy").GetString()!];
        if (ScaleOption(c) is { Length: > 0 } scales) args = [.. args, "--scale", scales];
        var (exit, stdout, stderr) = Hp(args);
        Assert.True(exit == 0, stderr);
        Assert.Equal(Ints(c.GetProperty("new_ids")), NewIds(stdout));
        Assert.Equal(prompt, Ints(Result(stdout).GetProperty("prompt_ids")));
    }

    [Theory]
    [InlineData("llava-tiny")]
    [InlineData("gemma3-vlm-tiny")]
    public void CaptureOfAJsonlSampleMatchesTheFixturesImagePooledZ(string fixture)
    {
        var c = Case(fixture, "forward", "prompt0");
        var dims = Root(fixture).GetProperty("dims");
        int L = dims.GetProperty("n_layers").GetInt32(), H = dims.GetProperty("n_heads").GetInt32(), dh = dims.GetProperty("d_head").GetInt32();
        int token = ImageToken(fixture);
        string jsonl = P("samples.jsonl");
        File.WriteAllText(jsonl, JsonSerializer.Serialize(new { image = FirstImage(fixture, c), prompt = Collapse(Ints(c.GetProperty("input_ids")), token) }) + "\n");
        var (exit, _, stderr) = Hp("capture", "--model", Fixtures.Path(fixture), "--images", jsonl, "--out", P("one.safetensors"));
        Assert.True(exit == 0, stderr);

        var acts = HeadActivations.Load(P("one.safetensors"));
        Assert.Equal((L, H, 1, dh), (acts.Layers, acts.Heads, acts.Samples, acts.DHead));
        using var expected = SafeTensorsFile.Open(Fixtures.Path(fixture, "expected.safetensors"));
        var want = new float[L * H * dh];   // z_image_mean [L, H, d_head] = Z [L, H, n = 1, d_head]
        expected.Get(c.GetProperty("tensors").GetProperty("z_image_mean").GetString()!).ExpectShape(L, H, dh).CopyTo(want);
        for (int i = 0; i < want.Length; i++)
            Assert.True(Math.Abs(acts.Z[i] - want[i]) <= 1e-4 + 1e-4 * Math.Abs(want[i]), $"z_image_mean[{i}]: {acts.Z[i]} vs {want[i]}");
        Assert.Equal("mean over the image tokens", acts.Positions);
        Assert.Equal(64, acts.Metadata["config_sha256"].Length);
    }

    /// <summary>Six synthetic RGB images, each a different colour gradient and size (all larger than the 32x32 crop).</summary>
    string WriteImages() => WriteSyntheticImages(P("images"), [.. Enumerable.Range(0, 6).Select(k => (36 + 5 * k, 34 + 3 * k))]);

    [Fact]
    public void CaptureRankSteerOnSyntheticImagesWithTheImagePolicy()
    {
        string images = WriteImages();
        string prompt = "1,425,113,1023,468,79";
        var (exit, _, stderr) = Hp("capture", "--model", _model, "--images", images, "--ids", prompt, "--batch", "4", "--out", P("acts.safetensors"));
        Assert.True(exit == 0, stderr);
        var acts = HeadActivations.Load(P("acts.safetensors"));
        Assert.Equal((2, 4, 6, 16), (acts.Layers, acts.Heads, acts.Samples, acts.DHead));

        // Shards joined by merge equal the single run.
        Assert.Equal(0, Hp("capture", "--model", _model, "--images", images, "--ids", prompt, "--shard", "0/2", "--out", P("a.safetensors")).Exit);
        Assert.Equal(0, Hp("capture", "--model", _model, "--images", images, "--ids", prompt, "--shard", "1/2", "--out", P("b.safetensors")).Exit);
        Assert.Equal(0, CliRunner.Run("merge", "--out", P("merged.safetensors"), P("a.safetensors"), P("b.safetensors")).Exit);
        Assert.Equal(acts.Z, HeadActivations.Load(P("merged.safetensors")).Z);

        (exit, _, stderr) = Hp("rank", "--model", _model, "--activations", P("acts.safetensors"), "--concept-ids", "shapes=5,17,99,660",
                               "--out", P("rank"));
        Assert.True(exit == 0, stderr);
        Assert.Equal([5, 17, 99, 660], Ints(JsonDocument.Parse(File.ReadAllText(P("rank/shapes.somp.json"))).RootElement.GetProperty("token_ids")));
        var ranking = HeadRankingJson.Read(P("rank/shapes.somp.json"));
        Assert.Equal((2, 4, 6), (ranking.Layers, ranking.Heads, ranking.Samples));
        Assert.Contains("Tokens: 5, 17, 99, 660", File.ReadAllText(P("rank/shapes.dictionary.md")));
        var top = ranking.Top(2);
        Assert.Equal(ranking.Entries[0].SelectedTokenIds.Length, ranking.Iterations);

        // decompose without a tokenizer: tokens shown by id.
        (exit, string table, stderr) = Hp("decompose", "--model", _model, "--activations", P("acts.safetensors"), "--heads", top[0].ToString(),
                                          "--iterations", "4", "--top", "3", "--out", P("dec"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("no tokenizer.json", stderr);
        var head = JsonDocument.Parse(File.ReadAllText(P("dec/decompose.json"))).RootElement.GetProperty("heads")[0];
        Assert.Equal(Ints(head.GetProperty("token_ids")).Select(id => $"#{id}"), head.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()));
        Assert.Contains($"| {top[0]} |", table);
        (exit, _, stderr) = Hp("decompose", "--model", _model, "--activations", P("acts.safetensors"), "--heads", "L2H0", "--out", P("dec"));
        Assert.Equal(1, exit);
        Assert.Contains("L2H0 is outside the model's 2 layers x 4 heads", stderr);

        (exit, string json, stderr) = Hp("steer", "--model", _model, "--images", images, "--ids", prompt, "--ranking", P("rank/shapes.somp.json"),
                                         "--top", "2", "--alpha", "-1", "--policy", "image", "--max-new-tokens", "6", "--json");
        Assert.True(exit == 0, stderr);
        AssertSteerColumnsAreGenerations(Hp, json, _model, images, prompt, top, [0, 1, 2, 3, 4, 5]);
    }
}
