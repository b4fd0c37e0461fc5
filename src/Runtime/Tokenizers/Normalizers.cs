using System.Globalization;
using System.Text;

namespace HeadPursuit.Runtime.Tokenizers;

/// <summary>
/// A Hugging Face normalizer: rewrites a text piece before pre-tokenization. Runs on each piece left
/// between added tokens, never across them.
/// </summary>
internal abstract class Normalizer
{
    public abstract string Normalize(string text);
}

/// <summary>`Prepend`: puts a prefix in front of every non-empty piece (SentencePiece's "▁").</summary>
internal sealed class PrependNormalizer(string prefix) : Normalizer
{
    public override string Normalize(string text) => text.Length == 0 ? text : prefix + text;
}

/// <summary>`Replace`: replaces every occurrence of a literal string or of a regex by content.</summary>
internal sealed class ReplaceNormalizer : Normalizer
{
    readonly string? _literal;
    readonly CodePointRegex? _regex;
    readonly string _content;

    ReplaceNormalizer(string? literal, CodePointRegex? regex, string content) { _literal = literal; _regex = regex; _content = content; }

    public static ReplaceNormalizer Literal(string pattern, string content) => new(pattern, null, content);
    public static ReplaceNormalizer Regex(CodePointRegex pattern, string content) => new(null, pattern, content);

    public override string Normalize(string text) => Apply(text, _literal, _regex, _content);

    /// <summary>Shared with the Replace decoder, which has the same semantics.</summary>
    public static string Apply(string text, string? literal, CodePointRegex? regex, string content)
    {
        if (literal != null) return literal.Length == 0 ? text : text.Replace(literal, content, StringComparison.Ordinal);
        var matches = new List<(int Start, int Length)>();
        regex!.Matches(text, matches);
        if (matches.Count == 0) return text;
        var sb = new StringBuilder(text.Length);
        int at = 0;
        foreach (var (start, length) in matches)
        {
            sb.Append(text, at, start - at).Append(content);
            at = start + length;
        }
        return sb.Append(text, at, text.Length - at).ToString();
    }
}

/// <summary>
/// `NFC`: Unicode canonical composition, by .NET's string.Normalize. That needs ICU: a process with
/// InvariantGlobalization (this repository turns it off) returns text unchanged, so for text that NFC
/// could change this normalizer throws instead of silently tokenizing it differently from HF. Text
/// made only of characters below U+0300 (no combining marks, no singletons) is NFC already and is
/// returned as is on every platform. ICU refuses some code points that NFC leaves alone (U+FFFE throws
/// ArgumentException); Hugging Face's tokenizers keep every unassigned code point (noncharacters included) as it is.
/// Such a code point has no decomposition and composes with nothing, so NFC of the text is NFC of the pieces between
/// them with them kept in place.
/// </summary>
internal sealed class NfcNormalizer : Normalizer
{
    /// <summary>Whether string.Normalize really composes in this process.</summary>
    public static bool PlatformComposes { get; } = "e\u0301".Normalize(NormalizationForm.FormC) == "\u00E9";

    public override string Normalize(string text)
    {
        if (text.AsSpan().IndexOfAnyInRange('\u0300', '\uFFFF') < 0) return text;
        if (!PlatformComposes)
            throw new NotSupportedException("the tokenizer's NFC normalizer needs ICU, but this process runs with InvariantGlobalization; " +
                                            "set <InvariantGlobalization>false</InvariantGlobalization> in the application project");
        if (!text.EnumerateRunes().Any(IsUnassigned)) return text.Normalize(NormalizationForm.FormC);
        var result = new StringBuilder(text.Length);
        int start = 0;   // the piece text[start..i] has no unassigned code point
        for (int i = 0; i < text.Length;)
        {
            var rune = Rune.GetRuneAt(text, i);
            if (IsUnassigned(rune))
            {
                result.Append(text[start..i].Normalize(NormalizationForm.FormC)).Append(text, i, rune.Utf16SequenceLength);
                start = i + rune.Utf16SequenceLength;
            }
            i += rune.Utf16SequenceLength;
        }
        return result.Append(text[start..].Normalize(NormalizationForm.FormC)).ToString();
    }

    static bool IsUnassigned(Rune r) => Rune.GetUnicodeCategory(r) == UnicodeCategory.OtherNotAssigned;
}

/// <summary>`Sequence`: the listed normalizers, in order.</summary>
internal sealed class SequenceNormalizer(IReadOnlyList<Normalizer> steps) : Normalizer
{
    public override string Normalize(string text)
    {
        foreach (var step in steps) text = step.Normalize(text);
        return text;
    }
}
