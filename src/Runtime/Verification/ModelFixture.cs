using System.Text.Json;
using HeadPursuit.Runtime.Capture;

namespace HeadPursuit.Runtime.Verification;

/// <summary>The cases.json of a model fixture folder (format in tests/fixtures/MANIFEST.md): forward, intervention and generation cases.</summary>
internal sealed class ModelFixture
{
    public sealed record Scale(int Layer, int Head, float Alpha);
    public sealed record ForwardCase(string Name, int[] InputIds, Scale[] Scales, Dictionary<string, string> Tensors);
    public sealed record GenerationCase(string Name, int[] PromptIds, int MaxNewTokens, Scale[] Scales, int[] NewIds, string? StepLogitsTensor);

    public required string Name { get; init; }
    public required string Family { get; init; }
    public required string ExpectedFile { get; init; }
    public required ForwardCase[] Forward { get; init; }
    public required ForwardCase[] Interventions { get; init; }
    public required GenerationCase[] Generations { get; init; }

    public static ModelFixture Load(string folder)
    {
        string path = Path.Combine(folder, "cases.json");
        if (!File.Exists(path)) throw new ModelFormatException($"{folder}: no cases.json (not a fixture folder)");
        using var doc = Input.JsonFile.Parse(path);
        var root = doc.RootElement;
        string family = root.TryGetProperty("family", out var f) ? f.GetString()! : throw new ModelFormatException($"{path}: missing \"family\"");
        return new ModelFixture
        {
            Name = root.TryGetProperty("fixture", out var n) ? n.GetString()! : Path.GetFileName(folder),
            Family = family,
            ExpectedFile = Path.Combine(folder, root.TryGetProperty("expected_file", out var e) ? e.GetString()! : "expected.safetensors"),
            Forward = Cases(root, "forward").Select(ReadForward).ToArray(),
            Interventions = Cases(root, "intervention").Select(ReadForward).ToArray(),
            Generations = Cases(root, "generation").Select(c => new GenerationCase(
                c.GetProperty("name").GetString()!, Ints(c.GetProperty("prompt_ids")), c.GetProperty("max_new_tokens").GetInt32(),
                ReadScales(c), Ints(c.GetProperty("new_ids")),
                c.TryGetProperty("tensors", out var t) && t.TryGetProperty("step_logits", out var sl) ? sl.GetString() : null)).ToArray(),
        };
    }

    public HeadScales? ToScales(Scale[] scales, int layers, int heads)
    {
        if (scales.Length == 0) return null;
        var s = new HeadScales(layers, heads);
        foreach (var x in scales) s[x.Layer, x.Head] = x.Alpha;
        return s;
    }

    static IEnumerable<JsonElement> Cases(JsonElement root, string key) =>
        root.TryGetProperty(key, out var a) ? a.EnumerateArray().Select(x => x.Clone()).ToArray() : [];

    static ForwardCase ReadForward(JsonElement c) => new(
        c.GetProperty("name").GetString()!, Ints(c.GetProperty("input_ids")), ReadScales(c),
        c.GetProperty("tensors").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!));

    static Scale[] ReadScales(JsonElement c) =>
        c.TryGetProperty("head_scales", out var s)
            ? s.EnumerateArray().Select(x => new Scale(x.GetProperty("layer").GetInt32(), x.GetProperty("head").GetInt32(), x.GetProperty("alpha").GetSingle())).ToArray()
            : [];

    static int[] Ints(JsonElement a) => a.EnumerateArray().Select(x => x.GetInt32()).ToArray();
}
