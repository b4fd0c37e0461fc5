using System.Globalization;
using System.Text.RegularExpressions;

namespace HeadPursuit.Runtime.Tokenizers;

/// <summary>
/// A regex compiled once, matched with code-point semantics. Hugging Face tokenizers run their
/// patterns over Unicode scalar values, so a character outside the BMP (an emoji, a rare CJK ideograph)
/// is ONE character with its own category (So, Lo, ...). .NET matches UTF-16 code units and would see
/// two surrogates of category Cs: `\p{L}+` would stop inside 𠀀, and `[^\p{L}\p{N}]?\p{L}+` would take
/// half an emoji. So when the text holds surrogate pairs we match a stand-in string in which every pair
/// is replaced by one BMP character of the same Unicode category, then map the match positions back.
/// </summary>
internal sealed class CodePointRegex
{
    /// <summary>For each UnicodeCategory, a non-ASCII BMP character of that category (or U+FFFD).</summary>
    static readonly char[] StandIns = BuildStandIns(); // [30], indexed by UnicodeCategory

    readonly Regex _regex;

    public CodePointRegex(string pattern, string where)
    {
        try { _regex = new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant); }
        catch (ArgumentException e) { throw new ModelFormatException($"{where}: regex '{pattern}' is not supported ({e.Message})"); }
    }

    /// <summary>Appends (start, length) of every non-empty match in text, as positions of text.</summary>
    public void Matches(string text, List<(int Start, int Length)> matches)
    {
        if (text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            foreach (var m in _regex.EnumerateMatches(text))
                if (m.Length > 0) matches.Add((m.Index, m.Length));
            return;
        }

        var standIn = new char[text.Length];     // [n] used: one char per code point
        var origin = new int[text.Length + 1];   // [n + 1]: position in text of stand-in char i
        int n = 0;
        for (int i = 0; i < text.Length; i++, n++)
        {
            origin[n] = i;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var category = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1]));
                standIn[n] = StandIns[(int)category];
                i++;
            }
            else standIn[n] = text[i];
        }
        origin[n] = text.Length;

        foreach (var m in _regex.EnumerateMatches(standIn.AsSpan(0, n)))
        {
            if (m.Length == 0) continue;
            int start = origin[m.Index], end = origin[m.Index + m.Length];
            matches.Add((start, end - start));
        }
    }

    static char[] BuildStandIns()
    {
        var table = new char[Enum.GetValues<UnicodeCategory>().Length];
        Array.Fill(table, '\uFFFD');
        var found = new bool[table.Length];
        for (int c = 0x80; c < 0x10000; c++)
        {
            if (c is >= 0xD800 and <= 0xDFFF) continue;
            int k = (int)CharUnicodeInfo.GetUnicodeCategory((char)c);
            if (found[k]) continue;
            found[k] = true;
            table[k] = (char)c;
        }
        return table;
    }
}
