namespace HeadPursuit.Runtime.Backends;

/// <summary>
/// How the rows of one forward call map to sequences. Sequences are packed end to end (no padding):
/// sequence i owns rows [RowStart[i], RowStart[i] + Length[i]) and KV-cache slot Slot[i], where its
/// first new token sits at absolute position StartPos[i] (the number of tokens already cached).
/// Row-wise views (RowSequence, RowPosition) are precomputed for the kernels.
/// Vision-language prompts may add, per row: rotary positions (t, h, w) for multimodal RoPE (Qwen2.5-VL), and the
/// image block the row belongs to, inside which attention is bidirectional (Gemma 3).
/// </summary>
internal sealed class BatchLayout
{
    public int Sequences { get; }
    public int Rows { get; }
    public int[] Slot { get; }          // [Sequences]
    public int[] StartPos { get; }      // [Sequences]
    public int[] Length { get; }        // [Sequences]
    public int[] RowStart { get; }      // [Sequences]
    public int[] RowSequence { get; }   // [Rows]
    public int[] RowPosition { get; }   // [Rows] absolute position of each row's token
    /// <summary>[3 * Rows] rotary positions (t, h, w) of row r at 3r..3r+2 for multimodal RoPE; null = RowPosition for all three.</summary>
    public int[]? RopePositions { get; }
    /// <summary>[Rows] first and last position of the row's image block (-1 = none); null = no blocks.</summary>
    public int[]? BlockFirst { get; }
    public int[]? BlockLast { get; }

    public BatchLayout(int[] slot, int[] startPos, int[] length, int[]? ropePositions = null, int[]? blockFirst = null, int[]? blockLast = null)
    {
        if (slot.Length != startPos.Length || slot.Length != length.Length) throw new ArgumentException("slot, startPos and length must have one entry per sequence");
        Sequences = slot.Length; Slot = slot; StartPos = startPos; Length = length;
        RowStart = new int[Sequences];
        for (int i = 0; i < Sequences; i++)
        {
            if (length[i] <= 0) throw new ArgumentException($"sequence {i} has no tokens");
            RowStart[i] = Rows;
            Rows += length[i];
        }
        RowSequence = new int[Rows];
        RowPosition = new int[Rows];
        for (int i = 0; i < Sequences; i++)
            for (int t = 0; t < length[i]; t++)
            {
                RowSequence[RowStart[i] + t] = i;
                RowPosition[RowStart[i] + t] = startPos[i] + t;
            }
        if (ropePositions != null && ropePositions.Length != 3 * Rows) throw new ArgumentException($"{ropePositions.Length} rotary positions for {Rows} rows (3 per row)");
        if ((blockFirst == null) != (blockLast == null)) throw new ArgumentException("image blocks need both their first and last positions");
        if (blockFirst != null)
        {
            if (blockFirst.Length != Rows || blockLast!.Length != Rows) throw new ArgumentException($"image blocks for {blockFirst.Length} rows, the batch has {Rows}");
            for (int r = 0; r < Rows; r++)
            {
                if (blockFirst[r] < 0 && blockLast[r] < 0) continue;
                int seq = RowSequence[r], end = startPos[seq] + length[seq] - 1;
                if (!(blockFirst[r] <= RowPosition[r] && RowPosition[r] <= blockLast[r] && blockFirst[r] >= 0 && blockLast[r] <= end))
                    throw new ArgumentException($"row {r} at position {RowPosition[r]} lies outside its image block [{blockFirst[r]}, {blockLast[r]}] or the block outside its sequence");
            }
        }
        RopePositions = ropePositions; BlockFirst = blockFirst; BlockLast = blockLast;
    }

    /// <summary>
    /// The key positions row r sees, first..last: the causal range (within the window when there is one), widened to the
    /// whole image block when the row is in one (allowed = causal-or-window OR same block; both ranges hold the row's
    /// own position, so their union is one range).
    /// </summary>
    public (int First, int Last) VisibleKeys(int r, int? window)
    {
        int pos = RowPosition[r];
        int first = window is int w ? Math.Max(0, pos - w + 1) : 0, last = pos;
        if (BlockFirst != null && BlockFirst[r] >= 0)
        {
            first = Math.Min(first, BlockFirst[r]);
            last = Math.Max(last, BlockLast![r]);
        }
        return (first, last);
    }

    /// <summary>Throws unless every sequence's positions fit in a KV cache of <paramref name="maxT"/> positions per slot.</summary>
    public void CheckFits(int maxT)
    {
        for (int i = 0; i < Sequences; i++)
            if (StartPos[i] + Length[i] > maxT)
                throw new ArgumentException($"sequence {i} needs {StartPos[i] + Length[i]} positions but the KV cache holds {maxT}");
    }

    /// <summary>One sequence of <paramref name="length"/> new tokens in slot 0 after <paramref name="startPos"/> cached ones.</summary>
    public static BatchLayout Single(int length, int startPos = 0) => new([0], [startPos], [length]);
}
