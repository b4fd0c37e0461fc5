using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Imaging;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;

namespace HeadPursuit.Runtime.Vision.Gemma3;

/// <summary>
/// Gemma 3 with images (HF Gemma3ForConditionalGeneration, model_type "gemma3"): the SigLIP vision tower and the
/// projector turn an image's pixel_values into mm_tokens_per_image feature rows, which replace the embeddings at the
/// prompt's image-token positions (after the text embeddings' sqrt(hidden_size) scale: the features are not scaled).
/// The Gemma 3 text model (<see cref="VisionLanguageModel.Text"/>) then runs on the backend with one change during the
/// prompt: the tokens of one image (a run of consecutive image tokens) see each other in both directions, on top of
/// the causal or sliding-window rule (<see cref="ImageRows.BlockFirst"/>).
/// </summary>
internal sealed class Gemma3Model : VisionLanguageModel
{
    /// <summary>The Gemma tokenizer's id of "\n\n" (one token, the same in every Gemma 3 checkpoint's tokenizer).</summary>
    public const int NewlineNewlineId = 108;

    readonly WeightStore _store;

    public Gemma3Config Config { get; }
    /// <summary>Gemma 3 checkpoints name their tensors as LLaVA's do (classic, or transformers &gt;= 4.52).</summary>
    public LlavaWeightLayout Layout { get; }
    public ClipVisionTower Vision { get; }
    public Gemma3Projector Projector { get; }
    /// <summary>The folder's preprocessor_config.json, or Gemma3ImageProcessor's defaults at the vision tower's size.</summary>
    public Gemma3ImageProcessor Processor { get; }

    Gemma3Model(WeightStore store, Gemma3Config config, LlavaWeightLayout layout, Transformer text, ClipVisionTower vision,
                Gemma3Projector projector, Gemma3ImageProcessor processor) : base(text)
    {
        _store = store; Config = config; Layout = layout; Vision = vision; Projector = projector; Processor = processor;
    }

    /// <summary>Loads config.json, the weights (either tensor layout, single file or sharded) and preprocessor_config.json if present.</summary>
    public static new Gemma3Model Load(string folder, IBackend backend)
    {
        var config = Gemma3Config.Load(Path.Combine(folder, "config.json"));
        var processor = LoadProcessor(folder, config);
        var store = WeightStore.Open(folder);
        try
        {
            var layout = LlavaWeightLayout.Detect(store);
            var text = Transformer.Load(store, config.Text, backend, layout.TextName);
            var vision = new ClipVisionTower(ClipVisionWeights.Load(store, config.Vision, layout.Vision));
            return new Gemma3Model(store, config, layout, text, vision, Gemma3Projector.Load(store, layout.Projector, config), processor);
        }
        catch { store.Dispose(); throw; }
    }

    /// <summary>preprocessor_config.json, checked against the model: it must make the tower's input and the image token count.</summary>
    static Gemma3ImageProcessor LoadProcessor(string folder, Gemma3Config config)
    {
        string path = Path.Combine(folder, "preprocessor_config.json");
        int size = config.Vision.ImageSize;
        if (!File.Exists(path)) return new Gemma3ImageProcessor { Height = size, Width = size };
        var p = Gemma3ImageProcessor.Load(path);
        if (p.DoResize && (p.Height, p.Width) != (size, size))
            throw new ModelFormatException($"{path}: size {p.Height}x{p.Width} is not the vision tower's input {size}x{size} (config.json vision_config.image_size)");
        if (p.ImageSeqLength is int n && n != config.MmTokensPerImage)
            throw new ModelFormatException($"{path}: image_seq_length {n} is not config.json's mm_tokens_per_image {config.MmTokensPerImage}");
        return p;
    }

    public override int ImageTokenId => Config.ImageTokenIndex;

