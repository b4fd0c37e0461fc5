using System.CommandLine;
using System.Globalization;
using HeadPursuit.Runtime.Capture;

namespace HeadPursuit.Cli.Commands;

/// <summary>
/// `headpursuit merge`: joins the --shard parts of one capture run (activations files) or of one decomposition
/// (decompose.json files), checking that they belong together and that every shard is there once.
/// </summary>
sealed class MergeCommand : HeadPursuitCommand
{
    readonly Option<string?> _out = Opt.Text("--out", "PATH", "the merged activations file, or the folder for decompose.json and decompose.md").Required();
    readonly Argument<string[]> _parts = new("PARTS")
    {
        Description = "the parts: activations files (ACTS.K.safetensors) or decompose.json files", Arity = ArgumentArity.OneOrMore,
    };

    public MergeCommand(StatusOutput status) : base("merge", "join the --shard K/N parts of a capture run (or of a decomposition) into one result", status)
    {
        AddOptions(_out);
        Arguments.Add(_parts);
    }

    public override string Notes => """
        headpursuit merge --out ACTS.safetensors PART0.safetensors PART1.safetensors ...
        headpursuit merge --out DIR PART0/decompose.json PART1/decompose.json ...

        Capture parts must come from the same model, prompts and positions; decomposition parts from the same model,
        activations, options and --heads. Shards 0..N-1 must each be present once. The result is identical to a single
        run: one activations file, or DIR/decompose.json and DIR/decompose.md.
        """;

    protected override int Run(ParseResult parse)
    {
        string outPath = parse.GetValue(_out)!;
        string[] parts = parse.GetValue(_parts)!;
        if (parts.All(p => p.EndsWith(".json", StringComparison.OrdinalIgnoreCase))) return MergeDecompositions(parts, outPath);
        if (parts.Any(p => p.EndsWith(".json", StringComparison.OrdinalIgnoreCase)))
            throw new ArgumentException("merge joins either activations files or decompose.json files, not both");
        return MergeActivations(parts, outPath);
    }

    static IEnumerable<InputFile> Parts(IEnumerable<string> paths) => paths.Select(p => new InputFile("one of the parts", p));

    int MergeActivations(IReadOnlyList<string> paths, string outPath)
    {
        using var claim = OutputClaim.Take("--out", [outPath], Parts(paths));
        var parts = paths.Select(p => (Path: p, Acts: HeadActivations.Load(p))).ToList();
        var first = parts[0].Acts;
        foreach (var key in new[] { ModelIdentity.MetadataKey, "prompts_sha256", "samples_total" })
            foreach (var (path, acts) in parts)
                if (acts.Metadata.GetValueOrDefault(key) != first.Metadata.GetValueOrDefault(key))
                    throw new ArgumentException($"{path} does not belong with {parts[0].Path}: {key} differs");
        foreach (var (path, acts) in parts)
            if (acts.Positions != first.Positions) throw new ArgumentException($"{path} pooled '{acts.Positions}', {parts[0].Path} pooled '{first.Positions}'");

        var ordered = Shard.InOrder(parts, p => Shard.TryParse(p.Acts.Metadata.GetValueOrDefault("shard"), out var s) ? s
                                                 : throw new ArgumentException($"{p.Path} has no shard metadata (not written by headpursuit capture)"));
        int total = int.TryParse(first.Metadata.GetValueOrDefault("samples_total"), NumberStyles.None, CultureInfo.InvariantCulture, out int t) ? t
            : throw new ArgumentException($"{parts[0].Path}: metadata samples_total = '{first.Metadata.GetValueOrDefault("samples_total")}' is not a count (not written by headpursuit capture?)");
        if (ordered.Sum(p => p.Acts.Samples) != total)
            throw new ArgumentException($"the parts hold {ordered.Sum(p => p.Acts.Samples)} samples, the run had {total} (is a part an unfinished checkpoint?)");

        var merged = HeadActivationsJoin.Concat(ordered.Select(p => p.Acts).ToList());
        merged.Metadata["shard"] = Shard.Whole.ToString();
        merged.Metadata["sample_start"] = "0";
        merged.Save(outPath);
        Status.Note($"wrote {outPath}: {merged.Samples} samples from {ordered.Count} shards");
        return ExitCode.Ok;
    }

    int MergeDecompositions(IReadOnlyList<string> paths, string outDir)
    {
        using var claim = OutputClaim.Take("--out", DecompositionReport.Files(outDir), Parts(paths));
        var merged = DecompositionReport.Join([.. paths.Select(p => (p, DecompositionReport.Read(p)))]);
        merged.Write(outDir);
        Status.Note($"wrote {Path.Combine(outDir, DecompositionReport.JsonFile)} and {DecompositionReport.MarkdownFile}: {merged.Heads.Count} heads from {paths.Count} shards");
        return ExitCode.Ok;
    }
}
