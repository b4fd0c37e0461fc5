using System.Text;
using System.Text.RegularExpressions;

namespace HeadPursuit.Eval.Metrics;

/// <summary>
/// SQuAD answer normalisation: lowercase, drop ASCII punctuation, drop the articles a/an/the (whole words), collapse
/// whitespace. "The  Eiffel-Tower!" -> "eiffeltower".
/// </summary>
internal static partial class AnswerNormalizer
{
    const string Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    public static string Normalize(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char ch in text.ToLowerInvariant())
            if (!Punctuation.Contains(ch)) sb.Append(ch);
        string noArticles = Articles().Replace(sb.ToString(), " ");
        return string.Join(' ', noArticles.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The normalised text split on whitespace.</summary>
    public static string[] Tokens(string text) => Normalize(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [GeneratedRegex(@"\b(a|an|the)\b")]
    private static partial Regex Articles();
}
