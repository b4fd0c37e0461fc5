namespace HeadPursuit.Eval.Experiments;

/// <summary>A metric relative to the unmodified model: value / baseline. Equal values give exactly 1 (0 / 0 included);
/// a nonzero value over a zero baseline has no finite ratio and gives null.</summary>
internal static class Normalised
{
    public static double? Ratio(double value, double baseline) =>
        value == baseline ? 1.0 : baseline == 0 ? null : value / baseline;
}
