namespace HeadPursuit.Eval.Experiments;

/// <summary>
/// An experiment's "toxicity_classifier": a sequence classifier that scores each generation (besides the toxic-word
/// count), e.g. <c>{ "model": "s-nlp/roberta_toxicity_classifier", "label": "toxic", "threshold": 0.5 }</c>.
/// </summary>
/// <param name="Model">A model folder (absolute) or a hub id.</param>
/// <param name="Label">The label whose probability is the toxicity (a name of the classifier's config.json id2label).</param>
/// <param name="Threshold">A generation counts as toxic when that probability exceeds it.</param>
public sealed record ToxicityClassifierSpec(string Model, string Label, double Threshold)
{
    /// <summary>The label read unless the file names another.</summary>
    public const string DefaultLabel = "toxic";
    /// <summary>The threshold unless the file gives another.</summary>
    public const double DefaultThreshold = 0.5;
}
