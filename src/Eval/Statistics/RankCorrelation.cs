namespace HeadPursuit.Eval.Statistics;

/// <summary>Spearman's rank correlation: Pearson's correlation of the ranks, tied values sharing their average rank.</summary>
internal static class RankCorrelation
{
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"rank correlation of {x.Count} values against {y.Count}");
        if (x.Count < 2) throw new ArgumentException("rank correlation needs at least two values");
        double[] rx = Ranks(x), ry = Ranks(y);
        double mean = (x.Count + 1) / 2.0, sxy = 0, sxx = 0, syy = 0;   // both rank vectors have mean (n + 1) / 2
        for (int i = 0; i < rx.Length; i++)
        {
            double dx = rx[i] - mean, dy = ry[i] - mean;
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
        }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);   // NaN: one side is all ties
    }

    /// <summary>1-based ranks in ascending order of value; a run of equal values gets the mean of its ranks.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            for (int i = start; i <= end; i++) ranks[order[i]] = (start + end) / 2.0 + 1;
            start = end + 1;
        }
        return ranks;
    }
}
