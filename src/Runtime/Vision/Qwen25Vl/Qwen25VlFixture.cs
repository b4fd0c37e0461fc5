using System.Text.Json;
using HeadPursuit.Runtime.Capture;
using static HeadPursuit.Runtime.Vision.LlavaFixture;

namespace HeadPursuit.Runtime.Vision.Qwen25Vl;

/// <summary>The cases.json of a Qwen2.5-VL fixture folder (family "qwen2_5_vl"; format in the fixture's README.md).</summary>
internal sealed class Qwen25VlFixture
{
    /// <summary>The images of a case: their pixel_values tensors in expected.safetensors, in prompt order, and their grids.</summary>
    public sealed record Inputs(string[] PixelValues, ImageGrid[] Grids);
    public sealed record PreprocessingCase(string Name, string File, string Branch, double HeightOverFactor, double WidthOverFactor,
                                           int[] ResizeTo, ImageGrid Grid, int ImageTokens, Dictionary<string, string> Tensors);
    public sealed record VisionCase(string Name, Inputs Inputs, int ImageTokens, int[] WindowIndex, int[] CuWindowSeqlens, int[] CuSeqlens,
                                    Dictionary<string, string> Tensors);
    /// <summary>A forward or intervention case (Inputs null for text only).</summary>
    public sealed record ModelCase(string Name, int[] InputIds, Inputs? Inputs, Scale[] Scales, PositionPolicy Policy,
                                   int[]? ImagePositions, int[]? ScaledPositions, int[][]? PositionIds, int? RopeDelta, Dictionary<string, string> Tensors);
    public sealed record GenerationCase(string Name, int[] PromptIds, Inputs Inputs, int MaxNewTokens, Scale[] Scales, PositionPolicy Policy,
                                        int[] NewIds, int RopeDelta, Dictionary<string, string> Tensors);
    public sealed record ErrorCase(string Name, int[] InputIds, Inputs Inputs);

    public required string Name { get; init; }
    public required string ExpectedFile { get; init; }
    public required string? PreprocessorConfig { get; init; }
    public required PreprocessingCase[] Preprocessing { get; init; }
    public required VisionCase[] Vision { get; init; }
    public required ModelCase[] Forward { get; init; }
    public required ModelCase[] Interventions { get; init; }
    public required GenerationCase[] Generations { get; init; }
    public required ErrorCase[] Errors { get; init; }

    public const string Family = "qwen2_5_vl";

    public static Qwen25VlFixture Load(string folder)
    {
        string path = Path.Combine(folder, "cases.json");
        if (!File.Exists(path)) throw new ModelFormatException($"{folder}: no cases.json (not a fixture folder)");
        using var doc = Input.JsonFile.Parse(path);
        var root = doc.RootElement;
        string family = root.TryGetProperty("family", out var f) ? f.GetString()! : "";
        if (family != Family) throw new ModelFormatException($"{path}: family \"{family}\" is not \"{Family}\"");
        return new Qwen25VlFixture
        {
            Name = NameOf(root, folder), ExpectedFile = ExpectedFileOf(root, folder), PreprocessorConfig = PreprocessorConfigOf(root, folder),
            Preprocessing = Cases(root, "preprocessing").Select(c =>
            {
                var s = c.GetProperty("smart_resize");
                var g = Ints(c.GetProperty("image_grid_thw"));
                return new PreprocessingCase(Str(c, "name"), Path.Combine(folder, Str(c, "file")), Str(s, "branch"),
                                             s.GetProperty("height_over_factor").GetDouble(), s.GetProperty("width_over_factor").GetDouble(),
                                             Ints(c.GetProperty("resize_to")), new ImageGrid(g[0], g[1], g[2]), c.GetProperty("n_image_tokens").GetInt32(), LlavaFixture.Tensors(c));
            }).ToArray(),
            Vision = Cases(root, "vision").Select(c => new VisionCase(
                Str(c, "name"), ReadInputs(c)!, c.GetProperty("n_image_tokens").GetInt32(), Ints(c.GetProperty("window_index")),
                Ints(c.GetProperty("cu_window_seqlens")), Ints(c.GetProperty("cu_seqlens")), LlavaFixture.Tensors(c))).ToArray(),
            Forward = Cases(root, "forward").Select(ReadModelCase).ToArray(),
            Interventions = Cases(root, "intervention").Select(ReadModelCase).ToArray(),
            Generations = Cases(root, "generation").Select(c => new GenerationCase(
                Str(c, "name"), Ints(c.GetProperty("prompt_ids")), ReadInputs(c)!, c.GetProperty("max_new_tokens").GetInt32(), Scales(c), Policy(c),
                Ints(c.GetProperty("new_ids")), c.GetProperty("rope_delta").GetInt32(), LlavaFixture.Tensors(c))).ToArray(),
            Errors = Cases(root, "errors").Select(c => new ErrorCase(Str(c, "name"), Ints(c.GetProperty("input_ids")), ReadInputs(c)!)).ToArray(),
        };
    }

    static ModelCase ReadModelCase(JsonElement c) => new(
        Str(c, "name"), Ints(c.GetProperty("input_ids")), ReadInputs(c), Scales(c), Policy(c),
        c.TryGetProperty("image_positions", out var p) ? Ints(p) : null,
        c.TryGetProperty("scaled_positions", out var s) ? Ints(s) : null,
        c.TryGetProperty("position_ids", out var ids) ? ids.EnumerateArray().Select(Ints).ToArray() : null,
        c.TryGetProperty("rope_delta", out var delta) ? delta.GetInt32() : null, LlavaFixture.Tensors(c));

    static Inputs? ReadInputs(JsonElement c)
    {
        if (!c.TryGetProperty("inputs", out var i) || i.ValueKind == JsonValueKind.Null) return null;
        return new Inputs(i.GetProperty("pixel_values").EnumerateArray().Select(x => x.GetString()!).ToArray(),
                          i.GetProperty("image_grid_thw").EnumerateArray().Select(Ints).Select(g => new ImageGrid(g[0], g[1], g[2])).ToArray());
    }
}
