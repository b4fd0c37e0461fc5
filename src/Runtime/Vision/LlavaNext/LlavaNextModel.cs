using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Imaging;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;

namespace HeadPursuit.Runtime.Vision.LlavaNext;

/// <summary>
/// LLaVA-NeXT (HF LlavaNextForConditionalGeneration, e.g. llava-hf/llava-v1.6-mistral-7b-hf): an image becomes a base
/// crop and a grid of crops (<see cref="LlavaNextImageProcessor"/>); the CLIP tower and the projector turn every crop into
/// P = side^2 feature rows; the grid crops are laid out as one feature map, unpadded back to the image's aspect ratio,
/// with image_newline after each row (<see cref="AnyResolution.PackedRows"/>), after the base crop's rows. Those rows
/// replace the embeddings at the prompt's image tokens; the Mistral or Llama language model runs on the backend.
/// </summary>
internal sealed class LlavaNextModel : VisionLanguageModel
{
    readonly WeightStore _store;

    public LlavaNextConfig Config { get; }
    public LlavaWeightLayout Layout { get; }
    public ClipVisionTower Vision { get; }
    public MultiModalProjector Projector { get; }
    /// <summary>[d_model]: the learned vector appended after each row of the feature map.</summary>
    public float[] ImageNewline { get; }
    /// <summary>The folder's preprocessor_config.json, or without one CLIP's defaults at the tower's size with config.json's pinpoints.</summary>
    public LlavaNextImageProcessor Processor { get; }

    LlavaNextModel(WeightStore store, LlavaNextConfig config, LlavaWeightLayout layout, Transformer text, ClipVisionTower vision,
                   MultiModalProjector projector, float[] newline, LlavaNextImageProcessor processor) : base(text)
    {
        _store = store; Config = config; Layout = layout; Vision = vision; Projector = projector; ImageNewline = newline; Processor = processor;
    }

    /// <summary>Loads config.json, the weights (either tensor layout, single file or sharded) and preprocessor_config.json if present.</summary>
    public static new LlavaNextModel Load(string folder, IBackend backend)
    {
        var config = LlavaNextConfig.Load(Path.Combine(folder, "config.json"));
        var processor = LoadProcessor(folder, config);
        var store = WeightStore.Open(folder);
        try
        {
            var layout = LlavaWeightLayout.Detect(store);
            var text = Transformer.Load(store, config.Text, backend, layout.TextName);
            var vision = new ClipVisionTower(ClipVisionWeights.Load(store, config.Vision, layout.Vision));
            var projector = MultiModalProjector.Load(store, layout.Projector, config.Vision.Hidden, config.Text.DModel, config.Llava.ProjectorBias);
            // Beside the projector: "image_newline" (classic) or "model.image_newline" (new).
            string newline = (layout == LlavaWeightLayout.New ? "model." : "") + "image_newline";
            return new LlavaNextModel(store, config, layout, text, vision, projector, store.Get(newline).ExpectShape(config.Text.DModel).ToFloatArray(), processor);
        }
        catch { store.Dispose(); throw; }
    }

    /// <summary>preprocessor_config.json, which must crop to the tower's input size and use config.json's pinpoints.</summary>
    static LlavaNextImageProcessor LoadProcessor(string folder, LlavaNextConfig config)
    {
        int size = config.Vision.ImageSize;
        string path = Path.Combine(folder, "preprocessor_config.json");
        if (!File.Exists(path))
            return new LlavaNextImageProcessor { Crop = new ClipImageProcessor { ShortestEdge = size, CropHeight = size, CropWidth = size }, GridPinpoints = config.GridPinpoints };
        var processor = LlavaNextImageProcessor.Load(path);
        var crop = processor.Crop;
        if (crop.CropHeight != size || crop.CropWidth != size)
            throw new ModelFormatException($"{path}: crop_size {crop.CropHeight}x{crop.CropWidth} is not the vision tower's image_size {size}x{size} (config.json)");
        static string Text(int[][] p) => "[" + string.Join(", ", p.Select(x => $"[{x[0]}, {x[1]}]")) + "]";
        if (Text(processor.GridPinpoints) != Text(config.GridPinpoints))
            throw new ModelFormatException($"{path}: image_grid_pinpoints {Text(processor.GridPinpoints)} differ from config.json's {Text(config.GridPinpoints)}");
        return processor;
    }

    public override int ImageTokenId => Config.Llava.ImageTokenIndex;

    /// <summary>An image's pixel_values [crops, 3, S, S] (base first) and its original size, which decides the grid and the unpadding.</summary>
    public sealed record Image(string Source, float[] PixelValues, int Height, int Width) : PreparedImage(Source);

    /// <summary>The feature map of an image of this original size.</summary>
    public AnyResolution.FeatureMap Map(int height, int width) =>
        AnyResolution.Map(height, width, Config.GridPinpoints, Config.Vision.ImageSize, Config.Vision.Grid);

    /// <summary>The image tokens LlavaNextProcessor expands one "&lt;image&gt;" of an image of this size into.</summary>
    public int ImageTokens(int height, int width) => AnyResolution.TokenCount(Map(height, width));

