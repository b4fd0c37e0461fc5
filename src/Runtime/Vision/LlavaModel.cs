using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Imaging;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;

namespace HeadPursuit.Runtime.Vision;

/// <summary>
/// LLaVA-1.5 (HF LlavaForConditionalGeneration): the CLIP vision tower and projector turn an image's pixel_values into
/// n_img feature rows, which replace the embeddings at the prompt's image-token positions (the image token repeated
/// n_img times); the Llama language model (<see cref="VisionLanguageModel.Text"/>) then runs as usual on the backend.
/// </summary>
internal sealed class LlavaModel : VisionLanguageModel
{
    readonly WeightStore _store;

    public LlavaConfig Config { get; }
    public LlavaWeightLayout Layout { get; }
    public ClipVisionTower Vision { get; }
    public MultiModalProjector Projector { get; }
    /// <summary>The folder's preprocessor_config.json, or null when it has none.</summary>
    public ClipImageProcessor? Preprocessor { get; }

    LlavaModel(WeightStore store, LlavaConfig config, LlavaWeightLayout layout, Transformer text, ClipVisionTower vision,
               MultiModalProjector projector, ClipImageProcessor? preprocessor) : base(text)
    {
        _store = store; Config = config; Layout = layout; Vision = vision; Projector = projector; Preprocessor = preprocessor;
    }

    /// <summary>Loads config.json, the weights (either tensor layout, single file or sharded) and preprocessor_config.json if present.</summary>
    public static new LlavaModel Load(string folder, IBackend backend)
    {
        var config = LlavaConfig.Load(Path.Combine(folder, "config.json"));
        var store = WeightStore.Open(folder);
        try
        {
            var layout = LlavaWeightLayout.Detect(store);
            var text = Transformer.Load(store, config.Text, backend, layout.TextName);
            var vision = new ClipVisionTower(ClipVisionWeights.Load(store, config.Vision, layout.Vision));
            var projector = MultiModalProjector.Load(store, layout.Projector, config.Vision.Hidden, config.Text.DModel, config.ProjectorBias);
            string pre = Path.Combine(folder, "preprocessor_config.json");
            return new LlavaModel(store, config, layout, text, vision, projector, File.Exists(pre) ? ClipImageProcessor.Load(pre) : null);
        }
        catch { store.Dispose(); throw; }
    }

    public override int ImageTokenId => Config.ImageTokenIndex;

    /// <summary>An image's pixel_values [3, S, S].</summary>
    public sealed record Image(string Source, float[] PixelValues) : PreparedImage(Source);

    /// <summary>
    /// pixel_values [3, S, S]: the folder's preprocessor_config.json, or without one CLIP's defaults at the vision
    /// tower's input size.
    /// </summary>
    internal override PreparedImage Preprocess(RgbImage image, string source)
    {
        int size = Config.Vision.ImageSize;
        var processor = Preprocessor ?? new ClipImageProcessor { ShortestEdge = size, CropHeight = size, CropWidth = size };
        var pixels = processor.PixelValues(image);
        if (pixels.Length != 3 * size * size)
            throw new ModelFormatException($"{source}: preprocessing gives {pixels.Length} values, the vision tower takes [3, {size}, {size}] (check preprocessor_config.json's crop_size)");
        return new Image(source, pixels);
    }

    /// <summary>pixel_values [1, 3, S, S] -> image features [n_img, d] (vision tower, feature layer and strategy, projector).</summary>
    public float[] ImageFeatures(ReadOnlySpan<float> pixelValues, VisionRecording? record = null)
    {
        var c = Config;
        int n = c.Vision.Patches + 1, dv = c.Vision.Hidden;
        var hidden = Vision.Run(pixelValues, c.FeatureLayerResolved, record);   // [P + 1, Dv]
        int skip = c.Select == FeatureSelect.Default ? 1 : 0;                  // default drops the CLS row
        var selected = hidden.AsSpan(skip * dv, (n - skip) * dv).ToArray();     // [n_img, Dv]
        if (record != null) record.Selected = selected;
        return Projector.Run(selected, n - skip);
    }

    /// <summary>
    /// Each image token standing for one image (as many as images) becomes n_img of them, as LlavaProcessor expands
    /// "&lt;image&gt;"; ids that already repeat it are kept. The features of the images in order then fill the image
    /// positions.
    /// </summary>
    internal override ImagePrompt Prepare(int[] ids, IReadOnlyList<PreparedImage> images)
    {
        if (images.Count == 0) throw new ArgumentException("an image prompt needs at least one image");
        var features = images.SelectMany(image => ImageFeatures(((Image)image).PixelValues)).ToArray();
        return MergeFeatures(ExpandImageTokens(ids, images.Count, Config.ImageTokens), features);
    }

    /// <summary>
    /// Pairs expanded prompt ids with image features: the positions holding image_token_index receive the feature rows
    /// in order. Their number must equal the number of features (HF: "Image features and image tokens do not match").
    /// </summary>
    public ImagePrompt MergeFeatures(int[] inputIds, float[] imageFeatures)
    {
        var positions = ImagePositions(inputIds, imageFeatures,
                                       $"the prompt must hold the image token once per image, or {Config.ImageTokens} times per image");
        return new ImagePrompt(inputIds, new ImageRows(new RowEmbeddings(positions, imageFeatures, Config.Text.DModel)));
    }

    public override void Dispose()
    {
        base.Dispose();
        _store.Dispose();
    }
}
