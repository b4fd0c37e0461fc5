using HeadPursuit.Runtime.Files;
using HeadPursuit.Somp;
using System.CommandLine;
using System.Globalization;
using HeadPursuit.Eval.Overlap;
using HeadPursuit.Eval.Plots;

namespace HeadPursuit.Cli.Commands;

/// <summary>`headpursuit overlap`: top-k Jaccard / overlap of several rankings beside random sets (the paper's Figure 4).</summary>
sealed class OverlapCommand : HeadPursuitCommand
{
    readonly Option<int[]?> _k = Opt.Ints("--k", "K[,K...]", "the top-k sizes compared, e.g. 8,16,32", min: 1).Required();
    readonly Option<string?> _out = Opt.Text("--out", "STEM", "writes STEM.json, STEM.csv, STEM.md and STEM.k=K.svg per k").WithDefault("overlap");
    readonly Argument<string[]> _rankings = new("RANKING.json")
    {
        Description = "rankings written by `headpursuit rank` (or `eval`'s), of the same layers x heads: one concept on several datasets, " +
                      "several concepts, or several models of the same shape; NAME=FILE names one in the outputs (default: its file name without .json)",
        Arity = ArgumentArity.OneOrMore,
    };

    public OverlapCommand(StatusOutput status)
        : base("overlap", "compare the top-k heads of several rankings (Jaccard, overlap counts, random expectation; Figure 4)", status)
    {
        AddOptions(_k, _out);
        Arguments.Add(_rankings);
    }

    public override string Notes => """
        Beside each matrix: the expected overlap k^2/N and the expected Jaccard of two random sets of k of the N heads
        (exact hypergeometric sums).
        """;

    protected override int Run(ParseResult parse)
    {
        int[] ks = parse.Given(_k)!;
        string stem = parse.GetValue(_out)!;
        string[] files = parse.GetValue(_rankings)!;
        if (files.Length < 2) throw new ArgumentException("give at least two ranking files to compare");
        var named = files.Select(a =>
        {
            int eq = a.IndexOf('=');
            bool isNamed = eq > 0 && !File.Exists(a);
            string file = isNamed ? a[(eq + 1)..] : a;
            return (Name: isNamed ? a[..eq] : Path.GetFileNameWithoutExtension(file), File: file);
        }).ToArray();
        string Plot(int k) => string.Create(CultureInfo.InvariantCulture, $"{stem}.k={k}.svg");
        using var claim = OutputClaim.Take("--out", [stem + ".json", stem + ".csv", stem + ".md", .. ks.Select(Plot)],
                                           named.Select(r => new InputFile("one of the ranking files", r.File)));
        var rankings = named.Select(r => new NamedRanking(r.Name, r.File, HeadRankingJson.Read(r.File))).ToArray();

        var overlap = new HeadSetOverlap(rankings, ks);
        AtomicFile.WriteText(stem + ".json", overlap.ToJson());
        AtomicFile.WriteText(stem + ".csv", overlap.ToCsv());
        AtomicFile.WriteText(stem + ".md", overlap.ToMarkdown());
        foreach (var at in overlap.ByK) AtomicFile.WriteText(Plot(at.K), OverlapHeatmapSvg.Write(overlap, at));
        Console.WriteLine(overlap.ToMarkdown());
        Status.Note($"wrote {stem}.json, .csv, .md and {overlap.ByK.Count} heatmap(s) {stem}.k=K.svg");
        return ExitCode.Ok;
    }
}
