using HeadPursuit.Runtime;

namespace HeadPursuit.Somp;

/// <summary>
/// A SOMP dictionary: rows of the unembedding (raw, as stored: SOMP normalises them itself when asked), with the
/// token id each row came from.
/// </summary>
internal sealed class AtomSet
{
    /// <summary>[Count, Dim] row-major.</summary>
    public float[] Rows { get; }
    public int Count { get; }
    public int Dim { get; }
    /// <summary>[Count]: the token id of each row (the row index itself for a plain matrix).</summary>
    public int[] TokenIds { get; }

    public AtomSet(float[] rows, int count, int dim, int[]? tokenIds = null)
    {
        if (count <= 0) throw new ArgumentException("a dictionary needs at least one atom (the concept has no tokens)");
        if (dim <= 0) throw new ArgumentException($"invalid atom dimension {dim}");
        if (rows.LongLength != (long)count * dim) throw new ArgumentException($"dictionary holds {rows.LongLength} floats, [{count}, {dim}] needs {(long)count * dim}");
        if (tokenIds != null && tokenIds.Length != count) throw new ArgumentException($"{tokenIds.Length} token ids for {count} dictionary rows");
        Rows = rows; Count = count; Dim = dim;
        TokenIds = tokenIds ?? Enumerable.Range(0, count).ToArray();
    }

    /// <summary>
    /// The unembedding rows at the given token ids (in the given order), each multiplied elementwise by the final
    /// norm's gain when one is given (SompOptions.FoldFinalNorm).
    /// </summary>
    /// <param name="unembedding">[vocab, dModel] row-major (lm_head.weight, or the tied embedding).</param>
    public static AtomSet FromUnembedding(ReadOnlySpan<float> unembedding, int dModel, IReadOnlyList<int> tokenIds, float[]? finalNormGain = null)
    {
        if (dModel <= 0 || unembedding.Length % dModel != 0)
            throw new ModelFormatException($"unembedding holds {unembedding.Length} floats, not a multiple of d_model = {dModel}");
        if (finalNormGain != null && finalNormGain.Length != dModel)
            throw new ModelFormatException($"final norm gain has {finalNormGain.Length} entries, d_model is {dModel}");
        if (tokenIds.Count == 0) throw new ArgumentException("a dictionary needs at least one atom (the concept has no tokens)");
        int vocab = unembedding.Length / dModel;
        var rows = new float[tokenIds.Count * dModel]; // [count, dModel]
        for (int r = 0; r < tokenIds.Count; r++)
        {
            int id = tokenIds[r];
            if ((uint)id >= vocab) throw new ArgumentException($"token id {id} is outside the unembedding's {vocab} rows");
            var dst = rows.AsSpan(r * dModel, dModel);
            unembedding.Slice(id * dModel, dModel).CopyTo(dst);
            if (finalNormGain != null)
                for (int k = 0; k < dModel; k++) dst[k] *= finalNormGain[k];
        }
        return new AtomSet(rows, tokenIds.Count, dModel, [.. tokenIds]);
    }
}
