namespace HeadPursuit.Eval.Experiments;

/// <summary>
/// Leaves a prompt template's tokens out of a capture mask, so that pooling covers only what the template wraps (the
/// question tokens of "Question: ... Answer:", as the paper pools over the question). The prompt must start with the
/// prefix's tokens and end with the suffix's tokens, after any leading positions the mask already leaves out (BOS).
/// </summary>
internal static class TemplatePositions
{
    /// <param name="ids">[T] the prompt's token ids.</param>
    /// <param name="mask">[T] the positions pooled so far; a copy with the template positions cleared is returned.</param>
    /// <param name="prefix">The prefix's token ids (may be empty).</param>
    /// <param name="suffix">The suffix's token ids (may be empty).</param>
    /// <param name="where">Names the prompt in errors.</param>
    public static bool[] Exclude(int[] ids, bool[] mask, int[] prefix, int[] suffix, string where)
    {
        if (mask.Length != ids.Length) throw new ArgumentException($"{where}: mask of {mask.Length} positions for {ids.Length} tokens");
        int start = Array.IndexOf(mask, true);
        if (start < 0) start = ids.Length;
        if (ids.Length - start < prefix.Length + suffix.Length
            || !ids.AsSpan(start, prefix.Length).SequenceEqual(prefix)
            || !ids.AsSpan(ids.Length - suffix.Length).SequenceEqual(suffix))
            throw new ArgumentException($"{where}: the prompt does not start with the template prefix and end with its suffix (as tokens)");
        var kept = (bool[])mask.Clone();
        Array.Fill(kept, false, start, prefix.Length);
        Array.Fill(kept, false, ids.Length - suffix.Length, suffix.Length);
        if (!kept.Contains(true)) throw new ArgumentException($"{where}: no position is left between the template prefix and suffix");
        return kept;
    }
}
