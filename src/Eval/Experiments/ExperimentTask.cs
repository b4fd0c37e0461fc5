using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Somp;

namespace HeadPursuit.Eval.Experiments;

/// <summary>
/// What differs between a text experiment and an image experiment: how a sample's inputs are built, generated from,
/// captured and read back (<see cref="TextTask"/>, <see cref="ImageTask"/>). Everything else (rankings, the grid of
/// cells, metrics, the results store, the report) is <see cref="ExperimentRunner"/>'s, the same for both.
/// </summary>
public abstract class ExperimentTask
{
    /// <summary>The language model whose heads are ranked and scaled.</summary>
    public abstract Transformer Model { get; }

    /// <summary>The concept's dictionary (its words tokenized, or given token ids).</summary>
    public abstract ConceptDictionary Concept();

    /// <summary>A word as token ids (for word lists such as the toxicity words); an error when the model has no tokenizer.</summary>
    public abstract int[] Encode(string word);

    /// <summary>Per sample, the token ids the model is prompted with (what the metrics score generations after).</summary>
    public abstract int[][] PromptIds { get; }

    /// <summary>The pooled head outputs the heads are ranked on.</summary>
    public abstract HeadActivations Capture(Action<int, int> progress);

    /// <summary>Per sample, the new token ids generated with the head scales (null: the unmodified model).</summary>
    public abstract int[][] Generate(SamplingOptions decoding, HeadScales? scales);

    /// <summary>A generation as the metrics read it: decoded text, or without a tokenizer its ids joined by spaces.</summary>
    public abstract string Text(int[] ids);
}
