using HeadPursuit.Runtime.Capture;

namespace HeadPursuit.Runtime.Backends;

/// <summary>
/// What the attention op does with each head's z as it produces it, besides writing it to z (so no extra pass over
/// z is needed, on the CPU or in the CUDA kernel), in this order:
///   1. RawZ[r, h] = z            the pre-scale z, for recordings (hook_z);
///   2. pooled capture            PoolSums[sample(r), PoolOffset + h*d_head + j] += weight(r) * z[j]  (pre-scale z);
///   3. head scale                z *= Alpha[h] where ScaleRows[r] != 0 (the intervention), then written to z.
/// The pooling plan must map the rows of one sequence to one sample and different sequences to different samples
/// (so no two work items add into the same sums): <see cref="Validate"/> checks it, that the scales fit, and that
/// probabilities are asked of one sequence from position 0 (the only layout their [H, rows, rows] buffer describes).
/// </summary>
internal sealed class HeadEpilogue
{
    public DeviceTensor? RawZ { get; init; }             // [rows, H * d_head]
    public PoolingPlan? Pool { get; init; }
    public DeviceTensor? PoolSums { get; init; }         // [samples, L * H * d_head]
    public int PoolOffset { get; init; }                 // layer * H * d_head
    public float[]? Alpha { get; init; }                 // [H]; null: no scaling
    public byte[]? ScaleRows { get; init; }              // [rows]
    public float[]? Probs { get; init; }                 // [H, rows, rows]; one sequence in slot 0 from position 0 only

    /// <summary>Checked by every backend before it runs the attention op.</summary>
    public void Validate(BatchLayout layout, AttentionShape shape)
    {
        if (Alpha != null && (Alpha.Length != shape.Heads || ScaleRows == null || ScaleRows.Length < layout.Rows))
            throw new ArgumentException($"head scales need {shape.Heads} alphas and a row mask of {layout.Rows} rows");
        if (Pool != null) ValidatePool(Pool, layout);
        if (Probs != null && (layout.Sequences != 1 || layout.StartPos[0] != 0 || layout.Slot[0] != 0))
            throw new ArgumentException("attention probabilities are only recorded for one sequence in slot 0 starting at position 0");
        if (Probs != null && Probs.Length < (long)shape.Heads * layout.Rows * layout.Rows)
            throw new ArgumentException($"attention probabilities need [{shape.Heads}, {layout.Rows}, {layout.Rows}] floats, the buffer holds {Probs.Length}");
    }

    static void ValidatePool(PoolingPlan pool, BatchLayout layout)
    {
        if (pool.RowSample.Length != layout.Rows) throw new ArgumentException($"the pooling plan covers {pool.RowSample.Length} rows, the batch has {layout.Rows}");
        var owner = new Dictionary<int, int>();   // sample -> sequence
        for (int r = 0; r < layout.Rows; r++)
        {
            int sample = pool.RowSample[r];
            if (sample < 0) continue;
            int seq = layout.RowSequence[r];
            if (owner.TryGetValue(sample, out int other) && other != seq)
                throw new ArgumentException($"sample {sample} pools rows of sequences {other} and {seq}: a sample must come from one sequence");
            owner[sample] = seq;
        }
    }
}
