using HeadPursuit.Runtime.Tokenizers;

namespace HeadPursuit.Runtime.Capture;

/// <summary>Which positions of a prompt are averaged into its pooled z.</summary>
public enum CapturePositions
{
    /// <summary>Every position except special tokens (BOS, template markers): the default.</summary>
    AllButSpecial,
    /// <summary>Only the last token.</summary>
    Last,
    /// <summary>Every position.</summary>
    All,
}

/// <summary>The pooling masks of <see cref="HeadCapture"/>: which positions of each prompt a <see cref="CapturePositions"/> policy averages.</summary>
public static class CapturePositionMasks
{
    /// <summary>[prompts.Length][prompt length]: the masks of tokenized prompts; the special tokens AllButSpecial skips are the tokenizer's (BOS, template markers).</summary>
    public static bool[][] For(Tokenizer tokenizer, IReadOnlyList<int[]> prompts, CapturePositions policy)
    {
        var special = Enumerable.Range(0, tokenizer.VocabSize).Where(tokenizer.IsSpecial).ToHashSet();
        return prompts.Select(p => For(p, policy, special)).ToArray();
    }

    /// <summary>[ids.Length]: true where the position is pooled. <paramref name="special"/> are the ids AllButSpecial skips.</summary>
    public static bool[] For(int[] ids, CapturePositions policy, IReadOnlySet<int> special)
    {
        var mask = new bool[ids.Length];
        switch (policy)
        {
            case CapturePositions.All: Array.Fill(mask, true); break;
            case CapturePositions.Last: mask[^1] = true; break;
            default:
                for (int t = 0; t < ids.Length; t++) mask[t] = !special.Contains(ids[t]);
                break;
        }
        return mask;
    }

    /// <summary>The policy in words, as captures record it (HeadActivations.Positions).</summary>
    public static string Describe(CapturePositions policy) => policy switch
    {
        CapturePositions.All => "mean over all positions",
        CapturePositions.Last => "last token",
        _ => "mean over all positions except special tokens",
    };
}
