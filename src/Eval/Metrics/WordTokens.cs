using System.Text.RegularExpressions;

namespace HeadPursuit.Eval.Metrics;

/// <summary>Text to lowercase words: runs of letters, digits and inner apostrophes ("Don't" -> "don't"); everything else separates.</summary>
internal static partial class WordTokens
{
    public static string[] Of(string text) =>
        [.. Word().Matches(text.ToLowerInvariant()).Select(m => m.Value)];

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*")]
    private static partial Regex Word();
}
