using System.Text.Json;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Somp;
using HeadPursuit.Runtime.Tests.Imaging;
using HeadPursuit.Tests;

namespace HeadPursuit.Cli.Tests;

/// <summary>What the vision-language CLI tests read from a fixture's cases.json and from the commands' JSON output.</summary>
static class VisionFixtureCases
{
    public static JsonElement Case(string fixture, string group, string name) =>
        Root(fixture).GetProperty(group).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    /// <summary>The fixture's cases.json as a whole.</summary>
    public static JsonElement Root(string fixture)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Path(fixture, "cases.json")));
        return doc.RootElement.Clone();
    }

    /// <summary>The image token id the fixture's model expands (cases.json image_token_index).</summary>
    public static int ImageToken(string fixture) => Root(fixture).GetProperty("image_token_index").GetInt32();

    /// <summary>The case's (first) image: LLaVA cases name one "image", the other families a list of "images".</summary>
    public static string FirstImage(string fixture, JsonElement c) =>
        Fixtures.Path(fixture, (c.TryGetProperty("image", out var one) ? one : c.GetProperty("images")[0]).GetString()!);

    public static int[] Ints(JsonElement e) => [.. e.EnumerateArray().Select(x => x.GetInt32())];

    /// <summary>The prompt with each run of image tokens collapsed to one, as a user types it.</summary>
    public static int[] Collapse(int[] ids, int imageToken) => [.. ids.Where((t, i) => t != imageToken || i == 0 || ids[i - 1] != imageToken)];

    /// <summary>A case's head_scales as the --scale option writes them ("L0H1=-1,L1H3=5"); empty when it has none.</summary>
    public static string ScaleOption(JsonElement c) => string.Join(",", c.GetProperty("head_scales").EnumerateArray()
        .Select(s => $"L{s.GetProperty("layer").GetInt32()}H{s.GetProperty("head").GetInt32()}={s.GetProperty("alpha").GetDouble()}"));

    /// <summary>The first result of generate --json.</summary>
    public static JsonElement Result(string json) => JsonDocument.Parse(json).RootElement.GetProperty("results")[0].Clone();

    /// <summary>The new ids of the first result of generate --json.</summary>
    public static int[] NewIds(string json) => Ints(Result(json).GetProperty("new_ids"));

    /// <summary>Without a tokenizer, steer prints the generated ids separated by spaces.</summary>
    public static int[] Words(JsonElement text) => [.. text.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];

    /// <summary>
    /// The image flow of a vision-language model through the command, on the folder's six synthetic images: capture in
    /// packed batches of four (2 layers x 4 heads x d_head 16), the same in batches of one (the same pooled z within
    /// 1e-5, whatever the images' token counts), rank with <paramref name="conceptIds"/>, then steer the top two heads
    /// at image tokens (<see cref="AssertSteerColumnsAreGenerations"/> at <paramref name="checkedImages"/>).
    /// <paramref name="dir"/> holds the outputs.
    /// </summary>
    public static void CaptureBatchedRankSteer(Func<string[], (int Exit, string Out, string Err)> hp, string model, string dir, string images,
                                               string prompt, string conceptIds, int[] checkedImages)
    {
        string P(string name) => Path.Combine(dir, name);
        var (exit, _, stderr) = hp(["capture", "--model", model, "--images", images, "--ids", prompt, "--batch", "4", "--out", P("acts.safetensors")]);
        Assert.True(exit == 0, stderr);
        var acts = HeadActivations.Load(P("acts.safetensors"));
        Assert.Equal((2, 4, 6, 16), (acts.Layers, acts.Heads, acts.Samples, acts.DHead));

        Assert.Equal(0, hp(["capture", "--model", model, "--images", images, "--ids", prompt, "--batch", "1", "--out", P("single.safetensors")]).Exit);
        var single = HeadActivations.Load(P("single.safetensors"));
        for (int i = 0; i < acts.Z.Length; i++) Assert.True(Math.Abs(acts.Z[i] - single.Z[i]) <= 1e-5, $"Z[{i}]: {acts.Z[i]} vs {single.Z[i]}");

        (exit, _, stderr) = hp(["rank", "--model", model, "--activations", P("acts.safetensors"), "--concept-ids", $"shapes={conceptIds}", "--out", P("rank")]);
        Assert.True(exit == 0, stderr);
        var ranking = HeadRankingJson.Read(P("rank/shapes.somp.json"));
        Assert.Equal((2, 4, 6), (ranking.Layers, ranking.Heads, ranking.Samples));
        var top = ranking.Top(2);

        (exit, string json, stderr) = hp(["steer", "--model", model, "--images", images, "--ids", prompt, "--ranking", P("rank/shapes.somp.json"),
                                          "--top", "2", "--alpha", "-1", "--policy", "image", "--max-new-tokens", "6", "--json"]);
        Assert.True(exit == 0, stderr);
        AssertSteerColumnsAreGenerations(hp, json, model, images, prompt, top, checkedImages);
    }

    /// <summary>
    /// steer --json --policy image over the folder's synthetic{k}.png: six columns, each at <paramref name="checkedImages"/>
    /// what generate --image gives for that image, unmodified and with <paramref name="top"/> scaled by -1 at image tokens
    /// only, and at least one column that the scaling changed. <paramref name="hp"/> runs the command.
    /// </summary>
    public static void AssertSteerColumnsAreGenerations(Func<string[], (int Exit, string Out, string Err)> hp, string steerJson, string model,
                                                        string images, string prompt, IEnumerable<Somp.HeadId> top, int[] checkedImages)
    {
        var root = JsonDocument.Parse(steerJson).RootElement;
        Assert.Equal("image", root.GetProperty("policy").GetString());
        var rows = root.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(6, rows.Length);
        string scale = string.Join(",", top.Select(h => $"{h}=-1"));
        foreach (int k in checkedImages)
        {
            string image = Path.Combine(images, $"synthetic{k}.png");
            string[] gen = ["generate", "--model", model, "--image", image, "--ids", prompt, "--max-new-tokens", "6", "--json"];
            Assert.Equal(Words(rows[k].GetProperty("unmodified")), NewIds(hp(gen).Out));
            Assert.Equal(Words(rows[k].GetProperty("steered")), NewIds(hp([.. gen, "--scale", scale, "--policy", "image"]).Out));
        }
        Assert.Contains(rows, r => r.GetProperty("unmodified").GetString() != r.GetProperty("steered").GetString());
    }

    /// <summary>
    /// Synthetic RGB PNGs in <paramref name="folder"/>, synthetic{k}.png of size sizes[k], each a different colour
    /// gradient; returns the folder.
    /// </summary>
    public static string WriteSyntheticImages(string folder, (int Width, int Height)[] sizes)
    {
        Directory.CreateDirectory(folder);
        for (int k = 0; k < sizes.Length; k++)
        {
            var (w, h) = sizes[k];
            var samples = new int[h * w * 3];   // [H, W, 3]
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int ch = 0; ch < 3; ch++)
                        samples[(y * w + x) * 3 + ch] = (ch == k % 3 ? 200 : 40) + (x * (k + 1) + y * ch) % 56;
            File.WriteAllBytes(Path.Combine(folder, $"synthetic{k}.png"), TestPngEncoder.Encode(w, h, colorType: 2, depth: 8, samples));
        }
        return folder;
    }
}
