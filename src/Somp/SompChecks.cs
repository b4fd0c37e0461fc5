namespace HeadPursuit.Somp;

/// <summary>Argument checks shared by every SOMP solver (reference, fast, CUDA), so all refuse the same inputs.</summary>
internal static class SompChecks
{
    /// <summary>A (unit-norm) atom whose component orthogonal to the selected ones is below this is dependent.</summary>
    public const double DependenceTolerance = 1e-10;

    /// <summary>
    /// A score below this fraction of the first iteration's best score is rounding noise and counts as 0, so that once
    /// the selected atoms span every remaining one, the next picks are the first remaining indices in both SOMP paths
    /// rather than whichever noise happens to be largest.
    /// </summary>
    public const double NoiseScoreFraction = 1e-10;

    public static void Shapes(long hLength, int n, int d, long dictionaryLength, int v, int iterations)
    {
        if (n <= 0) throw new ArgumentException("SOMP needs at least one sample (n = 0)");
        if (d <= 0) throw new ArgumentException($"invalid dimension d = {d}");
        if (hLength != (long)n * d) throw new ArgumentException($"H holds {hLength} values, [n={n}, d={d}] needs {(long)n * d}");
        if (v <= 0) throw new ArgumentException("the dictionary is empty (no atoms)");
        if (dictionaryLength != (long)v * d) throw new ArgumentException($"D holds {dictionaryLength} values, [v={v}, d={d}] needs {(long)v * d}");
        Iterations(iterations, v, d);
    }

    public static void Iterations(int iterations, int v, int d)
    {
        if (iterations <= 0) throw new ArgumentException($"the number of iterations must be positive (got {iterations})");
        if (iterations > v) throw new ArgumentException($"{iterations} iterations asked but the dictionary has only {v} atoms");
        if (iterations > d) throw new ArgumentException($"{iterations} iterations asked but atoms of dimension {d} span at most {d} directions");
    }

    /// <summary>Every head's outputs live in the dictionary's space.</summary>
    public static void Heads(IReadOnlyList<SompHead> heads, AtomSet dictionary)
    {
        foreach (var h in heads)
            if (h.DModel != dictionary.Dim)
                throw new ArgumentException($"head outputs have d_model = {h.DModel} but the dictionary's atoms have dimension {dictionary.Dim}");
    }
}
