using System.Globalization;

namespace HeadPursuit.Runtime.Tokenizers;

/// <summary>
/// A hand-written matcher for the GPT-2 pre-tokenizer pattern
/// <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c>
/// (<see cref="ByteLevelPreTokenizer.Gpt2Pattern"/>), several times faster than the regex. It works on
/// code points (a surrogate pair is one character of its category, as in HF). At each position the
/// first alternative that matches wins:
/// <list type="number">
/// <item>an apostrophe followed by s, t, m, d, re, ve or ll (lower case) is a contraction;</item>
/// <item>an optional single space, then a maximal run of letters, or of digits (\p{N}), or of "other"
/// characters (neither whitespace, letter nor digit);</item>
/// <item>a whitespace run: all of it if it ends the text, else all but its last character (which then
/// starts the next word, e.g. " world"), or the single character when the run has length 1.</item>
/// </list>
/// The tests check that it cuts exactly like the regex.
/// </summary>
internal static class Gpt2WordSplitter
{
    enum Kind { Letter, Number, Space, Other }

    /// <summary>Appends (start, length) of each word of text; the words tile the text.</summary>
    public static void Split(ReadOnlySpan<char> text, List<(int Start, int Length)> words)
    {
        int i = 0;
        while (i < text.Length)
        {
            int end = WordEnd(text, i);
            words.Add((i, end - i));
            i = end;
        }
    }

    static int WordEnd(ReadOnlySpan<char> text, int i)
    {
        if (text[i] == '\'' && i + 1 < text.Length)
        {
            char a = text[i + 1], b = i + 2 < text.Length ? text[i + 2] : '\0';
            if (a is 's' or 't' or 'm' or 'd') return i + 2;
            if ((a, b) is ('r', 'e') or ('v', 'e') or ('l', 'l')) return i + 3;
        }

        var kind = KindAt(text, i, out int width);
        int start = i;
        if (text[i] == ' ' && i + 1 < text.Length)
        {
            var next = KindAt(text, i + 1, out int nextWidth);
            if (next != Kind.Space) { kind = next; start = i + 1; width = nextWidth; }
        }
        if (kind != Kind.Space) return RunEnd(text, start + width, kind);

        int runEnd = RunEnd(text, i + width, Kind.Space);
        if (runEnd == text.Length || runEnd - i == 1) return runEnd;
        return runEnd - 1; // whitespace characters are all single UTF-16 units
    }

    static int RunEnd(ReadOnlySpan<char> text, int i, Kind kind)
    {
        while (i < text.Length && KindAt(text, i, out int width) == kind) i += width;
        return i;
    }

    static Kind KindAt(ReadOnlySpan<char> text, int i, out int width)
    {
        char c = text[i];
        width = 1;
        if (c < 0x80)
        {
            if (char.IsAsciiLetter(c)) return Kind.Letter;
            if (char.IsAsciiDigit(c)) return Kind.Number;
            return char.IsWhiteSpace(c) ? Kind.Space : Kind.Other;
        }
        UnicodeCategory category;
        if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
        {
            width = 2;
            category = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, text[i + 1]));
        }
        else
        {
            if (char.IsWhiteSpace(c)) return Kind.Space;
            category = CharUnicodeInfo.GetUnicodeCategory(c);
        }
        return category switch
        {
            <= UnicodeCategory.OtherLetter => Kind.Letter,               // Lu, Ll, Lt, Lm, Lo
            >= UnicodeCategory.DecimalDigitNumber and <= UnicodeCategory.OtherNumber => Kind.Number, // Nd, Nl, No
            _ => Kind.Other,
        };
    }
}
