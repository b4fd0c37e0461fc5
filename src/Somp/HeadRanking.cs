using System.Globalization;
using System.Text;

namespace HeadPursuit.Somp;

/// <summary>
/// All heads of a model scored for one concept, ranked: score descending, ties by (layer, head) ascending.
/// Writes JSON, CSV and Markdown; every output records the method, the options and N.
/// </summary>
public sealed class HeadRanking
{
    /// <summary>The method name of a SOMP ranking.</summary>
    public const string SompMethod = "somp";
    /// <summary>The method name of a logit-lens ranking.</summary>
    public const string LogitLensMethod = "logit_lens";

    /// <summary>The concept's name.</summary>
    public string Concept { get; }
    /// <summary><see cref="SompMethod"/> or <see cref="LogitLensMethod"/>.</summary>
    public string Method { get; }
    /// <summary>The SOMP options the scores were computed with.</summary>
    public SompOptions Options { get; }
    /// <summary>SOMP iterations N (0 for the logit lens).</summary>
    public int Iterations { get; }
    /// <summary>The model's layers.</summary>
    public int Layers { get; }
    /// <summary>Attention heads per layer.</summary>
    public int Heads { get; }
    /// <summary>Captured samples the scores were computed over.</summary>
    public int Samples { get; }
    /// <summary>The concept's dictionary: token ids, sorted.</summary>
    public int[] TokenIds { get; }
    /// <summary>Ranked, best first.</summary>
    public IReadOnlyList<HeadScore> Entries { get; }
    /// <summary>What a head's output W_O^(h) z is in the model's family (written beside the scores when known).</summary>
    public string? HeadOutput { get; init; }

    /// <summary>A ranking of <paramref name="scores"/> (score descending, ties by layer then head).</summary>
    public HeadRanking(string concept, string method, SompOptions options, int iterations, int layers, int heads, int samples,
        int[] tokenIds, IEnumerable<HeadScore> scores)
    {
        Concept = concept; Method = method; Options = options; Iterations = iterations;
        Layers = layers; Heads = heads; Samples = samples; TokenIds = tokenIds;
        Entries = [.. scores.OrderByDescending(s => s.Score).ThenBy(s => s.Head)];
    }

    /// <summary>The k best heads.</summary>
    public IReadOnlyList<HeadId> Top(int k)
    {
        if (k < 0 || k > Entries.Count) throw new ArgumentOutOfRangeException(nameof(k), $"top-{k} asked of {Entries.Count} heads");
        return [.. Entries.Take(k).Select(e => e.Head)];
    }

    /// <summary>The score of one head; a head not in the ranking is an error naming it.</summary>
    public double ScoreOf(HeadId head) =>
        Entries.FirstOrDefault(e => e.Head == head)?.Score ?? throw new ArgumentOutOfRangeException(nameof(head), $"{head} is not in the ranking");

    /// <summary>The ranking as the JSON that `rank` writes (<see cref="HeadRankingJson"/>: its writer and reader).</summary>
    public string ToJson() => HeadRankingJson.Write(this);

    /// <summary>rank,head,layer,head_index,score — one line per head, options in a leading '#' comment line.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"# concept={Concept}, method={Method}, {Settings}{(HeadOutput == null ? "" : "; " + HeadOutput)}\n");
        sb.Append("rank,head,layer,head_index,score\n");
        for (int r = 0; r < Entries.Count; r++)
        {
            var e = Entries[r];
            sb.Append(CultureInfo.InvariantCulture, $"{r + 1},{e.Head},{e.Head.Layer},{e.Head.Head},{e.Score:R}\n");
        }
        return sb.ToString();
    }

    /// <summary>How the scores were computed: SOMP's iterations and options, or the logit lens's fixed definition.</summary>
    string Settings => Method == LogitLensMethod
        ? "score = mean over samples and concept tokens of <u_j, H_i> (raw unembedding rows, un-centred H)"
        : $"N = {Iterations}, {Options}";

    /// <summary>A Markdown table of the <paramref name="top"/> best heads.</summary>
    public string ToMarkdown(int top = 16)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"## {Concept}: {Method} head ranking\n\n");
        sb.Append(CultureInfo.InvariantCulture,
            $"{Layers} layers x {Heads} heads, {Samples} samples, {TokenIds.Length} concept tokens, {Settings}\n\n");
        if (HeadOutput != null) sb.Append(CultureInfo.InvariantCulture, $"Head outputs: {HeadOutput}.\n\n");
        sb.Append("| rank | head | score |\n|---:|---|---:|\n");
        for (int r = 0; r < Math.Min(top, Entries.Count); r++)
            sb.Append(CultureInfo.InvariantCulture, $"| {r + 1} | {Entries[r].Head} | {Entries[r].Score:F4} |\n");
        return sb.ToString();
    }
}
