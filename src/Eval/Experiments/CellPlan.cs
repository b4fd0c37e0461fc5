using System.Globalization;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Somp;

namespace HeadPursuit.Eval.Experiments;

/// <summary>A cell to run: which heads to scale by which alpha, and its key in the results file.</summary>
internal sealed record CellPlan(string Selection, int K, int Draw, float Alpha, HeadId[] Heads)
{
    public string Key => Selection == CellResult.BaselineKey ? CellResult.BaselineKey
        : string.Create(CultureInfo.InvariantCulture, $"{Selection}{(Selection == SelectionSpec.Random ? $"#{Draw}" : "")} k={K} alpha={Alpha}");

    public static CellPlan Baseline { get; } = new(CellResult.BaselineKey, 0, 0, 1, []);

    /// <summary>The cell's intervention under the experiment's position policy; null for the baseline (the unmodified model).</summary>
    public HeadScales? Scales(ExperimentSpec spec, int layers, int heads)
    {
        if (Selection == CellResult.BaselineKey) return null;
        var scales = new HeadScales(layers, heads) { Policy = spec.Policy, SpanStart = spec.SpanStart, SpanEnd = spec.SpanEnd };
        foreach (var h in Heads) scales[h.Layer, h.Head] = Alpha;
        return scales;
    }

    /// <summary>
    /// Every cell of the grid: the baseline, then per alpha and k SOMP's top-k, the logit lens's top-k and the random
    /// draws matched to SOMP's top-k; fixed head lists once per alpha.
    /// </summary>
    public static List<CellPlan> Grid(ExperimentSpec spec, HeadRanking? somp, HeadRanking? lens, int layers, int heads)
    {
        var cells = new List<CellPlan> { Baseline };
        foreach (float alpha in spec.Alphas)
        {
            foreach (int k in spec.K)
                foreach (var s in spec.Selections)
                    switch (s.Kind)
                    {
                        case SelectionKind.Somp: cells.Add(new(s.Name, k, 0, alpha, [.. somp!.Top(k).Order()])); break;
                        case SelectionKind.LogitLens: cells.Add(new(s.Name, k, 0, alpha, [.. lens!.Top(k).Order()])); break;
                        case SelectionKind.Random:
                            var draws = RandomHeadSets.Draw(somp!.Top(k), layers, heads, spec.Seed + k, spec.RandomDraws);
                            for (int d = 0; d < draws.Count; d++) cells.Add(new(s.Name, k, d, alpha, draws[d]));
                            break;
                    }
            foreach (var s in spec.Selections.Where(s => s.Kind == SelectionKind.Explicit))
                cells.Add(new(s.Name, 0, 0, alpha, [.. s.Heads.Distinct().Order()]));
        }
        return cells;
    }
}
