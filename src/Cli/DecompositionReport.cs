using System.Globalization;
using System.Text;
using System.Text.Json;
using HeadPursuit.Runtime.Files;
using HeadPursuit.Runtime.Input;

namespace HeadPursuit.Cli;

/// <summary>
/// What `decompose` writes: decompose.json (this record, snake_case) and decompose.md (made from it). `merge` reads the
/// JSON of the --shard parts of one decomposition back and joins them into what a single run writes, byte for byte.
/// </summary>
sealed class DecompositionReport
{
    public const string JsonFile = "decompose.json", MarkdownFile = "decompose.md";

    // Reading refuses a missing field or a null where the types below have none.
    static readonly JsonSerializerOptions Format = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true,
    };

    public required string Model { get; init; }
    /// <summary>The activations file's name.</summary>
    public required string Activations { get; init; }
    public required int Samples { get; init; }
    public required int Iterations { get; init; }
    public required bool Center { get; init; }
    public required bool Normalize { get; init; }
    public required bool FoldFinalNorm { get; init; }
    /// <summary>Tokens per head in the Markdown table, and logit-lens tokens per head.</summary>
    public required int Top { get; init; }
    /// <summary>What a head's output W_O^(h) z is in the model's family (ModelFamily.HeadOutputConvention).</summary>
    public required string? HeadOutput { get; init; }
    /// <summary>The heads asked for with --heads, in (layer, head) order, or "all".</summary>
    public required string Selection { get; init; }
    /// <summary>Which slice of the selection's heads this is ("0/1": all of them).</summary>
    public required string Shard { get; init; }
    public required IReadOnlyList<DecomposedHead> Heads { get; init; }

    /// <summary>The files <see cref="Write"/> writes in <paramref name="folder"/>.</summary>
    public static string[] Files(string folder) => [Path.Combine(folder, JsonFile), Path.Combine(folder, MarkdownFile)];

    /// <summary>decompose.json and decompose.md in <paramref name="folder"/> (claimed beforehand, <see cref="OutputClaim"/>).</summary>
    public void Write(string folder)
    {
        AtomicFile.WriteText(Path.Combine(folder, JsonFile), JsonSerializer.Serialize(this, Format));
        AtomicFile.WriteText(Path.Combine(folder, MarkdownFile), ToMarkdown());
    }

    public static DecompositionReport Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found");
        try
        {
            var report = JsonSerializer.Deserialize<DecompositionReport>(TextFile.Read(path), Format)
                         ?? throw new ArgumentException($"{path}: holds null, not a decomposition");
            if (report.Top < 1 || report.Iterations < 1 || report.Samples < 1)
                throw new ArgumentException($"{path}: top, iterations and samples must be at least 1 (top {report.Top}, iterations {report.Iterations}, samples {report.Samples})");
            // the serializer checks the fields' nullability, not that of list elements
            for (int i = 0; i < report.Heads.Count; i++)
                if (report.Heads[i] is not { } h || h.Tokens.Contains(null) || h.LogitLensTokens.Contains(null))
                    throw new ArgumentException($"{path}: heads[{i}] holds a null where a head or a token's text belongs");
            return report;
        }
        catch (JsonException e) { throw new ArgumentException($"{path}: not a decomposition written by headpursuit decompose ({e.Message})"); }
    }

    /// <summary>
    /// The parts of one sharded decomposition joined into the whole: they must agree on everything but their shard and
    /// heads, and hold the shards 0..N-1 once each.
    /// </summary>
    public static DecompositionReport Join(IReadOnlyList<(string Path, DecompositionReport Part)> parts)
    {
        var (firstPath, first) = parts[0];
        foreach (var (path, part) in parts)
        {
            var differs = new (string Field, bool Same)[]
            {
                ("model", part.Model == first.Model), ("activations", part.Activations == first.Activations), ("samples", part.Samples == first.Samples),
                ("iterations", part.Iterations == first.Iterations), ("center", part.Center == first.Center), ("normalize", part.Normalize == first.Normalize),
                ("fold_final_norm", part.FoldFinalNorm == first.FoldFinalNorm), ("top", part.Top == first.Top), ("selection", part.Selection == first.Selection),
                ("head_output", part.HeadOutput == first.HeadOutput),
            }.FirstOrDefault(f => !f.Same).Field;
            if (differs != null) throw new ArgumentException($"{path} does not belong with {firstPath}: {differs} differs");
        }
        var ordered = Cli.Shard.InOrder(parts, p => Cli.Shard.TryParse(p.Part.Shard, out var s) ? s
                                                    : throw new ArgumentException($"{p.Path}: shard '{p.Part.Shard}' is not K/N"));
        return new DecompositionReport
        {
            Model = first.Model, Activations = first.Activations, Samples = first.Samples, Iterations = first.Iterations,
            Center = first.Center, Normalize = first.Normalize, FoldFinalNorm = first.FoldFinalNorm, Top = first.Top,
            HeadOutput = first.HeadOutput, Selection = first.Selection, Shard = Cli.Shard.Whole.ToString(), Heads = [.. ordered.SelectMany(p => p.Part.Heads)],
        };
    }

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine($"# Full-vocabulary decomposition ({Samples} samples, {Iterations} SOMP iterations)\n");
        md.AppendLine($"Logit lens: the top {Top} tokens of W_U (W_O^(h) mean z) per head (raw rows, no final norm).\n");
        if (HeadOutput != null) md.AppendLine($"Head outputs: {HeadOutput}.\n");
        // EVR after the tokens shown, and after all iterations when that is more.
        int[] evrAt = Top < Iterations ? [Top, Iterations] : [Iterations];
        md.AppendLine($"| head | {string.Join(" | ", evrAt.Select(k => $"EVR@{k}"))} | top tokens in selection order | logit lens |");
        md.AppendLine($"|---|{string.Concat(evrAt.Select(_ => "---|"))}---|---|");
        foreach (var h in Heads)
        {
            static string Tokens(IEnumerable<string> texts) => string.Join(" ", texts.Select(t => "`" + t.Replace("`", "'").Replace("|", "\\|").Replace("\n", "\\n") + "`"));
            string At(int k) => h.Evr.Length >= k ? h.Evr[k - 1].ToString("0.000", CultureInfo.InvariantCulture) : "-";
            md.AppendLine($"| {h.Head} | {string.Join(" | ", evrAt.Select(At))} | {Tokens(h.Tokens.Take(Top))} | {Tokens(h.LogitLensTokens)} |");
        }
        return md.ToString();
    }
}

/// <summary>One head's decomposition: SOMP's tokens in selection order with the EVR after each, and its logit-lens tokens.</summary>
sealed record DecomposedHead(string Head, int[] TokenIds, string[] Tokens, double[] Evr, int[] LogitLensTokenIds, string[] LogitLensTokens);
