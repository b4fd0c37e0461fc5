using System.Text.Json;
using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Imaging;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Tokenizers;

namespace HeadPursuit.Runtime.Vision;

/// <summary>
/// A vision-language model: a vision tower and projector turn each image into feature rows that replace the embeddings
/// of the prompt's image tokens, then the language model (<see cref="Text"/>, any family) runs as usual. A family
/// supplies the processor (<see cref="Preprocess(string)"/>) and the merge (<see cref="Prepare"/>: how many image tokens an image
/// takes, its features, and the rotary positions or image blocks its language model reads); capture, interventions and
/// generation are shared here, with the image positions passed along.
/// </summary>
public abstract class VisionLanguageModel(Transformer text) : IDisposable
{
    /// <summary>A vision-language family: how to load a checkpoint folder, and how to read just its language model's config.</summary>
    sealed record Family(Func<string, IBackend, VisionLanguageModel> Load, Func<string, ModelConfig> TextConfig);

    /// <summary>The config.json model_types of the vision-language families (a new family adds its line here).</summary>
    static readonly Dictionary<string, Family> Families = new()
    {
        ["llava"] = new(LlavaModel.Load, path => LlavaConfig.Load(path).Text),
        ["llava_next"] = new(LlavaNext.LlavaNextModel.Load, path => LlavaNext.LlavaNextConfig.Load(path).Text),
        ["qwen2_5_vl"] = new(Qwen25Vl.Qwen25VlModel.Load, path => Qwen25Vl.Qwen25VlConfig.Load(path).Text),
        ["gemma3"] = new(Gemma3.Gemma3Model.Load, path => Gemma3.Gemma3Config.Load(path).Text),
    };

    /// <summary>Whether a config.json model_type names a vision-language model we load.</summary>
    public static bool IsVisionLanguage(string modelType) => Families.ContainsKey(modelType);

    /// <summary>Loads a vision-language checkpoint folder by its config.json's model_type.</summary>
    public static VisionLanguageModel Load(string folder, IBackend backend) => FamilyOf(folder).Load(folder, backend);

    /// <summary>The language model's config of a vision-language checkpoint folder, read without loading the weights.</summary>
    public static ModelConfig TextConfig(string folder) => FamilyOf(folder).TextConfig(Path.Combine(folder, "config.json"));

    static Family FamilyOf(string folder)
    {
        string path = Path.Combine(folder, "config.json");
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: config.json not found");
        string type = ModelConfig.ModelTypeIn(path);
        return Families.TryGetValue(type, out var family) ? family
            : throw new ModelFormatException($"{path}: model_type \"{type}\" is not a vision-language model we run (supported: {string.Join(", ", Families.Keys)})");
    }

    /// <summary>The language model: what capture, rank and decompose read.</summary>
    public Transformer Text { get; } = text;

    /// <summary>The id whose positions receive image features.</summary>
    public abstract int ImageTokenId { get; }

    /// <summary>
    /// How a prompt's text marks where an image goes, for every family (LLaVA's own placeholder); the family says what it
    /// becomes in ids (<see cref="PlaceholderIds"/>).
    /// </summary>
    public const string Placeholder = "<image>";

    /// <summary>
    /// What one <see cref="Placeholder"/> becomes in ids before <see cref="Prepare"/> expands it, as the family's processor
    /// and chat template write an image: the image token once by default.
    /// </summary>
    protected virtual int[] PlaceholderIds => [ImageTokenId];

    /// <summary>An image as the family's processor prepares it; <paramref name="source"/> names it in errors.</summary>
    internal abstract PreparedImage Preprocess(RgbImage image, string source);

    /// <summary>An image file (PNG or JPEG) as the family's processor prepares it.</summary>
    internal PreparedImage Preprocess(string imagePath) => Preprocess(ImageFile.Load(imagePath), imagePath);

    /// <summary>
    /// The prompt the language model runs: <paramref name="ids"/> with each image's token expanded as the family's
    /// processor does it (ids already expanded are kept), the images' features at the image positions, and the rows'
    /// rotary positions or image blocks where the family has them. A prompt whose image tokens do not match the
    /// features is refused ("Image features and image tokens do not match").
    /// </summary>
    internal abstract ImagePrompt Prepare(int[] ids, IReadOnlyList<PreparedImage> images);

    /// <summary>
    /// <paramref name="ids"/> with each image token standing for one image (as many as <paramref name="images"/>)
    /// repeated <paramref name="perImage"/> times, as the processors expand an image; ids that already repeat it are kept.
    /// </summary>
    protected int[] ExpandImageTokens(int[] ids, int images, int perImage)
    {
        int token = ImageTokenId;
        return images > 0 && ids.Count(t => t == token) == images ? [.. ids.SelectMany(t => t == token ? Enumerable.Repeat(token, perImage) : [t])] : ids;
    }

    /// <summary>
    /// The positions of the image token in <paramref name="ids"/>, which receive the rows of <paramref name="features"/>
    /// [n, d_model] in order (HF masked_scatter). Their number must equal n (HF: "Image features and image tokens do not
    /// match"); <paramref name="hint"/> tells how the family's prompts write an image.
    /// </summary>
    protected int[] ImagePositions(int[] ids, float[] features, string hint)
    {
        int d = Text.Config.DModel, token = ImageTokenId;
        if (features.Length % d != 0) throw new ArgumentException($"{features.Length} image feature values are not rows of d_model {d}");
        var positions = Enumerable.Range(0, ids.Length).Where(t => ids[t] == token).ToArray();
        if (positions.Length != features.Length / d)
            throw new ArgumentException(
                $"Image features and image tokens do not match: the prompt holds {positions.Length} image tokens (id {token}) " +
                $"but the images give {features.Length / d} features; {hint}");
        return positions;
    }

