using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Imaging;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;

namespace HeadPursuit.Runtime.Vision.Qwen25Vl;

/// <summary>
/// Qwen2.5-VL (HF Qwen2_5_VLForConditionalGeneration): the processor turns each image into patch rows and a grid, the
/// vision tower (on the CPU) turns them into one feature row per merge unit, which replace the embeddings of the prompt's
/// image tokens; the Qwen2 language model (<see cref="VisionLanguageModel.Text"/>, on the backend) then runs with the
/// multimodal rotary positions of <see cref="MropePositions"/>. An image is written in the prompt as vision start, the
/// image token (expanded to one per merge unit), vision end.
/// </summary>
internal sealed class Qwen25VlModel : VisionLanguageModel
{
    readonly WeightStore _store;

    public Qwen25VlConfig Config { get; }
    public Qwen25VlWeightLayout Layout { get; }
    public Qwen25VisionTower Vision { get; }
    /// <summary>The folder's preprocessor_config.json, or HF's defaults at the tower's patch sizes without one.</summary>
    public Qwen2VlImageProcessor Processor { get; }

    Qwen25VlModel(WeightStore store, Qwen25VlConfig config, Qwen25VlWeightLayout layout, Transformer text, Qwen25VisionTower vision,
                  Qwen2VlImageProcessor processor) : base(text)
    {
        _store = store; Config = config; Layout = layout; Vision = vision; Processor = processor;
    }

    /// <summary>Loads config.json, the weights (either tensor layout, single file or sharded) and preprocessor_config.json if present.</summary>
    public static new Qwen25VlModel Load(string folder, IBackend backend)
    {
        var config = Qwen25VlConfig.Load(Path.Combine(folder, "config.json"));
        var store = WeightStore.Open(folder);
        try
        {
            var layout = Qwen25VlWeightLayout.Detect(store);
            var text = Transformer.Load(store, config.Text, backend, layout.TextName);
            var vision = new Qwen25VisionTower(Qwen25VisionWeights.Load(store, config.Vision, layout.Vision));
            string pre = Path.Combine(folder, "preprocessor_config.json");
            var processor = File.Exists(pre) ? Qwen2VlImageProcessor.Load(pre) : Qwen2VlImageProcessor.For(config.Vision);
            processor.CheckAgainst(config.Vision, pre);
            return new Qwen25VlModel(store, config, layout, text, vision, processor);
        }
        catch { store.Dispose(); throw; }
    }

    public override int ImageTokenId => Config.ImageTokenId;

    /// <summary>"&lt;image&gt;" is written as the chat template writes an image: vision start, the image pad token, vision end.</summary>
    protected override int[] PlaceholderIds => [Config.VisionStartTokenId, Config.ImageTokenId, Config.VisionEndTokenId];

    /// <summary>An image's pixel_values [grid patches, PatchDim] and its grid.</summary>
    public sealed record Image(string Source, float[] PixelValues, ImageGrid Grid) : PreparedImage(Source);

    internal override PreparedImage Preprocess(RgbImage image, string source)
    {
        var (pixels, gh, gw) = Processor.Process(image, source);
        return new Image(source, pixels, new ImageGrid(1, gh, gw));
    }

    /// <summary>The images' features [sum of their tokens, d] in one call of the vision tower (as HF runs a prompt's images).</summary>
    public float[] ImageFeatures(IReadOnlyList<Image> images, Qwen25VisionRecording? record = null) =>
        Vision.Run(images.SelectMany(i => i.PixelValues).ToArray(), images.Select(i => i.Grid).ToArray(), record);

    /// <summary>
    /// Each image token standing for one image (as many as images) becomes that image's tokens (one per merge unit), as
    /// Qwen2_5_VLProcessor expands &lt;|image_pad|&gt;; ids already expanded are kept. A prompt without images runs as text
    /// (positions 0..T-1).
    /// </summary>
    internal override ImagePrompt Prepare(int[] ids, IReadOnlyList<PreparedImage> images)
    {
        var own = images.Select(i => i as Image ?? throw new ArgumentException($"{i.Source} was prepared for another model family")).ToArray();
        int token = ImageTokenId, m = Config.Vision.MergeSize;
        if (own.Length > 0 && ids.Count(t => t == token) == own.Length)
        {
            int k = 0;
            ids = [.. ids.SelectMany(t => t == token ? Enumerable.Repeat(token, own[k++].Grid.Tokens(m)) : [t])];
        }
        return Merge(ids, own.Length == 0 ? [] : ImageFeatures(own), own.Select(i => i.Grid).ToArray());
    }

    /// <summary>
    /// Pairs expanded prompt ids with the features of its images (grids in prompt order): the image-token positions receive
    /// the feature rows in order, their number must equal the features' (HF: "Image features and image tokens do not
    /// match"), and the rows rotate by the prompt's multimodal positions.
    /// </summary>
    public ImagePrompt Merge(int[] ids, float[] features, IReadOnlyList<ImageGrid> grids)
    {
        int d = Config.Text.DModel, token = ImageTokenId;
        if (features.Length % d != 0) throw new ArgumentException($"{features.Length} image feature values are not rows of d_model {d}");
        var positions = Enumerable.Range(0, ids.Length).Where(t => ids[t] == token).ToArray();
        if (positions.Length != features.Length / d)
            throw new ArgumentException(
                $"Image features and image tokens do not match: the prompt holds {positions.Length} image tokens (id {token}) but the images give " +
                $"{features.Length / d} features; the prompt must hold the image token once per image, or as many times as the image's tokens " +
                $"({string.Join(", ", grids.Select(g => g.Tokens(Config.Vision.MergeSize)))})");
        var rope = grids.Count == 0 ? null : MropePositions.Of(ids, grids, Config);
        return new ImagePrompt(ids, new ImageRows(new RowEmbeddings(positions, features, d)) { RopePositions = rope?.Positions, RopeDelta = rope?.Delta ?? 0 });
    }

    public override void Dispose()
    {
        base.Dispose();
        _store.Dispose();
    }
}
