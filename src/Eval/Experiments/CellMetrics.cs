using HeadPursuit.Eval.Metrics;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Eval.Experiments;

/// <summary>Computes an experiment's requested metrics for one cell's generations.</summary>
internal sealed class CellMetrics(ExperimentSpec spec, KeywordCounter concept, ToxicityCount? toxicity, ClassifierToxicity? classifier,
                                PerplexityScorer perplexity, ConceptMassScorer mass)
{
    /// <param name="prompts">Token ids per prompt.</param>
    /// <param name="newTokens">Per prompt, the generated ids (as scored for perplexity).</param>
    /// <param name="texts">Per prompt, the decoded generation.</param>
    /// <param name="scales">The cell's head scales (null for the unmodified model).</param>
    public Dictionary<string, double> Compute(int[][] prompts, int[][] newTokens, string[] texts, HeadScales? scales)
    {
        var values = new Dictionary<string, double>();
        foreach (var m in spec.Metrics)
            switch (m)
            {
                case MetricNames.ConceptFrequency:
                    values[m] = KeywordFrequency.Overall(KeywordFrequency.PerGeneration(concept, texts));
                    break;
                case MetricNames.Perplexity:
                    values[m] = Perplexity.Overall(perplexity.Score(prompts, newTokens));
                    break;
                case MetricNames.Toxicity:
                    values[m] = toxicity!.MeanPerGeneration(texts);
                    if (classifier == null) break;
                    var scores = classifier.Score(texts);
                    values[MetricNames.ToxicityClassifierShare] = scores.Share;
                    values[MetricNames.ToxicityClassifierMean] = scores.Mean;
                    break;
                case MetricNames.QaExactMatch or MetricNames.QaF1:
                    var qa = QaSummary.Score(spec.Golds!, [.. texts.Select(QaScores.AnswerOf)], concept);
                    bool em = m == MetricNames.QaExactMatch;
                    values[m] = em ? qa.ExactMatch : qa.F1;
                    values[m + "_concept"] = em ? qa.ConceptExactMatch : qa.ConceptF1;
                    values[m + "_other"] = em ? qa.OtherExactMatch : qa.OtherF1;
                    break;
                case MetricNames.ConceptMass:
                    var masses = mass.Score(prompts, newTokens, scales);
                    values[m + "_next"] = masses.Average(x => x.Next);
                    values[m + "_generated"] = masses.Average(x => x.Generated);
                    break;
                case MetricNames.Accuracy:
                    values[m] = new ClassificationAccuracy(spec.Images!.Classes).Accuracy(texts, [.. spec.Golds!.Select(g => g[0])]);
                    break;
                case MetricNames.CiderD:
                    values[m] = new CiderD(spec.Golds!).Corpus(texts, spec.Golds!);
                    break;
            }
        return values;
    }

    /// <param name="conceptIds">The concept's token ids (for concept mass).</param>
    /// <param name="classifier">The loaded model of the experiment's "toxicity_classifier" (null when it has none).</param>
    public static CellMetrics For(ExperimentSpec spec, Transformer model, IEnumerable<string> conceptWords, IReadOnlyList<int> conceptIds,
                                  IEnumerable<string>? toxicWords, SequenceClassifier? classifier)
    {
        if ((spec.ToxicityClassifier == null) != (classifier == null))
            throw new ArgumentException(spec.ToxicityClassifier == null ? $"{spec.Name} has no \"toxicity_classifier\", yet a classifier was given"
                                                                        : $"{spec.Name}: the toxicity classifier {spec.ToxicityClassifier.Model} was not loaded");
        var scorer = spec.ToxicityClassifier is { } c ? new ClassifierToxicity(classifier!, c.Label, c.Threshold, spec.Batch) : null;
        return new(spec, new KeywordCounter(conceptWords), toxicWords == null ? null : new ToxicityCount(toxicWords), scorer,
                   new PerplexityScorer(model, spec.Batch), new ConceptMassScorer(model, conceptIds, Math.Min(spec.Batch, 16)));
    }
}
