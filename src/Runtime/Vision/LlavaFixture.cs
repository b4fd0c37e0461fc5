using System.Text.Json;
using HeadPursuit.Runtime.Capture;

namespace HeadPursuit.Runtime.Vision;

/// <summary>The cases.json of a LLaVA fixture folder (family "llava"; format in tests/fixtures/MANIFEST.md section 5).</summary>
internal sealed class LlavaFixture
{
    public sealed record Scale(int Layer, int Head, float Alpha);
    public sealed record PreprocessingCase(string Name, string File, int[] ResizeTo, int[] CropBox, Dictionary<string, string> Tensors);
    /// <summary>A forward or intervention case; PixelValues names the input tensor in expected.safetensors.</summary>
    public sealed record ModelCase(string Name, int[] InputIds, string PixelValues, Scale[] Scales, PositionPolicy Policy,
                                   int[]? ImagePositions, int[]? ScaledPositions, Dictionary<string, string> Tensors);
    public sealed record GenerationCase(string Name, int[] PromptIds, string PixelValues, int MaxNewTokens, Scale[] Scales,
                                        PositionPolicy Policy, int[] NewIds, string? StepLogits);
    public sealed record ErrorCase(string Name, int[] InputIds, string PixelValues);

    public required string Name { get; init; }
    public required string ExpectedFile { get; init; }
    public required string? PreprocessorConfig { get; init; }
    public required PreprocessingCase[] Preprocessing { get; init; }
    public required ModelCase[] Forward { get; init; }
    public required ModelCase[] Interventions { get; init; }
    public required GenerationCase[] Generations { get; init; }
    public required ErrorCase[] Errors { get; init; }

    public static LlavaFixture Load(string folder)
    {
        using var doc = Open(folder, "llava");
        var root = doc.RootElement;
        return new LlavaFixture
        {
            Name = NameOf(root, folder), ExpectedFile = ExpectedFileOf(root, folder), PreprocessorConfig = PreprocessorConfigOf(root, folder),
            Preprocessing = Cases(root, "preprocessing").Select(c => new PreprocessingCase(
                Str(c, "name"), Path.Combine(folder, Str(c, "file")), Ints(c.GetProperty("resize_to")), Ints(c.GetProperty("crop_box")), Tensors(c))).ToArray(),
            Forward = Cases(root, "forward").Select(ReadModelCase).ToArray(),
            Interventions = Cases(root, "intervention").Select(ReadModelCase).ToArray(),
            Generations = Cases(root, "generation").Select(c => new GenerationCase(
                Str(c, "name"), Ints(c.GetProperty("prompt_ids")), PixelValues(c), c.GetProperty("max_new_tokens").GetInt32(),
                Scales(c), Policy(c), Ints(c.GetProperty("new_ids")), Tensors(c).GetValueOrDefault("step_logits"))).ToArray(),
            Errors = Cases(root, "errors").Select(c => new ErrorCase(Str(c, "name"), Ints(c.GetProperty("input_ids")), PixelValues(c))).ToArray(),
        };
    }

    /// <summary>A fixture folder's cases.json, which must name <paramref name="family"/>.</summary>
    internal static JsonDocument Open(string folder, string family)
    {
        string path = Path.Combine(folder, "cases.json");
        if (!File.Exists(path)) throw new ModelFormatException($"{folder}: no cases.json (not a fixture folder)");
        var doc = Input.JsonFile.Parse(path);
        string named = doc.RootElement.TryGetProperty("family", out var f) ? f.GetString()! : "";
        if (named == family) return doc;
        doc.Dispose();
        throw new ModelFormatException($"{path}: family \"{named}\" is not \"{family}\"");
    }

    public static HeadScales? ToScales(Scale[] scales, PositionPolicy policy, int layers, int heads)
    {
        if (scales.Length == 0) return null;
        var s = new HeadScales(layers, heads) { Policy = policy };
        foreach (var x in scales) s[x.Layer, x.Head] = x.Alpha;
        return s;
    }

    static ModelCase ReadModelCase(JsonElement c) => new(
        Str(c, "name"), Ints(c.GetProperty("input_ids")), PixelValues(c), Scales(c), Policy(c),
        c.TryGetProperty("image_positions", out var p) ? Ints(p) : null,
        c.TryGetProperty("scaled_positions", out var s) ? Ints(s) : null, Tensors(c));

    // The readers below serve the other vision-language fixtures' cases.json too (the same schema, MANIFEST section 5).

    internal static string NameOf(JsonElement root, string folder) => root.TryGetProperty("fixture", out var n) ? n.GetString()! : Path.GetFileName(folder);
    internal static string ExpectedFileOf(JsonElement root, string folder) =>
        Path.Combine(folder, root.TryGetProperty("expected_file", out var e) ? e.GetString()! : "expected.safetensors");
    internal static string? PreprocessorConfigOf(JsonElement root, string folder) =>
        root.TryGetProperty("preprocessor_config", out var pc) ? Path.Combine(folder, pc.GetString()!) : null;

    internal static PositionPolicy Policy(JsonElement c) =>
        !c.TryGetProperty("position_policy", out var p) ? PositionPolicy.All : p.GetString() switch
        {
            "all" => PositionPolicy.All,
            "image" => PositionPolicy.Image,
            var other => throw new ModelFormatException($"case {Str(c, "name")}: unknown position_policy \"{other}\" (all, image)"),
        };

    internal static string PixelValues(JsonElement c) => c.GetProperty("inputs").GetProperty("pixel_values").GetString()!;
    internal static string Str(JsonElement c, string key) => c.GetProperty(key).GetString()!;
    internal static Dictionary<string, string> Tensors(JsonElement c) =>
        c.TryGetProperty("tensors", out var t) ? t.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!) : new();
    internal static IEnumerable<JsonElement> Cases(JsonElement root, string key) =>
        root.TryGetProperty(key, out var a) ? a.EnumerateArray().Select(x => x.Clone()).ToArray() : [];
    internal static Scale[] Scales(JsonElement c) =>
        c.TryGetProperty("head_scales", out var s)
            ? s.EnumerateArray().Select(x => new Scale(x.GetProperty("layer").GetInt32(), x.GetProperty("head").GetInt32(), x.GetProperty("alpha").GetSingle())).ToArray()
            : [];
    internal static int[] Ints(JsonElement a) => a.EnumerateArray().Select(x => x.GetInt32()).ToArray();
}
