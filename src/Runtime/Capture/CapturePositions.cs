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

public static class CapturePositionMasks
{
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

    public static string Describe(CapturePositions policy) => policy switch
    {
        CapturePositions.All => "mean over all positions",
        CapturePositions.Last => "last token",
        _ => "mean over all positions except special tokens",
    };
}
