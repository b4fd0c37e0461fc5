using System.CommandLine;
using System.Globalization;

namespace HeadPursuit.Cli;

/// <summary>
/// The K-th of N contiguous slices of one run (--shard K/N, 0-based), so that N processes or Slurm array tasks share it:
/// capture slices its samples, decompose its heads; merge joins the parts. Written "K/N" in what a part records.
/// </summary>
readonly record struct Shard(int Index, int Count)
{
    public static Shard Whole { get; } = new(0, 1);

    public static bool TryParse(string? text, out Shard shard)
    {
        var parts = text?.Split('/');
        shard = default;
        if (parts?.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int k)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n <= 0 || k >= n)
            return false;
        shard = new Shard(k, n);
        return true;
    }

    /// <summary>--shard K/N, the whole run when it is not given.</summary>
    public static Option<Shard> Option(string description) =>
        Opt.Parsed("--shard", "K/N", description, text => TryParse(text, out var s) ? s : throw new ArgumentException($"--shard '{text}' must be K/N with 0 <= K < N"))
           .WithDefault(Whole);

    /// <summary>This part's items [Start, End) of <paramref name="total"/>: the same cut whichever process asks.</summary>
    public (int Start, int End) Slice(int total) => ((int)((long)total * Index / Count), (int)((long)total * (Index + 1) / Count));

    /// <summary>The parts of one run in shard order; throws unless they are the shards 0..N-1 of one N, once each.</summary>
    public static List<T> InOrder<T>(IReadOnlyList<T> parts, Func<T, Shard> shardOf)
    {
        var ordered = parts.OrderBy(p => shardOf(p).Index).ToList();
        int n = shardOf(ordered[0]).Count;
        if (ordered.Count != n || ordered.Where((p, i) => shardOf(p) != new Shard(i, n)).Any())
            throw new ArgumentException($"expected shards 0..{n - 1} of {n} once each, got {string.Join(", ", parts.Select(shardOf))}");
        return ordered;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
