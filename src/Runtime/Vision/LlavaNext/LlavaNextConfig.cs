using HeadPursuit.Runtime.Input;
using System.Text.Json.Nodes;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Runtime.Vision.LlavaNext;

/// <summary>
/// A LLaVA-NeXT config.json (HF LlavaNextConfig, model_type "llava_next"): what LLaVA has (CLIP tower, projector, image
/// token, feature layer; <see cref="Llava"/>) with a Mistral or Llama language model, plus the image_grid_pinpoints the
/// image is fitted to. Absent keys take the HF class defaults.
/// </summary>
internal sealed record LlavaNextConfig
{
    /// <summary>HF's default image_grid_pinpoints (height, width), those of the llava-v1.6 checkpoints.</summary>
    public static int[][] DefaultPinpoints { get; } = [[336, 672], [672, 336], [672, 672], [1008, 336], [336, 1008]];

    public required LlavaConfig Llava { get; init; }
    /// <summary>[n][2]: the resolutions (height, width) an image may be resized and padded to, multiples of the tower's image_size.</summary>
    public required int[][] GridPinpoints { get; init; }

    public ModelConfig Text => Llava.Text;
    public ClipVisionConfig Vision => Llava.Vision;

    public static LlavaNextConfig Load(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: config.json not found");
        return Parse(TextFile.Read(path), path);
    }

    public static LlavaNextConfig Parse(string json, string source)
    {
        var root = LlavaConfig.Root(json, source);
        var llava = LlavaConfig.Read(root, source, "llava_next", textTypes: ["llama", "mistral"]);
        // HF packs each crop's P patch rows into a square map; with "full" the CLS row breaks that view.
        if (llava.Select == FeatureSelect.Full)
            throw new ModelFormatException($"{source}: vision_feature_select_strategy \"full\" is not supported for llava_next (supported: default)");
        return new LlavaNextConfig { Llava = llava, GridPinpoints = Pinpoints(root["image_grid_pinpoints"], source, llava.Vision.ImageSize, "the vision tower's image_size") ?? DefaultPinpoints };
    }

    /// <summary>
    /// image_grid_pinpoints: a JSON list of [height, width] pairs, each a positive multiple of <paramref name="tile"/>
    /// (HF counts crops with ceil and lays out the feature map with floor; they agree only on multiples). Null when absent.
    /// </summary>
    public static int[][]? Pinpoints(JsonNode? node, string source, int tile, string tileName)
    {
        if (node is null) return null;
        ModelFormatException Bad(string why) => new($"{source}: image_grid_pinpoints {node.ToJsonString()} {why}");
        if (node is not JsonArray list || list.Count == 0) throw Bad("should be a non-empty list of [height, width] pairs");
        var result = new int[list.Count][];
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonArray pair || pair.Count != 2 || pair.Any(v => v is not JsonValue x || !x.TryGetValue(out int _)))
                throw Bad($"should be a list of [height, width] pairs (entry {i} is {list[i]?.ToJsonString() ?? "null"})");
            result[i] = [pair[0]!.GetValue<int>(), pair[1]!.GetValue<int>()];
            if (result[i].Any(v => v <= 0 || v % tile != 0))
                throw Bad($"should hold positive multiples of {tileName} {tile} (entry {i} is [{result[i][0]}, {result[i][1]}])");
        }
        return result;
    }
}
