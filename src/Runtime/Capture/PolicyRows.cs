using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Runtime.Capture;

/// <summary>
/// Which rows of a forward call head scales apply to under their position policy: the one place this rule is written.
/// A row is a generated token when its position is at or beyond its sequence's prompt length; an image row is one whose
/// embedding was given (a vision-language model's image features).
///   All       every row                  Prompt   prompt rows          Generated   generated rows
///   Image     image rows                 Span     prompt rows at positions [SpanStart, SpanEnd)
/// </summary>
internal static class PolicyRows
{
    /// <param name="promptLengths">[sequences] prompt length of each sequence of the layout; null: every row is a prompt row.</param>
    /// <param name="images">The rows holding image features, or null.</param>
    /// <returns>[rows]: 1 where the scales apply.</returns>
    public static byte[] Of(HeadScales scales, BatchLayout layout, int[]? promptLengths, RowEmbeddings? images)
    {
        if (promptLengths != null && promptLengths.Length != layout.Sequences)
            throw new ArgumentException($"{promptLengths.Length} prompt lengths for {layout.Sequences} sequences");
        if (scales.Policy == PositionPolicy.Image) return images?.Mask(layout.Rows) ?? new byte[layout.Rows];
        var rows = new byte[layout.Rows];
        for (int r = 0; r < layout.Rows; r++)
        {
            int pos = layout.RowPosition[r];
            bool generated = promptLengths != null && pos >= promptLengths[layout.RowSequence[r]];
            bool on = scales.Policy switch
            {
                PositionPolicy.All => true,
                PositionPolicy.Prompt => !generated,
                PositionPolicy.Generated => generated,
                _ => !generated && pos >= scales.SpanStart && pos < scales.SpanEnd,   // Span
            };
            rows[r] = on ? (byte)1 : (byte)0;
        }
        return rows;
    }
}
