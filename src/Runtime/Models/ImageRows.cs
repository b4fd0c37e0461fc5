using HeadPursuit.Runtime.Backends;

namespace HeadPursuit.Runtime.Models;

/// <summary>
/// What a prompt's images add to its rows beyond token ids (positions 0..T-1 of the prompt):
///   Embeddings      the image features that replace the embeddings at the image-token positions (every family);
///   RopePositions   [3 * T] rotary positions (t, h, w) per position, for multimodal RoPE (Qwen2.5-VL); null = (p, p, p);
///   RopeDelta       a token generated at sequence index i rotates by i + RopeDelta on all three (Qwen2.5-VL);
///   BlockFirst/Last [T] the image block of each position (-1 = none), inside which attention is bidirectional (Gemma 3).
/// Generated tokens are text: they take no embeddings and no block.
/// </summary>
internal sealed record ImageRows(RowEmbeddings Embeddings)
{
    public int[]? RopePositions { get; init; }
    public int RopeDelta { get; init; }
    public int[]? BlockFirst { get; init; }
    public int[]? BlockLast { get; init; }

    /// <summary>
    /// The batch layout of a prefill whose sequence i (slot[i], length[i], from position 0) has the images
    /// perSequence[i] (or none): the rows' rotary positions and blocks packed as BatchLayout wants them.
    /// </summary>
    public static BatchLayout Prefill(int[] slot, int[] length, IReadOnlyList<ImageRows?>? perSequence)
    {
        int n = slot.Length, rows = length.Sum();
        if (perSequence != null && perSequence.Count != n) throw new ArgumentException($"{perSequence.Count} image sets for {n} sequences");
        int[]? rope = null, first = null, last = null;
        if (perSequence?.Any(p => p?.RopePositions != null) == true)
        {
            rope = new int[3 * rows];
            int r = 0;
            for (int i = 0; i < n; i++)
                for (int t = 0; t < length[i]; t++, r++)
                    for (int k = 0; k < 3; k++) rope[3 * r + k] = perSequence[i]?.RopePositions is { } p ? p[3 * t + k] : t;
        }
        if (perSequence?.Any(p => p?.BlockFirst != null) == true)
        {
            first = new int[rows];
            last = new int[rows];
            int r = 0;
            for (int i = 0; i < n; i++)
                for (int t = 0; t < length[i]; t++, r++)
                {
                    var p = perSequence[i];
                    (first[r], last[r]) = p?.BlockFirst != null ? (p.BlockFirst[t], p.BlockLast![t]) : (-1, -1);
                }
        }
        foreach (var p in perSequence ?? [])
            if (p != null && (p.RopePositions != null && p.RopePositions.Length % 3 != 0 || (p.BlockFirst == null) != (p.BlockLast == null)))
                throw new ArgumentException("image rows need 3 rotary positions per position and both block bounds");
        return new BatchLayout(slot, new int[n], length, rope, first, last);
    }

    /// <summary>
    /// The layout of one decode step: sequence i (slot[i]) adds one token at position startPos[i]; with multimodal RoPE
    /// it rotates by startPos[i] + the sequence's RopeDelta.
    /// </summary>
    public static BatchLayout Decode(int[] slot, int[] startPos, IReadOnlyList<ImageRows?> perSlot)
    {
        int[]? rope = null;
        if (perSlot.Any(p => p?.RopePositions != null))
        {
            rope = new int[3 * slot.Length];
            for (int i = 0; i < slot.Length; i++)
                for (int k = 0; k < 3; k++) rope[3 * i + k] = startPos[i] + (perSlot[slot[i]]?.RopeDelta ?? 0);
        }
        return new BatchLayout(slot, startPos, Enumerable.Repeat(1, slot.Length).ToArray(), rope);
    }
}
