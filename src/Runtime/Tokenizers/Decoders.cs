using System.Text;

namespace HeadPursuit.Runtime.Tokenizers;

/// <summary>
/// A Hugging Face decoder: rewrites the list of token strings; the decoded text is the concatenation
/// of what the chain leaves (HF `decode_chain`).
/// </summary>
internal abstract class Decoder
{
    public abstract List<string> DecodeChain(List<string> tokens);
}

/// <summary>
/// `ByteLevel`: maps each character back to its byte (ByteLevelAlphabet) and decodes all bytes as one
/// UTF-8 string; invalid UTF-8 becomes U+FFFD. A token with a character outside the alphabet (an added
/// token such as "&lt;|im_start|&gt;" with non-mapped characters) contributes its own UTF-8 bytes, as HF.
/// </summary>
internal sealed class ByteLevelDecoder : Decoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        var bytes = new List<byte>();
        foreach (var token in tokens)
        {
            int mark = bytes.Count;
            bool allMapped = true;
            foreach (char c in token)
            {
                if (!ByteLevelAlphabet.TryUnmap(c, out byte b)) { allMapped = false; break; }
                bytes.Add(b);
            }
            if (allMapped) continue;
            bytes.RemoveRange(mark, bytes.Count - mark);
            bytes.AddRange(Encoding.UTF8.GetBytes(token));
        }
        return [Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes))];
    }
}

/// <summary>
/// `Metaspace`: the replacement character becomes a space, except in the first token where (unless
/// the prepend scheme is "never") it is dropped: HF drops every replacement of token 0, not only a leading one.
/// </summary>
internal sealed class MetaspaceDecoder(char replacement, PrependScheme scheme) : Decoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        for (int i = 0; i < tokens.Count; i++)
            result.Add(i == 0 && scheme != PrependScheme.Never
                ? tokens[i].Replace(replacement.ToString(), "", StringComparison.Ordinal)
                : tokens[i].Replace(replacement, ' '));
        return result;
    }
}

/// <summary>`Replace`: in each token, a literal or regex pattern becomes content.</summary>
internal sealed class ReplaceDecoder(string? literal, CodePointRegex? regex, string content) : Decoder
{
    public override List<string> DecodeChain(List<string> tokens) =>
        tokens.ConvertAll(t => ReplaceNormalizer.Apply(t, literal, regex, content));
}

/// <summary>
/// `ByteFallback`: each run of consecutive &lt;0xNN&gt; tokens becomes the string its bytes spell in UTF-8;
/// a run that is not valid UTF-8 becomes one U+FFFD per byte (HF semantics).
/// </summary>
internal sealed class ByteFallbackDecoder : Decoder
{
    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public override List<string> DecodeChain(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        var run = new List<byte>();
        foreach (var token in tokens)
        {
            if (TryParseByteToken(token, out byte b)) { run.Add(b); continue; }
            Flush();
            result.Add(token);
        }
        Flush();
        return result;

        void Flush()
        {
            if (run.Count == 0) return;
            try { result.Add(StrictUtf8.GetString(run.ToArray())); }
            catch (DecoderFallbackException) { for (int i = 0; i < run.Count; i++) result.Add("\uFFFD"); }
            run.Clear();
        }
    }

    /// <summary>True for exactly "&lt;0xNN&gt;" with two hex digits.</summary>
    internal static bool TryParseByteToken(string token, out byte value)
    {
        value = 0;
        return token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
            && byte.TryParse(token.AsSpan(3, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out value);
    }
}

/// <summary>`Fuse`: all tokens become one string.</summary>
internal sealed class FuseDecoder : Decoder
{
    public override List<string> DecodeChain(List<string> tokens) => [string.Concat(tokens)];
}

/// <summary>`Strip`: removes up to start leading and up to stop trailing copies of content from each token.</summary>
internal sealed class StripDecoder(char content, int start, int stop) : Decoder
{
    public override List<string> DecodeChain(List<string> tokens) => tokens.ConvertAll(t =>
    {
        int from = 0, to = t.Length;
        while (from < to && from < start && t[from] == content) from++;
        while (to > from && t.Length - to < stop && t[to - 1] == content) to--;
        return t[from..to];
    });
}

/// <summary>`Sequence`: the listed decoders, each on the previous one's output.</summary>
internal sealed class SequenceDecoder(IReadOnlyList<Decoder> steps) : Decoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        foreach (var step in steps) tokens = step.DecodeChain(tokens);
        return tokens;
    }
}
