using System.Text.Json;
using HeadPursuit.Runtime.Capture;
using static HeadPursuit.Runtime.Vision.LlavaFixture;

namespace HeadPursuit.Runtime.Vision.Gemma3;

/// <summary>
/// The cases.json of a Gemma 3 multimodal fixture folder (family "gemma3"; MANIFEST section 5 with the Gemma 3
/// additions of its README): a case's images are a list (none, one or several), each named by its pixel_values tensor.
/// </summary>
internal sealed class Gemma3Fixture
{
    public sealed record PreprocessingCase(string Name, string File, Dictionary<string, string> Tensors);
    /// <summary>A forward or intervention case; Extra names the case's extra_tensors (masks, inputs_embeds, post-norm outputs).</summary>
    public sealed record ModelCase(string Name, int[] InputIds, string[] PixelValues, Scale[] Scales, PositionPolicy Policy, int[]? TokenTypeIds,
                                   int[]? ImagePositions, int[]? ScaledPositions, Dictionary<string, string> Tensors, Dictionary<string, string> Extra);
    public sealed record GenerationCase(string Name, int[] PromptIds, string[] PixelValues, int MaxNewTokens, Scale[] Scales,
                                        PositionPolicy Policy, int[] NewIds, string? StepLogits);
    public sealed record ErrorCase(string Name, int[] InputIds, string[] PixelValues);

    public required string Name { get; init; }
    public required string ExpectedFile { get; init; }
    public required string? PreprocessorConfig { get; init; }
    public required PreprocessingCase[] Preprocessing { get; init; }
    public required ModelCase[] Forward { get; init; }
    public required ModelCase[] Interventions { get; init; }
    public required GenerationCase[] Generations { get; init; }
    public required ErrorCase[] Errors { get; init; }

    public static Gemma3Fixture Load(string folder)
    {
        using var doc = Open(folder, "gemma3");
        var root = doc.RootElement;
        return new Gemma3Fixture
        {
            Name = NameOf(root, folder), ExpectedFile = ExpectedFileOf(root, folder), PreprocessorConfig = PreprocessorConfigOf(root, folder),
            Preprocessing = Cases(root, "preprocessing").Select(c => new PreprocessingCase(Str(c, "name"), Path.Combine(folder, Str(c, "file")), LlavaFixture.Tensors(c))).ToArray(),
            Forward = Cases(root, "forward").Select(ReadModelCase).ToArray(),
            Interventions = Cases(root, "intervention").Select(ReadModelCase).ToArray(),
            Generations = Cases(root, "generation").Select(c => new GenerationCase(
                Str(c, "name"), Ints(c.GetProperty("prompt_ids")), PixelValues(c), c.GetProperty("max_new_tokens").GetInt32(),
                Scales(c), Policy(c), Ints(c.GetProperty("new_ids")), LlavaFixture.Tensors(c).GetValueOrDefault("step_logits"))).ToArray(),
            Errors = Cases(root, "errors").Select(c => new ErrorCase(Str(c, "name"), Ints(c.GetProperty("input_ids")), PixelValues(c))).ToArray(),
        };
    }

    static ModelCase ReadModelCase(JsonElement c) => new(
        Str(c, "name"), Ints(c.GetProperty("input_ids")), PixelValues(c), Scales(c), Policy(c), OptionalInts(c, "token_type_ids"),
        OptionalInts(c, "image_positions"), OptionalInts(c, "scaled_positions"), LlavaFixture.Tensors(c),
        c.TryGetProperty("extra_tensors", out var x) ? x.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!) : []);

    static int[]? OptionalInts(JsonElement c, string key) => c.TryGetProperty(key, out var a) ? Ints(a) : null;

    static string[] PixelValues(JsonElement c) =>
        c.GetProperty("inputs").GetProperty("pixel_values").EnumerateArray().Select(x => x.GetString()!).ToArray();
}
