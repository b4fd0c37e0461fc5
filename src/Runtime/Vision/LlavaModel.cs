using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Imaging;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;

namespace HeadPursuit.Runtime.Vision;

/// <summary>
/// A LLaVA vision-language model (HF LlavaForConditionalGeneration): the CLIP vision tower and projector turn an
/// image's pixel_values into n_img feature rows, which replace the embeddings at the prompt's image-token positions;
/// the Llama language model (<see cref="Text"/>) then runs as usual on the backend. Head capture, interventions and
/// generation are the text model's, with the image positions passed along.
/// </summary>
public sealed class LlavaModel : IDisposable
{
    readonly WeightStore _store;

    public LlavaConfig Config { get; }
    public LlavaWeightLayout Layout { get; }
    public Transformer Text { get; }
    public ClipVisionTower Vision { get; }
    public MultiModalProjector Projector { get; }
    /// <summary>The folder's preprocessor_config.json, or null when it has none.</summary>
    public ClipImageProcessor? Preprocessor { get; }

    LlavaModel(WeightStore store, LlavaConfig config, LlavaWeightLayout layout, Transformer text, ClipVisionTower vision,
               MultiModalProjector projector, ClipImageProcessor? preprocessor)
    {
        _store = store; Config = config; Layout = layout; Text = text; Vision = vision; Projector = projector; Preprocessor = preprocessor;
    }

    /// <summary>Loads config.json, the weights (either tensor layout, single file or sharded) and preprocessor_config.json if present.</summary>
    public static LlavaModel Load(string folder, IBackend backend)
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
    /// Pairs a prompt with its image's features: the positions holding image_token_index receive the feature rows in
    /// order. Their number must equal the number of features (HF: "Image features and image tokens do not match").
    /// </summary>
    public ImagePrompt MergeFeatures(int[] inputIds, float[] imageFeatures)
    {
        int d = Config.Text.DModel;
        if (imageFeatures.Length % d != 0) throw new ArgumentException($"{imageFeatures.Length} image feature values are not rows of d_model {d}");
        var positions = Enumerable.Range(0, inputIds.Length).Where(t => inputIds[t] == Config.ImageTokenIndex).ToArray();
        int features = imageFeatures.Length / d;
        if (positions.Length != features)
            throw new ArgumentException(
                $"Image features and image tokens do not match: the prompt holds {positions.Length} image tokens (id {Config.ImageTokenIndex}) " +
                $"but the image gives {features} features; the prompt must repeat the image token {features} times");
        return new ImagePrompt(inputIds, new RowEmbeddings(positions, imageFeatures, d));
    }

    /// <summary>The image's features merged into the prompt (vision tower and projector run here).</summary>
    public ImagePrompt PrepareImagePrompt(int[] inputIds, ReadOnlySpan<float> pixelValues) => MergeFeatures(inputIds, ImageFeatures(pixelValues));

    /// <summary>
    /// One full forward over a prompt; returns logits [T, vocab]. Scales apply at every position (All, Prompt), at the
    /// image positions only (Image) or nowhere (Generated: a prompt has no generated rows).
    /// </summary>
    public float[] Forward(ImagePrompt prompt, HeadScales? scales = null, ForwardRecording? record = null)
    {
        int T = prompt.Ids.Length;
        using var cache = Text.NewCache(1, T);
        return Text.Forward(new ForwardRequest
        {
            Tokens = prompt.LookupIds(), Layout = BatchLayout.Single(T), Logits = LogitRows.All, Embeddings = prompt.Embeddings,
            Scales = scales, ScaleRows = scales == null ? null : ScaleRows(prompt, scales), Record = record,
        }, cache);
    }

    /// <summary>[T]: 1 at the prompt positions where the scales' policy applies them.</summary>
    public static byte[] ScaleRows(ImagePrompt prompt, HeadScales scales)
    {
        int T = prompt.Ids.Length;
        if (scales.Policy == PositionPolicy.Image) return prompt.Embeddings.Mask(T);
        var rows = new byte[T];
        if (scales.Policy == PositionPolicy.Span)
            for (int t = Math.Max(0, scales.SpanStart); t < Math.Min(T, scales.SpanEnd); t++) rows[t] = 1;
        else if (scales.Policy != PositionPolicy.Generated) Array.Fill(rows, (byte)1);
        return rows;
    }

    /// <summary>Generation from image prompts (the image enters through the prompt's image positions only).</summary>
    public GenerationResult Generate(IReadOnlyList<ImagePrompt> prompts, SamplingOptions options, HeadScales? scales = null,
                                     Action<int, int>? onToken = null, bool keepStepLogits = false) =>
        new Generator(Text).Generate(prompts.Select(p => p.LookupIds()).ToArray(), options, scales, onToken, keepStepLogits,
                                     prompts.Select(p => (RowEmbeddings?)p.Embeddings).ToArray());

    /// <summary>
    /// The paper's VLM capture: for every sample, the mean of each head's z over its image positions
    /// (z_image_mean [L, H, d_head] per sample). Images are run through the vision tower batch by batch, so memory
    /// holds one batch of features.
    /// </summary>
    /// <param name="prompts">Token ids per sample, each holding the image token n_img times.</param>
    /// <param name="pixelValuesOf">Sample index -> its pixel_values [1, 3, S, S] (e.g. decode + preprocess a file).</param>
    public HeadActivations CaptureImages(IReadOnlyList<int[]> prompts, Func<int, float[]> pixelValuesOf, int batchSize = 8,
                                         HeadScales? scales = null, Action<int, int>? progress = null)
    {
        if (scales != null && scales.Policy is not (PositionPolicy.All or PositionPolicy.Prompt))
            throw new ArgumentException($"capture runs prompts only; the {scales.Policy} position policy is not supported here (use All)");
        var masks = prompts.Select(ids => ids.Select(t => t == Config.ImageTokenIndex).ToArray()).ToArray();
        var lookup = prompts.Select(ids => ids.Select(t => t == Config.ImageTokenIndex ? 0 : t).ToArray()).ToArray();   // see ImagePrompt.LookupIds
        return new HeadCapture(Text).Run(lookup, masks, batchSize, scales, progress,
                                         i => PrepareImagePrompt(prompts[i], pixelValuesOf(i)).Embeddings);
    }

    public void Dispose()
    {
        Text.Dispose();
        _store.Dispose();
    }
}
