namespace HeadPursuit.Runtime.Backends;

/// <summary>
/// How the rows of one forward call map to sequences. Sequences are packed end to end (no padding):
/// sequence i owns rows [RowStart[i], RowStart[i] + Length[i]) and KV-cache slot Slot[i], where its
/// first new token sits at absolute position StartPos[i] (the number of tokens already cached).
/// Row-wise views (RowSequence, RowPosition) are precomputed for the kernels.
/// </summary>
public sealed class BatchLayout
{
    public int Sequences { get; }
    public int Rows { get; }
    public int[] Slot { get; }          // [Sequences]
    public int[] StartPos { get; }      // [Sequences]
    public int[] Length { get; }        // [Sequences]
    public int[] RowStart { get; }      // [Sequences]
    public int[] RowSequence { get; }   // [Rows]
    public int[] RowPosition { get; }   // [Rows] absolute position of each row's token

    public BatchLayout(int[] slot, int[] startPos, int[] length)
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