    /// <summary>As Gemma3Processor writes an image: "\n\n", &lt;start_of_image&gt;, the image token, &lt;end_of_image&gt;, "\n\n".</summary>
    protected override int[] PlaceholderIds => [NewlineNewlineId, Config.BoiTokenIndex, Config.ImageTokenIndex, Config.EoiTokenIndex, NewlineNewlineId];

    /// <summary>An image's pixel_values [3, S, S].</summary>
    public sealed record Image(string Source, float[] PixelValues) : PreparedImage(Source);

    internal override PreparedImage Preprocess(RgbImage image, string source)
    {
        int size = Config.Vision.ImageSize;
        var pixels = Processor.PixelValues(image, source);
        if (pixels.Length != 3 * size * size)
            throw new ModelFormatException($"{source}: preprocessing without a resize gives [3, {image.Height}, {image.Width}], the vision tower takes [3, {size}, {size}] (preprocessor_config.json do_resize is false)");
        return new Image(source, pixels);
    }

    /// <summary>pixel_values [3, S, S] -> image features [mm_tokens_per_image, d] (SigLIP's last hidden state, the projector).</summary>
    public float[] ImageFeatures(ReadOnlySpan<float> pixelValues, VisionRecording? record = null) =>
        Projector.Run(Vision.LastHiddenState(pixelValues, record));

    /// <summary>
    /// Each image token standing for one image (as many as images) becomes mm_tokens_per_image of them, as
    /// Gemma3Processor expands an image; ids that already repeat it are kept. The features of the images in order then
    /// fill the image positions. A prompt without images (and without image tokens) is a text prompt.
    /// </summary>
    internal override ImagePrompt Prepare(int[] ids, IReadOnlyList<PreparedImage> images)
    {
        var features = images.SelectMany(image => ImageFeatures(((Image)image).PixelValues)).ToArray();
        return MergeFeatures(ExpandImageTokens(ids, images.Count, Config.MmTokensPerImage), features);
    }

    /// <summary>
    /// Pairs expanded prompt ids with image features [n_images * mm_tokens_per_image, d]: the positions holding the image
    /// token receive the feature rows in order (HF masked_scatter), and each maximal run of image tokens (one image,
    /// token_type_ids 1) becomes a block of bidirectional attention. The counts must match (HF: "Image features and
    /// image tokens do not match").
    /// </summary>
    public ImagePrompt MergeFeatures(int[] inputIds, float[] imageFeatures)
    {
        var positions = ImagePositions(inputIds, imageFeatures,
            $"a Gemma 3 prompt writes each image as {string.Join(", ", PlaceholderIds)} (\\n\\n, <start_of_image>, the image token, " +
            $"<end_of_image>, \\n\\n), the image token once or {Config.MmTokensPerImage} times per image");
        var rows = new ImageRows(new RowEmbeddings(positions, imageFeatures, Config.Text.DModel));
        if (positions.Length == 0) return new ImagePrompt(inputIds, rows);
        var (first, last) = ImageBlocks(inputIds, ImageTokenId);
        return new ImagePrompt(inputIds, rows with { BlockFirst = first, BlockLast = last });
    }

    /// <summary>
    /// [T] each: the first and last position of the run of consecutive image tokens a position belongs to, -1 outside
    /// one (HF's token_type_ids image groups: a new group starts where an image token follows a non-image token).
    /// </summary>
    public static (int[] First, int[] Last) ImageBlocks(int[] ids, int imageToken)
    {
        int T = ids.Length;
        var first = Enumerable.Repeat(-1, T).ToArray();
        var last = Enumerable.Repeat(-1, T).ToArray();
        for (int t = 0; t < T;)
        {
            if (ids[t] != imageToken) { t++; continue; }
            int end = t;
            while (end + 1 < T && ids[end + 1] == imageToken) end++;
            for (int s = t; s <= end; s++) (first[s], last[s]) = (t, end);
            t = end + 1;
        }
        return (first, last);
    }

    public override void Dispose()
    {
        base.Dispose();
        _store.Dispose();
    }
}
