namespace HeadPursuit.Runtime.Capture;

/// <summary>
/// Which rows of a forward call feed which sample's pooled z, and with what weight (1 / number of pooled
/// positions of that sample, so the sums are means). Rows with sample -1 are not pooled.
/// </summary>
internal sealed class PoolingPlan
{
    public int[] RowSample { get; }   // [rows]
    public float[] RowWeight { get; }  // [rows]
    public int Samples { get; }

    public PoolingPlan(int[] rowSample, float[] rowWeight, int samples)
    {
        if (rowSample.Length != rowWeight.Length) throw new ArgumentException("rowSample and rowWeight must have one entry per row");
        RowSample = rowSample; RowWeight = rowWeight; Samples = samples;
    }

    /// <summary>
    /// Mean over a mask of each sequence's positions: sequence i of the batch is sample firstSample + i, and
    /// masks[i][t] says whether its t-th token is pooled. A sequence with no pooled position is an error.
    /// </summary>
    public static PoolingPlan MeanOver(IReadOnlyList<bool[]> masks)
    {
        int rows = masks.Sum(m => m.Length);
        var sample = new int[rows];
        var weight = new float[rows];
        int r = 0;
        for (int i = 0; i < masks.Count; i++)
        {
            int count = masks[i].Count(b => b);
            if (count == 0) throw new ArgumentException($"sample {i} has no position to pool (is the prompt only a BOS token?)");
            foreach (bool keep in masks[i])
            {
                sample[r] = keep ? i : -1;
                weight[r] = keep ? 1f / count : 0f;
                r++;
            }
        }
        return new PoolingPlan(sample, weight, masks.Count);
    }
}
