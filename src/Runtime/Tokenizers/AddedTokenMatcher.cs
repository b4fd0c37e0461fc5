using System.Buffers;

namespace HeadPursuit.Runtime.Tokenizers;

/// <summary>
/// Finds added tokens in a text: scanning left to right, at the first position where some token
/// starts, the longest token starting there wins (leftmost-longest, as HF's Aho-Corasick automaton).
/// Each candidate list is sorted longest first, and the scan jumps between possible first characters
/// with a vectorised IndexOfAny.
/// </summary>
internal sealed class AddedTokenMatcher
{
    /// <summary>A span of the text: an added token (TokenId >= 0) or plain text between them (-1).</summary>
    public readonly record struct Segment(int Start, int End, int TokenId);

    readonly Dictionary<char, (string Pattern, AddedToken Token)[]> _byFirstChar;
    readonly SearchValues<char> _firstChars;

    /// <param name="patterns">Each token with the string to look for (its content, normalized for normalized tokens).</param>
    public AddedTokenMatcher(IEnumerable<(string Pattern, AddedToken Token)> patterns)
    {
        _byFirstChar = patterns.Where(p => p.Pattern.Length > 0)
            .GroupBy(p => p.Pattern[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(p => p.Pattern.Length).ToArray());
        _firstChars = SearchValues.Create([.. _byFirstChar.Keys]);
    }

    /// <summary>Cuts text into segments covering it; special tokens are ignored when !recognizeSpecial.</summary>
    public List<Segment> Split(string text, bool recognizeSpecial)
    {
        var segments = new List<Segment>();
        int gapStart = 0, pos = 0;
        while (pos < text.Length)
        {
            int hit = text.AsSpan(pos).IndexOfAny(_firstChars);
            if (hit < 0) break;
            pos += hit;
            var token = LongestAt(text, pos, recognizeSpecial, out int length);
            if (token == null) { pos++; continue; }

            int start = pos, end = pos + length;
            if (token.LStrip) while (start > gapStart && char.IsWhiteSpace(text[start - 1])) start--;
            if (token.RStrip) while (end < text.Length && char.IsWhiteSpace(text[end])) end++;
            if (start > gapStart) segments.Add(new Segment(gapStart, start, -1));
            segments.Add(new Segment(start, end, token.Id));
            gapStart = pos = end;
        }
        if (gapStart < text.Length) segments.Add(new Segment(gapStart, text.Length, -1));
        return segments;
    }

    AddedToken? LongestAt(string text, int pos, bool recognizeSpecial, out int length)
    {
        foreach (var (pattern, token) in _byFirstChar[text[pos]])
        {
            if (token.Special && !recognizeSpecial) continue;
            if (!text.AsSpan(pos).StartsWith(pattern, StringComparison.Ordinal)) continue;
            if (token.SingleWord && !StandsAlone(text, pos, pos + pattern.Length)) continue;
            length = pattern.Length;
            return token;
        }
        length = 0;
        return null;
    }

    static bool StandsAlone(string text, int start, int end) =>
        (start == 0 || !IsWordChar(text[start - 1])) && (end == text.Length || !IsWordChar(text[end]));

    static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