    int ImageTokens(Image image) => ImageTokens(image.Height, image.Width);

    internal override PreparedImage Preprocess(RgbImage image, string source)
    {
        int S = Config.Vision.ImageSize, crops = Map(image.Height, image.Width).Crops;
        var pixels = Processor.PixelValues(image);
        if (pixels.Length != crops * 3 * S * S)
            throw new ModelFormatException($"{source}: preprocessing gives {pixels.Length} values, the model takes {crops} crops of [3, {S}, {S}] (check preprocessor_config.json's size and crop_size)");
        return new Image(source, pixels, image.Height, image.Width);
    }

    /// <summary>
    /// pixel_values [crops, 3, S, S] -> crop features [crops, P, d]: each crop through the vision tower to the feature
    /// layer, the CLS row dropped, then the projector. <paramref name="record"/> (one per crop) receives the tower's intermediates.
    /// </summary>
    public float[] CropFeatures(Image image, VisionRecording[]? record = null)
    {
        var c = Config.Vision;
        int crops = Map(image.Height, image.Width).Crops, length = 3 * c.ImageSize * c.ImageSize, P = c.Patches, dv = c.Hidden;
        if (image.PixelValues.Length != crops * length)
            throw new ArgumentException($"{image.Source}: {image.PixelValues.Length} pixel values; a {image.Width}x{image.Height} image takes {crops} crops of {length}");
        var selected = new float[crops * P * dv];   // [crops, P, Dv]
        for (int k = 0; k < crops; k++)
        {
            var hidden = Vision.Run(image.PixelValues.AsSpan(k * length, length), Config.Llava.FeatureLayerResolved, record?[k]);   // [P + 1, Dv]
            hidden.AsSpan(dv, P * dv).CopyTo(selected.AsSpan(k * P * dv));                                                        // CLS dropped
            if (record != null) record[k].Selected = selected.AsSpan(k * P * dv, P * dv).ToArray();
        }
        return Projector.Run(selected, crops * P);
    }

    /// <summary>Crop features [crops, P, d] -> the image's packed features [tokens, d] (<see cref="AnyResolution.PackedRows"/>).</summary>
    public float[] Pack(Image image, float[] cropFeatures)
    {
        int d = Config.Text.DModel;
        var rows = AnyResolution.PackedRows(Map(image.Height, image.Width));
        var packed = new float[rows.Length * d];   // [tokens, d]
        for (int i = 0; i < rows.Length; i++)
            (rows[i] < 0 ? ImageNewline : cropFeatures.AsSpan(rows[i] * d, d)).CopyTo(packed.AsSpan(i * d, d));
        return packed;
    }

    /// <summary>An image's packed features [tokens, d].</summary>
    public float[] ImageFeatures(Image image) => Pack(image, CropFeatures(image));

    /// <summary>
    /// With the image token once per image, the k-th becomes image k's token count, as LlavaNextProcessor expands
    /// "&lt;image&gt;"; ids that already repeat it are kept. The images' packed features in order then fill the image positions.
    /// </summary>
    internal override ImagePrompt Prepare(int[] ids, IReadOnlyList<PreparedImage> images)
    {
        if (images.Count == 0) throw new ArgumentException("an image prompt needs at least one image");
        var next = images.Select(i => i as Image ?? throw new ArgumentException($"{i.Source}: not an image prepared for LLaVA-NeXT")).ToArray();
        int token = ImageTokenId;
        if (ids.Count(t => t == token) == next.Length)
        {
            int k = 0;   // the image whose token comes next
            ids = [.. ids.SelectMany(t => t == token ? Enumerable.Repeat(token, ImageTokens(next[k++])) : [t])];
        }
        return MergeFeatures(ids, [.. next.SelectMany(ImageFeatures)], next);
    }

    /// <summary>
    /// Pairs expanded prompt ids with the images' packed features: the positions holding image_token_index receive the
    /// feature rows in order; their number must equal the number of features (HF: "Image features and image tokens do not match").
    /// </summary>
    public ImagePrompt MergeFeatures(int[] inputIds, float[] imageFeatures, IReadOnlyList<Image> images)
    {
        int d = Config.Text.DModel, token = ImageTokenId;
        var positions = Enumerable.Range(0, inputIds.Length).Where(t => inputIds[t] == token).ToArray();
        int features = imageFeatures.Length / d;
        if (positions.Length != features)
            throw new ArgumentException(
                $"Image features and image tokens do not match: the prompt holds {positions.Length} image tokens (id {token}) but the images give " +
                $"{features} features; the prompt must hold the image token once per image, or as many times as each image's tokens " +
                $"({string.Join(", ", images.Select(i => $"{i.Width}x{i.Height}: {ImageTokens(i)}"))})");
        return new ImagePrompt(inputIds, new ImageRows(new RowEmbeddings(positions, imageFeatures, d)));
    }

    public override void Dispose()
    {
        base.Dispose();
        _store.Dispose();
    }
}
