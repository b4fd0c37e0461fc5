using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Runtime.Vision;

/// <summary>
/// A prompt ready for a vision-language model's language model: its token ids (each image expanded to its image
/// tokens, as the family's processor does it) and what the images add to its rows (the features at the image
/// positions, Rows.Embeddings.Rows increasing, and the family's rotary positions or image blocks).
/// </summary>
internal sealed record ImagePrompt(int[] Ids, ImageRows Rows)
{
    public int[] ImagePositions => Rows.Embeddings.Rows;

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

    /// <summary>[T]: true at the image positions (the pooled positions of z_image_mean, the rows the image policy scales).</summary>
    public bool[] ImageMask()
    {
        var m = new bool[Ids.Length];
        foreach (int t in ImagePositions) m[t] = true;
        return m;
    }
}
