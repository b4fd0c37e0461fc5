using System.Text.Json.Nodes;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Tests;

namespace HeadPursuit.Cli.Tests;

/// <summary>
/// Every model family through the same commands: capture -> rank -> decompose -> steer -> generate --scale -> eval, on
/// each family's fixture weights with stories260K's tokenizer beside them (its 512 ids all exist in the fixtures'
/// vocabularies of 1024), so the commands read text prompts and concept words as for a real model.
/// </summary>
[Collection("console")]
public sealed class EveryFamilyCommandTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-families-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static (int Exit, string Out, string Err) Hp(params string[] args) => CliRunner.Run([.. args, "--device", "cpu"]);

    string P(params string[] parts) => Path.Combine([_dir, .. parts]);

    /// <summary>A model folder: the fixture's config and weights, stories260K's tokenizer.</summary>
    string Model(string fixture)
    {
        string folder = P(fixture);
        Directory.CreateDirectory(folder);
        foreach (var f in new[] { "config.json", "model.safetensors" }) File.Copy(Fixtures.Path(fixture, f), Path.Combine(folder, f));
        foreach (var f in new[] { "tokenizer.json", "tokenizer_config.json" }) File.Copy(Fixtures.Path("stories260K", f), Path.Combine(folder, f));
        return folder;
    }

    [Theory]
    [InlineData("llama3-rope-tiny", "is added to the residual stream as it is")]
    [InlineData("qwen3-tiny", "is added to the residual stream as it is")]
    [InlineData("pythia-tiny", "is added to the residual stream as it is")]
    [InlineData("gemma2-tiny", "before post_attention_layernorm")]
    [InlineData("gemma3-text-tiny", "before post_attention_layernorm")]
    public void EveryCommandRunsOnTheFamily(string fixture, string headOutput)
    {
        string model = Model(fixture);
        string prompts = P("prompts.txt");
        string[] colours = ["red", "blue", "green", "yellow", "pink"];
        File.WriteAllLines(prompts, Enumerable.Range(0, 12).Select(i => $"Lily saw a {colours[i % 5]} ball in the park."));

        var (exit, _, err) = Hp("capture", "--model", model, "--prompts", prompts, "--batch", "5", "--out", P("acts.safetensors"));
        Assert.True(exit == 0, err);
        var acts = HeadActivations.Load(P("acts.safetensors"));
        Assert.Equal(12, acts.Samples);

        (exit, _, err) = Hp("rank", "--model", model, "--activations", P("acts.safetensors"), "--concept", "colours", "--out", P("rank"));
        Assert.True(exit == 0, err);
        var ranking = JsonNode.Parse(File.ReadAllText(P("rank", "colours.somp.json")))!;
        Assert.Contains(headOutput, (string)ranking["head_output"]!);
        Assert.Equal(acts.Layers * acts.Heads, ranking["ranking"]!.AsArray().Count);

        (exit, _, err) = Hp("decompose", "--model", model, "--activations", P("acts.safetensors"), "--heads", "L1H3", "--iterations", "4", "--out", P("dec"));
        Assert.True(exit == 0, err);
        Assert.Contains(headOutput, (string)JsonNode.Parse(File.ReadAllText(P("dec", "decompose.json")))!["head_output"]!);

        (exit, string json, err) = Hp("steer", "--model", model, "--prompt-file", prompts, "--ranking", P("rank", "colours.somp.json"), "--top", "2",
                                      "--alpha", "-1", "--max-new-tokens", "6", "--json");
        Assert.True(exit == 0, err);
        Assert.Equal(12, JsonNode.Parse(json)!["results"]!.AsArray().Count);

        // Suppressing (alpha -1) and ablating (alpha 0) a head change what the model writes (ids: those past the
        // tokenizer's 512 have no text).
        string[] gen = ["generate", "--model", model, "--prompt", "Lily saw a red ball", "--max-new-tokens", "8", "--json"];
        string NewIds(string[] args) => JsonNode.Parse(Hp(args).Out)!["results"]![0]!["new_ids"]!.ToJsonString();
        Assert.NotEqual(NewIds(gen), NewIds([.. gen, "--scale", "L0H1=-1,L1H3=0"]));

        string experiment = P("experiment.json");
        File.WriteAllText(experiment, new JsonObject
        {
            ["name"] = fixture, ["model"] = model,
            ["dataset"] = new JsonObject { ["format"] = "prompts", ["path"] = prompts, ["limit"] = 4 },
            ["concept"] = "colours", ["ranking"] = new JsonObject { ["capture_prompts"] = prompts },
            ["k"] = new JsonArray(2), ["alphas"] = new JsonArray(-1), ["selections"] = new JsonArray("somp", "random"), ["random_draws"] = 2, ["seed"] = 3,
            ["decoding"] = new JsonObject { ["max_new_tokens"] = 4 }, ["metrics"] = new JsonArray("concept_frequency", "perplexity"),
            ["report"] = P("report"),
        }.ToJsonString());
        (exit, _, err) = Hp("eval", experiment);
        Assert.True(exit == 0, err);
        Assert.Equal(1 + 1 + 2, JsonNode.Parse(File.ReadAllText(P("report.json")))!["cells"]!.AsArray().Count);
    }
}
