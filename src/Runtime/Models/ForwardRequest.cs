using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Capture;

namespace HeadPursuit.Runtime.Models;

/// <summary>Which logits a forward call returns.</summary>
internal enum LogitRows { None, LastOfEachSequence, All }

/// <summary>
/// One forward call: the packed tokens of a batch and what to do besides computing them.
/// </summary>
internal sealed class ForwardRequest
{
    /// <summary>Token ids, packed in the order of <see cref="Layout"/>'s rows: [rows].</summary>
    public required int[] Tokens { get; init; }
    public required BatchLayout Layout { get; init; }
    public LogitRows Logits { get; init; } = LogitRows.LastOfEachSequence;
    /// <summary>Head scales, or null for the unmodified model.</summary>
    public HeadScales? Scales { get; init; }
    /// <summary>
    /// [sequences] each sequence's prompt length: rows at or beyond it are generated tokens (for the scales' position
    /// policy, <see cref="PolicyRows"/>); null = every row is a prompt row.
    /// </summary>
    public int[]? PromptLengths { get; init; }
    /// <summary>Streaming pooled capture into <see cref="PoolSums"/> [samples, L * H * d_head].</summary>
    public PoolingPlan? Pool { get; init; }
    public DeviceTensor? PoolSums { get; init; }
    /// <summary>Record every intermediate (verification, hooks).</summary>
    public ForwardRecording? Record { get; init; }
    /// <summary>Rows whose input embedding is given instead of looked up (a VLM's image features); null = none.</summary>
    public RowEmbeddings? Embeddings { get; init; }
}

/// <summary>
/// Input embeddings that replace the token embeddings of some rows: row Rows[i] gets Values[i, :].
/// (HF inputs_embeds after LLaVA's masked_scatter of the image features.)
/// </summary>
internal sealed class RowEmbeddings
{
    /// <summary>[n]: the rows (or, for a single prompt, the positions) that are replaced, increasing.</summary>
    public int[] Rows { get; }
    /// <summary>[n, d_model]</summary>
    public float[] Values { get; }

    public RowEmbeddings(int[] rows, float[] values, int dModel)
    {
        if (values.Length != rows.Length * dModel)
            throw new ArgumentException($"{values.Length} embedding values for {rows.Length} rows of d_model {dModel}");
        Rows = rows; Values = values;
    }

    /// <summary>
    /// Per-sequence embeddings (positions within each sequence) as rows of a packed batch, where sequence i starts at
    /// row layout.RowStart[i]; null when no sequence has any.
    /// </summary>
    public static RowEmbeddings? Pack(IReadOnlyList<RowEmbeddings?> perSequence, BatchLayout layout, int dModel)
    {
        if (perSequence.Count != layout.Sequences) throw new ArgumentException($"{perSequence.Count} embedding sets for {layout.Sequences} sequences");
        var rows = new List<int>();
        var values = new List<float>();
        for (int i = 0; i < perSequence.Count; i++)
        {
            if (perSequence[i] is not { } e) continue;
            rows.AddRange(e.Rows.Select(t => layout.RowStart[i] + t));
            values.AddRange(e.Values);
        }
        return rows.Count == 0 ? null : new RowEmbeddings(rows.ToArray(), values.ToArray(), dModel);
    }

    /// <summary>[rows]: 1 at the replaced rows (the rows the Image position policy scales).</summary>
    public byte[] Mask(int rows)
    {
        var m = new byte[rows];
        foreach (int r in Rows) m[r] = 1;
        return m;
    }
}
