using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Runtime.Vision;

/// <summary>
/// A prompt ready for the language model: its token ids (the image token repeated once per image feature) and the
/// image features that replace the embeddings at those positions (Embeddings.Rows = the image positions, increasing).
/// </summary>
public sealed record ImagePrompt(int[] Ids, RowEmbeddings Embeddings)
{
    public int[] ImagePositions => Embeddings.Rows;

    /// <summary>
    /// The ids the token-embedding lookup reads: image positions set to 0, since their rows are replaced anyway and
    /// the image token may lie beyond the embedding table (HF LLaVA-1.5 defaults: image_token_index 32000 = vocab_size).
    /// </summary>
    public int[] LookupIds()
    {
        var ids = (int[])Ids.Clone();
        foreach (int t in ImagePositions) ids[t] = 0;
        return ids;
    }

    /// <summary>[T]: true at the image positions (the pooled positions of z_image_mean).</summary>
    public bool[] ImageMask()
    {
        var m = new bool[Ids.Length];
        foreach (int t in ImagePositions) m[t] = true;
        return m;
    }
}
