namespace HeadPursuit.Eval.Experiments;

/// <summary>
/// One finished cell of an experiment: a head set scaled by alpha (or the unmodified baseline), its metric values
/// (unnormalised) and the generated texts, one per prompt. Draw is the random draw's index (0 otherwise); K is the
/// number of heads asked of the ranking (0 for the baseline and fixed head lists).
/// </summary>
public sealed record CellResult(string Key, string Selection, int K, int Draw, float Alpha, string[] Heads,
                                Dictionary<string, double> Metrics, string[] Generations)
{
    /// <summary>The key of the unmodified model's cell (every metric is normalised to it).</summary>
    public const string BaselineKey = "baseline";
}
