using System.Globalization;
using HeadPursuit.Runtime.Tokenizers;

namespace HeadPursuit.Cli;

/// <summary>
/// Prints generated text as tokens arrive. A token can end in the middle of a UTF-8 character (byte-level BPE,
/// byte fallback), so the whole continuation is decoded each time and only the new, complete part is written.
/// Without a tokenizer, token ids are printed.
/// </summary>
sealed class TextStream(Tokenizer? tokenizer)
{
    readonly List<int> _ids = new();
    int _written;

    public void Add(int token)
    {
        if (tokenizer == null) { Console.Write(token.ToString(CultureInfo.InvariantCulture) + " "); return; }
        _ids.Add(token);
        string text = tokenizer.Decode(_ids.ToArray());
        int end = text.Length;
        while (end > _written && text[end - 1] == '\uFFFD') end--;   // an incomplete character: wait for its next bytes
        if (end > _written) { Console.Write(text[_written..end]); _written = end; }
    }
}
