namespace HeadPursuit.Eval.Metrics;

/// <summary>
/// Classification by generation: the predicted label is the label set's entry that occurs first in the generated text
/// (whole words, case-insensitive; the longest label wins at a position); accuracy is the fraction predicted right.
/// </summary>
internal sealed class ClassificationAccuracy
{
    readonly string[] _labels;
    readonly string[][] _labelWords;

    public ClassificationAccuracy(IEnumerable<string> labels)
    {
        _labels = [.. labels.Distinct(StringComparer.OrdinalIgnoreCase)];
        if (_labels.Length == 0) throw new ArgumentException("the label set is empty");
        _labelWords = [.. _labels.Select(WordTokens.Of)];
        for (int i = 0; i < _labels.Length; i++)
            if (_labelWords[i].Length == 0) throw new ArgumentException($"label '{_labels[i]}' has no words");
    }

    /// <summary>The label the text names first, or null when it names none.</summary>
    public string? Predict(string text)
    {
        var words = WordTokens.Of(text);
        for (int i = 0; i < words.Length; i++)
        {
            int best = -1;
            for (int l = 0; l < _labels.Length; l++)
                if (i + _labelWords[l].Length <= words.Length && words.AsSpan(i, _labelWords[l].Length).SequenceEqual(_labelWords[l])
                    && (best < 0 || _labelWords[l].Length > _labelWords[best].Length))
                    best = l;
            if (best >= 0) return _labels[best];
        }
        return null;
    }

    /// <summary>Fraction of texts whose predicted label equals the gold label (case-insensitive).</summary>
    public double Accuracy(IReadOnlyList<string> texts, IReadOnlyList<string> goldLabels)
    {
        if (texts.Count != goldLabels.Count) throw new ArgumentException($"{texts.Count} texts for {goldLabels.Count} gold labels");
        if (texts.Count == 0) throw new ArgumentException("no texts to classify");
        foreach (var g in goldLabels)
            if (!_labels.Contains(g, StringComparer.OrdinalIgnoreCase)) throw new ArgumentException($"gold label '{g}' is not in the label set ({string.Join(", ", _labels)})");
        int right = texts.Select((t, i) => string.Equals(Predict(t), goldLabels[i], StringComparison.OrdinalIgnoreCase)).Count(b => b);
        return (double)right / texts.Count;
    }
}
