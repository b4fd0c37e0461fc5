using HeadPursuit.Somp;
using System.Globalization;
using HeadPursuit.Eval.Overlap;
using HeadPursuit.Eval.Plots;

namespace HeadPursuit.Cli.Commands;

/// <summary>`headpursuit overlap`: top-k Jaccard / overlap of several rankings beside random sets (the paper's Figure 4).</summary>
sealed class OverlapCommand : ICommand
{
    public string Name => "overlap";
    public string Summary => "compare the top-k heads of several rankings (Jaccard, overlap counts, random expectation; Figure 4)";
    public string Usage => """
        usage: headpursuit overlap --k K[,K...] [--out STEM] RANKING.json [NAME=RANKING.json ...]

          RANKING.json          rankings written by `headpursuit rank` (or `eval`'s), of the same layers x heads: one
                                concept on several datasets, several concepts, or several models of the same shape;
                                NAME=FILE names one in the outputs (default: its file name without .json)
          --k K[,K...]          the top-k sizes compared, e.g. 8,16,32
          --out STEM            writes STEM.json, STEM.csv, STEM.md and STEM.k=K.svg per k (default: overlap)

        Beside each matrix: the expected overlap k^2/N and the expected Jaccard of two random sets of k of the N heads
        (exact hypergeometric sums).
        """;

    public int Run(CommandLine args)
    {
        var ks = args.Ints("k");
        if (ks.Length == 0) throw new ArgumentException("missing --k (the top-k sizes, e.g. --k 8,16,32)");
        string stem = args.String("out") ?? "overlap";
        args.RejectUnknown();
        if (args.Positional.Count < 2) throw new ArgumentException("give at least two ranking files to compare");
        var rankings = args.Positional.Select(a =>
        {
            int eq = a.IndexOf('=');
            bool named = eq > 0 && !File.Exists(a);
            string file = named ? a[(eq + 1)..] : a;
            string name = named ? a[..eq] : Path.GetFileNameWithoutExtension(file);
            return new NamedRanking(name, file, HeadRankingJson.Read(file));
        }).ToArray();

        var overlap = new HeadSetOverlap(rankings, ks);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(stem));
        if (folder != null) Directory.CreateDirectory(folder);
        File.WriteAllText(stem + ".json", overlap.ToJson());
        File.WriteAllText(stem + ".csv", overlap.ToCsv());
        File.WriteAllText(stem + ".md", overlap.ToMarkdown());
        foreach (var at in overlap.ByK)
            File.WriteAllText(string.Create(CultureInfo.InvariantCulture, $"{stem}.k={at.K}.svg"), OverlapHeatmapSvg.Write(overlap, at));
        Console.WriteLine(overlap.ToMarkdown());
        Console.Error.WriteLine($"wrote {stem}.json, .csv, .md and {overlap.ByK.Count} heatmap(s) {stem}.k=K.svg");
        return 0;
    }
}