    /// <summary>
    /// Text holding <see cref="Placeholder"/> once per image: the text before the first placeholder is encoded with the
    /// tokenizer's special tokens (BOS), the rest without, and each placeholder becomes <see cref="PlaceholderIds"/>.
    /// Encoding the parts apart keeps the image token out of the tokenizer, which many checkpoints' tokenizer.json
    /// lack (the image token can lie beyond the vocabulary).
    /// </summary>
    public int[] Encode(Tokenizer tok, string text, int images)
    {
        var parts = text.Split(Placeholder);
        if (parts.Length != images + 1)
            throw new ArgumentException($"the prompt '{text}' must hold the image placeholder {Placeholder} once per image ({images}); it holds it {parts.Length - 1} times");
        var ids = new List<int>(tok.Encode(parts[0], addSpecialTokens: true));
        foreach (var part in parts.Skip(1))
        {
            ids.AddRange(PlaceholderIds);
            ids.AddRange(tok.Encode(part));
        }
        return [.. ids];
    }

    /// <summary>One full forward over a prompt; returns logits [T, vocab]. Scales apply where their policy puts them.</summary>
    internal float[] Forward(ImagePrompt prompt, HeadScales? scales = null, ForwardRecording? record = null)
    {
        int T = prompt.Ids.Length;
        using var cache = Text.NewCache(1, T);
        return Text.Forward(new ForwardRequest
        {
            Tokens = prompt.LookupIds(), Layout = ImageRows.Prefill([0], [T], [prompt.Rows]), Logits = LogitRows.All,
            Embeddings = prompt.Rows.Embeddings, Scales = scales, Record = record,
        }, cache);
    }

    /// <summary>[T]: 1 at the prompt positions where the scales' policy applies them (a prompt has no generated rows).</summary>
    internal static byte[] ScaleRows(ImagePrompt prompt, HeadScales scales) =>
        PolicyRows.Of(scales, BatchLayout.Single(prompt.Ids.Length), null, prompt.Rows.Embeddings);

    /// <summary>Generation from image prompts (the images enter through the prompts' image positions only).</summary>
    internal GenerationResult Generate(IReadOnlyList<ImagePrompt> prompts, SamplingOptions options, HeadScales? scales = null,
                                     Action<int, int>? onToken = null, bool keepStepLogits = false) =>
        new Generator(Text).Generate(prompts.Select(p => p.LookupIds()).ToArray(), options, scales, onToken, keepStepLogits,
                                     prompts.Select(p => (ImageRows?)p.Rows).ToArray());

    /// <summary>
    /// Generation for prompts with one image each: the prompt's token ids (the image token once where the image goes, as
    /// <see cref="Encode"/> gives them) and the image file (PNG or JPEG), which the family's processor prepares. Head
    /// scales apply where their policy puts them (<see cref="PositionPolicy.Image"/>: the image tokens).
    /// </summary>
    public GenerationResult Generate(IReadOnlyList<(int[] Ids, string ImagePath)> prompts, SamplingOptions options, HeadScales? scales = null) =>
        Generate([.. prompts.Select(p => Prepare(p.Ids, [Preprocess(p.ImagePath)]))], options, scales);

    /// <summary>
    /// The paper's VLM capture over samples with one image file each (ids and path as <see cref="Generate(IReadOnlyList{ValueTuple{int[], string}}, SamplingOptions, HeadScales?)"/>
    /// takes them): every head's z averaged over each sample's image positions, [L, H, samples, d_head].
    /// </summary>
    public HeadActivations CaptureImages(IReadOnlyList<(int[] Ids, string ImagePath)> samples, int batchSize = 8, Action<int, int>? progress = null) =>
        CaptureImages([.. samples.Select(s => s.Ids)], i => [Preprocess(samples[i].ImagePath)], batchSize, progress);

    /// <summary>
    /// The paper's VLM capture: for every sample, the mean of each head's z over its image positions (z_image_mean
    /// [L, H, d_head] per sample). Samples are prepared (images preprocessed, run through the vision tower, merged) one
    /// batch at a time, so memory holds one batch of images and features.
    /// </summary>
    /// <param name="prompts">Token ids per sample, each image's token once (or already expanded).</param>
    /// <param name="imagesOf">Sample index -> its prepared images, in prompt order.</param>
    internal HeadActivations CaptureImages(IReadOnlyList<int[]> prompts, Func<int, IReadOnlyList<PreparedImage>> imagesOf, int batchSize = 8,
                                         Action<int, int>? progress = null)
    {
        if (prompts.Count == 0) throw new ArgumentException("no samples to capture (the image set is empty)");
        if (batchSize <= 0) throw new ArgumentException($"batch size must be positive, got {batchSize}");
        var c = Text.Config;
        var all = new HeadActivations(c.Layers, c.Heads, prompts.Count, c.DHead);
        var capture = new HeadCapture(Text);
        for (int start = 0; start < prompts.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, prompts.Count - start);
            var prepared = Enumerable.Range(start, count).Select(i => Prepare(prompts[i], imagesOf(i))).ToArray();
            var part = capture.Run(prepared.Select(p => p.LookupIds()).ToArray(), prepared.Select(p => p.ImageMask()).ToArray(), count,
                                   progress: null, imagesOf: i => prepared[i].Rows);
            for (int i = 0; i < count; i++)
                for (int l = 0; l < c.Layers; l++)
                    for (int h = 0; h < c.Heads; h++)
                        part.Row(l, h, i).CopyTo(all.Row(l, h, start + i));
            progress?.Invoke(start + count, prompts.Count);
        }
        return all;
    }

    /// <summary>Frees the weights of both the vision tower and the language model.</summary>
    public virtual void Dispose() => Text.Dispose();
}
