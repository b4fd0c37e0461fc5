using System.Text.Json;
using HeadPursuit.Runtime.Capture;
using static HeadPursuit.Runtime.Vision.LlavaFixture;

namespace HeadPursuit.Runtime.Vision.LlavaNext;

/// <summary>The cases.json of a LLaVA-NeXT fixture folder (family "llava_next"; conventions in its README and MANIFEST section 5).</summary>
internal sealed class LlavaNextFixture
{
    /// <summary>
    /// One image through the processor: Table [pinpoints][2] = (effective, wasted); sizes (height, width) except ResizeTo,
    /// PIL's (width, height); Padding
    /// (top, bottom, left, right); Map = (map rows, map cols, rows kept, cols kept) after unpadding.
    /// </summary>
    public sealed record PreprocessingCase(string Name, string File, int Height, int Width, long[][] Table, int[] BestResolution, int[] ResizeTo,
                                           int[] Padding, int[] Grid, int Crops, int[] Map, int ImageTokens, Dictionary<string, string> Tensors);
    /// <summary>How one image of a forward case is packed: per token, kind (0 base, 1 grid, 2 newline), crop and patch (-1 for newlines).</summary>
    public sealed record ImagePacking(int Crops, int[] Grid, int[] Map, int ImageTokens, int[]? TokenKind, int[]? TokenCrop, int[]? TokenPatch,
                                      Dictionary<string, string> Tensors);
    /// <summary>A forward or intervention case; PixelValues names [images, max crops, 3, S, S] in expected.safetensors (null: text only).</summary>
    public sealed record ModelCase(string Name, int[] InputIds, string? PixelValues, int[][] ImageSizes, ImagePacking[] Images, Scale[] Scales,
                                   PositionPolicy Policy, int[]? ImagePositions, int[]? ScaledPositions, Dictionary<string, string> Tensors);
    public sealed record GenerationCase(string Name, int[] PromptIds, string PixelValues, int[][] ImageSizes, int MaxNewTokens, Scale[] Scales,
                                        PositionPolicy Policy, int[] NewIds, string? StepLogits);
    public sealed record ErrorCase(string Name, int[] InputIds, string PixelValues, int[][] ImageSizes);

    public required string ExpectedFile { get; init; }
    public required string? PreprocessorConfig { get; init; }
    public required PreprocessingCase[] Preprocessing { get; init; }
    public required ModelCase[] Forward { get; init; }
    public required ModelCase[] Interventions { get; init; }
    public required GenerationCase[] Generations { get; init; }
    public required ErrorCase[] Errors { get; init; }

    public static LlavaNextFixture Load(string folder)
    {
        using var doc = Open(folder, "llava_next");
        var root = doc.RootElement;
        return new LlavaNextFixture
        {
            ExpectedFile = ExpectedFileOf(root, folder), PreprocessorConfig = PreprocessorConfigOf(root, folder),
            Preprocessing = Cases(root, "preprocessing").Select(c => ReadPreprocessing(c, folder)).ToArray(),
            Forward = Cases(root, "forward").Select(ReadModelCase).ToArray(),
            Interventions = Cases(root, "intervention").Select(ReadModelCase).ToArray(),
            Generations = Cases(root, "generation").Select(c => new GenerationCase(
                Str(c, "name"), Ints(c.GetProperty("prompt_ids")), PixelValues(c), ImageSizes(c), c.GetProperty("max_new_tokens").GetInt32(),
                Scales(c), Policy(c), Ints(c.GetProperty("new_ids")), LlavaFixture.Tensors(c).GetValueOrDefault("step_logits"))).ToArray(),
            Errors = Cases(root, "errors").Select(c => new ErrorCase(Str(c, "name"), Ints(c.GetProperty("input_ids")), PixelValues(c), ImageSizes(c))).ToArray(),
        };
    }

    static PreprocessingCase ReadPreprocessing(JsonElement c, string folder)
    {
        var padding = c.GetProperty("padding");
        var unpad = c.GetProperty("unpad");
        return new PreprocessingCase(
            Str(c, "name"), Path.Combine(folder, Str(c, "file")), c.GetProperty("height").GetInt32(), c.GetProperty("width").GetInt32(),
            c.GetProperty("pinpoint_table").EnumerateArray().Select(p => new[] { p.GetProperty("effective").GetInt64(), p.GetProperty("wasted").GetInt64() }).ToArray(),
            Ints(c.GetProperty("best_resolution")), Ints(c.GetProperty("resize_to")),
            [.. new[] { "top", "bottom", "left", "right" }.Select(k => padding.GetProperty(k).GetInt32())],
            Ints(c.GetProperty("grid")), c.GetProperty("n_crops").GetInt32(),
            [.. new[] { "map_rows", "map_cols", "rows_kept", "cols_kept" }.Select(k => unpad.GetProperty(k).GetInt32())],
            c.GetProperty("n_image_tokens").GetInt32(), LlavaFixture.Tensors(c));
    }

    static ModelCase ReadModelCase(JsonElement c) => new(
        Str(c, "name"), Ints(c.GetProperty("input_ids")),
        c.GetProperty("inputs").TryGetProperty("pixel_values", out var p) ? p.GetString() : null, ImageSizes(c),
        c.TryGetProperty("per_image", out var images) ? images.EnumerateArray().Select(ReadPacking).ToArray() : [],
        Scales(c), Policy(c),
        c.TryGetProperty("image_positions", out var ip) ? Ints(ip) : null,
        c.TryGetProperty("scaled_positions", out var s) ? Ints(s) : null, LlavaFixture.Tensors(c));

    static ImagePacking ReadPacking(JsonElement i)
    {
        int[]? Optional(string key) => i.TryGetProperty(key, out var v) ? Ints(v) : null;
        return new ImagePacking(
            i.GetProperty("n_crops").GetInt32(), Ints(i.GetProperty("grid")),
            [.. new[] { "map_rows", "map_cols", "rows_kept", "cols_kept" }.Select(k => i.GetProperty(k).GetInt32())],
            i.GetProperty("n_image_tokens").GetInt32(), Optional("token_kind"), Optional("token_crop"), Optional("token_patch"), LlavaFixture.Tensors(i));
    }

    /// <summary>inputs.image_sizes: [images][2] (height, width); empty without images.</summary>
    static int[][] ImageSizes(JsonElement c) =>
        c.GetProperty("inputs").TryGetProperty("image_sizes", out var s) ? s.EnumerateArray().Select(Ints).ToArray() : [];
}
