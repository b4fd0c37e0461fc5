using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Somp;

namespace HeadPursuit.Eval.Experiments;

/// <summary>
/// A text experiment: each sample is a prompt (encoded with the tokenizer's special tokens); the heads are ranked on
/// the capture prompts pooled over the experiment's positions (template text excluded where asked).
/// </summary>
public sealed class TextTask : ExperimentTask
{
    readonly ExperimentSpec _spec;
    readonly Tokenizer _tokenizer;

    /// <summary>Prompts from the experiment's dataset, through the language model's tokenizer.</summary>
    public TextTask(ExperimentSpec spec, Transformer model, Tokenizer tokenizer)
    {
        if (spec.Images != null) throw new ArgumentException($"{spec.Name} is an image experiment");
        _spec = spec; Model = model; _tokenizer = tokenizer;
        PromptIds = [.. spec.Samples.Select(p => tokenizer.Encode(p, addSpecialTokens: true))];
        for (int i = 0; i < PromptIds.Length; i++)
            if (PromptIds[i].Length == 0) throw new ArgumentException($"{spec.DatasetSource}: prompt {i + 1} encodes to no tokens");
    }

    /// <inheritdoc/>
    public override Transformer Model { get; }
    /// <inheritdoc/>
    public override int[][] PromptIds { get; }

    /// <inheritdoc/>
    public override ConceptDictionary Concept() => ConceptSource.Load(_spec.Concept, _spec.ConceptTokens, _spec.Model, Encode);

    /// <inheritdoc/>
    public override int[] Encode(string word) => _tokenizer.Encode(word);

    /// <inheritdoc/>
    public override HeadActivations Capture(Action<int, int> progress)
    {
        var texts = _spec.CapturePrompts ?? throw new ArgumentException($"{_spec.Name}: ranking the heads needs \"ranking.capture_prompts\"");
        var ids = texts.Select(t => _tokenizer.Encode(t, addSpecialTokens: true)).ToArray();
        var masks = CapturePositionMasks.For(_tokenizer, ids, _spec.CapturePositions);
        if (_spec.ExcludePrefix != null || _spec.ExcludeSuffix != null)
        {
            int[] prefix = _spec.ExcludePrefix == null ? [] : _tokenizer.Encode(_spec.ExcludePrefix);
            int[] suffix = _spec.ExcludeSuffix == null ? [] : _tokenizer.Encode(_spec.ExcludeSuffix);
            masks = [.. masks.Select((m, i) => TemplatePositions.Exclude(ids[i], m, prefix, suffix, $"{_spec.CaptureSource}: capture prompt {i + 1}"))];
        }
        return new HeadCapture(Model).Run(ids, masks, _spec.Batch, progress);
    }

    /// <inheritdoc/>
    public override int[][] Generate(SamplingOptions decoding, HeadScales? scales)
    {
        var result = new List<int[]>(PromptIds.Length);
        for (int start = 0; start < PromptIds.Length; start += _spec.Batch)
            result.AddRange(new Generator(Model).Generate(PromptIds[start..Math.Min(PromptIds.Length, start + _spec.Batch)], decoding, scales).NewTokens);
        return [.. result];
    }

    /// <inheritdoc/>
    public override string Text(int[] ids) => _tokenizer.Decode(ids, skipSpecialTokens: true);
}
