using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Runtime.Vision;

/// <summary>
/// A prompt ready for the language model: its token ids (the image token repeated once per image feature) and the
/// image features that replace the embeddings at those positions (Embeddings.Rows = the image positions, increasing).
/// </summary>
public sealed record ImagePrompt(int[] Ids, RowEmbeddings Embeddings)
{
    public int[] ImagePositions => Embeddings.Rows;

    /// <summary>[T]: true at the image positions (the pooled positions of z_image_mean).</summary>
    public bool[] ImageMask()
    {
        var m = new bool[Ids.Length];
        foreach (int t in ImagePositions) m[t] = true;
        return m;
    }
}
