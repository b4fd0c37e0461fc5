namespace HeadPursuit.Eval.Experiments;

/// <summary>The metrics an experiment file may ask for, and the values each one reports per cell.</summary>
public static class MetricNames
{
    /// <summary>Concept keyword hits per generated word (see Metrics.KeywordFrequency).</summary>
    public const string ConceptFrequency = "concept_frequency";
    /// <summary>The unmodified model's perplexity of the generated tokens (quality).</summary>
    public const string Perplexity = "perplexity";
    /// <summary>Mean toxic-word matches per generation (word list: the experiment's "toxicity_words"); with a "toxicity_classifier"
    /// also NAME_classifier_share (generations whose toxic probability exceeds the threshold) and NAME_classifier_mean.</summary>
    public const string Toxicity = "toxicity";
    /// <summary>The share of generations the classifier finds toxic.</summary>
    public const string ToxicityClassifierShare = Toxicity + "_classifier_share";
    /// <summary>The classifier's mean toxic probability.</summary>
    public const string ToxicityClassifierMean = Toxicity + "_classifier_mean";
    /// <summary>QA exact match / token F1 (TriviaQA datasets only), also reported as NAME_concept and NAME_other.</summary>
    public const string QaExactMatch = "qa_exact_match";
    /// <summary>QA token F1 (see <see cref="QaExactMatch"/>).</summary>
    public const string QaF1 = "qa_f1";
    /// <summary>Probability on the concept's tokens under the cell's scales (see Metrics.ConceptMassScorer), reported as
    /// NAME_next (the position after the prompt) and NAME_generated (every position of prompt end + continuation).</summary>
    public const string ConceptMass = "concept_mass";

    /// <summary>Fraction of images whose generation names their class first (image classification; Metrics.ClassificationAccuracy).</summary>
    public const string Accuracy = "accuracy";
    /// <summary>Corpus CIDEr-D of the generations against the reference captions (image captioning; Metrics.CiderD).</summary>
    public const string CiderD = "cider_d";

    /// <summary>Every metric an experiment file may name.</summary>
    public static IReadOnlyList<string> Known { get; } = [ConceptFrequency, Perplexity, Toxicity, QaExactMatch, QaF1, ConceptMass, Accuracy, CiderD];

    /// <summary>
    /// The values a requested metric reports (QA metrics add the split by whether the answer is a concept word; toxicity
    /// adds the classifier's values when the experiment has one).
    /// </summary>
    public static IEnumerable<string> Reported(string metric, bool toxicityClassifier) => metric switch
    {
        QaExactMatch or QaF1 => [metric, metric + "_concept", metric + "_other"],
        ConceptMass => [metric + "_next", metric + "_generated"],
        Toxicity when toxicityClassifier => [metric, ToxicityClassifierShare, ToxicityClassifierMean],
        _ => [metric],
    };
}
