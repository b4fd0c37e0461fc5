namespace HeadPursuit.Eval.Data;

/// <summary>
/// A deterministic two-way split of a list that keeps consecutive pairs together: rows 0-1 go to half 0, rows 2-3 to
/// half 1, rows 4-5 to half 0, and so on. TinyWorld's question file lists each capital question next to its reverse
/// ("What is the capital of France?", "Which country has the capital Paris?"), so a fact never sits in both halves;
/// one half ranks the heads and the other is evaluated.
/// </summary>
internal static class PairedHalves
{
    public static T[] Take<T>(IReadOnlyList<T> items, int half)
    {
        if (half is not (0 or 1)) throw new ArgumentException($"half must be 0 or 1, got {half}");
        return [.. items.Where((_, i) => i / 2 % 2 == half)];
    }
}
