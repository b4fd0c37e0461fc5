namespace HeadPursuit.Runtime.Tests.Tokenizers;

/// <summary>
/// The slow, obvious BPE rule on strings, to check the fast id-based merger against: among all
/// adjacent pairs that have a merge, take the lowest rank (leftmost on ties), glue the two strings,
/// repeat until no pair has a merge.
/// </summary>
public static class ReferenceBpe
{
    public static List<string> Merge(List<string> symbols, IReadOnlyDictionary<(string, string), int> ranks)
    {
        var s = new List<string>(symbols);
        while (true)
        {
            int best = -1, bestRank = int.MaxValue;
            for (int i = 0; i + 1 < s.Count; i++)
                if (ranks.TryGetValue((s[i], s[i + 1]), out int r) && r < bestRank) { best = i; bestRank = r; }
            if (best < 0) return s;
            s[best] += s[best + 1];
            s.RemoveAt(best + 1);
        }
    }
}
