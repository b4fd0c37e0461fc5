namespace HeadPursuit.Somp;

/// <summary>
/// How SOMP treats its inputs (DESIGN.md section 3). Recorded in every output.
/// Center: subtract the per-column mean of H (default on).
/// Normalize: divide every dictionary row by its l2 norm (default on).
/// FoldFinalNorm: the dictionary rows were multiplied elementwise by the final norm's gain g (D_j * g) before
/// SOMP; SOMP itself never reads this flag, <see cref="AtomSet.FromUnembedding"/> applies it.
/// </summary>
public sealed record SompOptions(bool Center = true, bool Normalize = true, bool FoldFinalNorm = false)
{
    /// <summary>The options in words, e.g. "center, normalize".</summary>
    public override string ToString() =>
        $"center={Center.ToString().ToLowerInvariant()}, normalize={Normalize.ToString().ToLowerInvariant()}, fold_final_norm={FoldFinalNorm.ToString().ToLowerInvariant()}";
}
