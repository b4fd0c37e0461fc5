namespace HeadPursuit.Runtime.Tokenizers;

/// <summary>
/// A text piece flowing through pre-tokenization. AtStart is true for the piece that begins at the
/// very start of the encoded text (Metaspace's "first" prepend scheme needs it).
/// </summary>
internal readonly record struct Piece(string Text, bool AtStart);

/// <summary>
/// A Hugging Face pre-tokenizer: cuts a normalized piece into the words that BPE sees, possibly
/// rewriting them (ByteLevel maps bytes to visible characters, Metaspace spaces to "▁").
/// </summary>
internal abstract class PreTokenizer
{
    /// <summary>Appends the words of piece to output, in order; empty words are never appended.</summary>
    public abstract void Split(Piece piece, List<Piece> output);
}

/// <summary>What `Split` does with the text a pattern matched (HF's SplitDelimiterBehavior).</summary>
internal enum SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous }

/// <summary>
/// `Split`: cuts a piece at the matches of a regex or literal. With invert, the matches are the kept
/// words and the text between them plays the delimiter.
/// </summary>
internal sealed class SplitPreTokenizer(CodePointRegex pattern, SplitBehavior behavior, bool invert) : PreTokenizer
{
    public override void Split(Piece piece, List<Piece> output)
    {
        string text = piece.Text;
        var matches = new List<(int Start, int Length)>();
        pattern.Matches(text, matches);

        // Cover the text with (start, end, isDelimiter) spans, alternating gaps and matches.
        var spans = new List<(int Start, int End, bool Delimiter)>(2 * matches.Count + 1);
        int at = 0;
        foreach (var (start, length) in matches)
        {
            if (start > at) spans.Add((at, start, invert));
            spans.Add((start, start + length, !invert));
            at = start + length;
        }
        if (at < text.Length) spans.Add((at, text.Length, invert));

        foreach (var (start, end) in Arrange(spans, behavior))
            if (end > start) output.Add(new Piece(text[start..end], piece.AtStart && start == 0));
    }

    /// <summary>Groups the spans into words according to the behaviour (HF semantics).</summary>
    internal static List<(int Start, int End)> Arrange(List<(int Start, int End, bool Delimiter)> spans, SplitBehavior behavior)
    {
        var words = new List<(int Start, int End)>(spans.Count);
        switch (behavior)
        {
            case SplitBehavior.Removed:
                foreach (var s in spans) if (!s.Delimiter) words.Add((s.Start, s.End));
                break;
            case SplitBehavior.Isolated:
                foreach (var s in spans) words.Add((s.Start, s.End));
                break;
            case SplitBehavior.MergedWithPrevious:
            {
                bool previousWasDelimiter = false;
                foreach (var s in spans)
                {
                    if (s.Delimiter && !previousWasDelimiter && words.Count > 0) words[^1] = (words[^1].Start, s.End);
                    else words.Add((s.Start, s.End));
                    previousWasDelimiter = s.Delimiter;
                }
                break;
            }
            case SplitBehavior.MergedWithNext:
            {
                // Mirror image of MergedWithPrevious: walk backwards, glue a delimiter to the word after it.
                bool nextWasDelimiter = false;
                for (int i = spans.Count - 1; i >= 0; i--)
                {
                    var s = spans[i];
                    if (s.Delimiter && !nextWasDelimiter && words.Count > 0) words[^1] = (s.Start, words[^1].End);
                    else words.Add((s.Start, s.End));
                    nextWasDelimiter = s.Delimiter;
                }
                words.Reverse();
                break;
            }
            case SplitBehavior.Contiguous:
            {
                bool previousWasDelimiter = false;
                foreach (var s in spans)
                {
                    if (s.Delimiter == previousWasDelimiter && words.Count > 0) words[^1] = (words[^1].Start, s.End);
                    else words.Add((s.Start, s.End));
                    previousWasDelimiter = s.Delimiter;
                }
                break;
            }
        }
        return words;
    }
}

/// <summary>
/// `ByteLevel`: optionally prefixes a space, optionally cuts with the GPT-2 pattern (by the equivalent
/// <see cref="Gpt2WordSplitter"/>), then writes each word's UTF-8 bytes as ByteLevelAlphabet characters.
/// </summary>
internal sealed class ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : PreTokenizer
{
    /// <summary>HF's pattern, which Gpt2WordSplitter implements (the tests compare the two).</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    public override void Split(Piece piece, List<Piece> output)
    {
        string text = addPrefixSpace && !piece.Text.StartsWith(' ') ? " " + piece.Text : piece.Text;
        if (!useRegex)
        {
            if (text.Length > 0) output.Add(new Piece(ByteLevelAlphabet.Encode(text), piece.AtStart));
            return;
        }
        var words = new List<(int Start, int Length)>();
        Gpt2WordSplitter.Split(text, words);
        foreach (var (start, length) in words)
            output.Add(new Piece(ByteLevelAlphabet.Encode(text.AsSpan(start, length)), piece.AtStart && start == 0));
    }
}

/// <summary>When Metaspace puts the replacement character in front of a piece.</summary>
internal enum PrependScheme { Always, First, Never }

/// <summary>
/// `Metaspace`: spaces become the replacement ("▁"), the replacement is prepended per the scheme,
/// and with split the piece is cut before every replacement (each "▁" starts a word).
/// </summary>
internal sealed class MetaspacePreTokenizer(char replacement, PrependScheme scheme, bool split) : PreTokenizer
{
    public override void Split(Piece piece, List<Piece> output)
    {
        string text = piece.Text.Replace(' ', replacement);
        bool prepend = scheme == PrependScheme.Always || (scheme == PrependScheme.First && piece.AtStart);
        if (prepend && !text.StartsWith(replacement)) text = replacement + text;
        if (!split)
        {
            if (text.Length > 0) output.Add(piece with { Text = text });
            return;
        }
        int wordStart = 0;
        for (int i = 1; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != replacement) continue;
            output.Add(new Piece(text[wordStart..i], piece.AtStart && wordStart == 0));
            wordStart = i;
        }
    }
}

/// <summary>`Sequence`: each pre-tokenizer cuts every word the previous one produced.</summary>
internal sealed class SequencePreTokenizer(IReadOnlyList<PreTokenizer> steps) : PreTokenizer
{
    public override void Split(Piece piece, List<Piece> output)
    {
        var current = new List<Piece> { piece };
        var next = new List<Piece>();
        foreach (var step in steps)
        {
            next.Clear();
            foreach (var p in current) step.Split(p, next);
            (current, next) = (next, current);
        }
        output.AddRange(current);
    }
}
