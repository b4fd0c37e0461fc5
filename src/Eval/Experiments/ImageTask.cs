using System.Globalization;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Runtime.Vision;
using HeadPursuit.Somp;

namespace HeadPursuit.Eval.Experiments;

/// <summary>
/// An image experiment (<see cref="ExperimentSpec.Images"/>) on a vision-language model: each sample is an image with
/// the experiment's one prompt; the heads are ranked on the capture images' head outputs, each pooled over its image
/// tokens (z_image_mean). Images are decoded and run through the vision tower batch by batch, so memory holds one batch
/// of image features whatever the dataset's size.
/// </summary>
/// <param name="tokenizer">The model's tokenizer, or null: the prompt is then "prompt_ids" and texts are the generated ids.</param>
public sealed class ImageTask(ExperimentSpec spec, VisionLanguageModel vlm, Tokenizer? tokenizer) : ExperimentTask
{
    readonly ImageTaskSpec _task = spec.Images ?? throw new ArgumentException($"{spec.Name} is not an image experiment");
    int[]? _prompt;

    /// <inheritdoc/>
    public override Transformer Model => vlm.Text;

    /// <summary>
    /// The prompt's ids with the image token once (expanded per image when it is prepared): text is encoded before the
    /// image placeholder with the special tokens (BOS) and after it without, as the processors do; "prompt_ids" hold
    /// the image token once.
    /// </summary>
    int[] Prompt => _prompt ??= PromptOf();

    int[] PromptOf()
    {
        int imageToken = vlm.ImageTokenId;
        if (_task.PromptIds is { } ids)
        {
            int count = ids.Count(t => t == imageToken);
            if (count != 1) throw new ArgumentException($"{spec.Name}: \"prompt_ids\" must hold the image token {imageToken} exactly once (they hold it {count} times)");
            return ids;
        }
        var tok = tokenizer ?? throw new ArgumentException($"{spec.Name}: {spec.Model} has no tokenizer.json, so \"prompt\" text cannot be encoded: give \"prompt_ids\"");
        return vlm.Encode(tok, _task.PromptText!, images: 1);
    }

    /// <inheritdoc/>
    public override int[][] PromptIds => [.. _task.Images.Select(_ => Prompt)];

    /// <inheritdoc/>
    public override ConceptDictionary Concept()
    {
        if (_task.ConceptIds is not { } ids) return ConceptSource.Load(spec.Concept, spec.ConceptTokens, spec.Model, Encode);
        if (tokenizer != null && spec.Metrics.Contains(MetricNames.ConceptFrequency))
            throw new ArgumentException($"{spec.Name}: concept_frequency with \"concept_ids\" counts ids in generated ids, but {spec.Model} has a tokenizer: give the concept as words");
        return ConceptSource.FromIds(spec.Concept, ids, vlm.Text.Config.Vocab);
    }

    /// <inheritdoc/>
    public override int[] Encode(string word) => tokenizer?.Encode(word)
        ?? throw new ArgumentException($"{spec.Model} has no tokenizer.json: give the concept as \"concept_ids\" and the toxicity words are unavailable");

    PreparedImage Prepared(Data.ImageInput image) => vlm.Preprocess(image.Decode(), image.Name);

    /// <inheritdoc/>
    public override HeadActivations Capture(Action<int, int> progress)
    {
        var images = _task.CaptureImages;
        return vlm.CaptureImages([.. images.Select(_ => Prompt)], i => [Prepared(images[i])], spec.Batch, progress);
    }

    /// <inheritdoc/>
    public override int[][] Generate(SamplingOptions decoding, HeadScales? scales)
    {
        var images = _task.Images;
        var result = new List<int[]>(images.Length);
        for (int start = 0; start < images.Length; start += spec.Batch)
        {
            var batch = images[start..Math.Min(images.Length, start + spec.Batch)].Select(f => vlm.Prepare(Prompt, [Prepared(f)])).ToArray();
            result.AddRange(vlm.Generate(batch, decoding, scales).NewTokens);
        }
        return [.. result];
    }

    /// <inheritdoc/>
    public override string Text(int[] ids) => tokenizer?.Decode(ids, skipSpecialTokens: true)
        ?? string.Join(' ', ids.Select(id => id.ToString(CultureInfo.InvariantCulture)));
}
