namespace HeadPursuit.Eval.Experiments;

/// <summary>
/// One line of the report: a selection at one (alpha, k), each metric normalised to the unmodified model. For random
/// controls Value is the median over draws and Q1/Q3 the inter-quartile range; for other selections Q1 = Q3 = Value.
/// </summary>
public sealed record SummaryRow(string Selection, int K, float Alpha, int Draws, Dictionary<string, NormalisedValue> Metrics);

/// <summary>A normalised metric (null where undefined: a nonzero value over a zero baseline).</summary>
public sealed record NormalisedValue(double? Value, double? Q1, double? Q3);
