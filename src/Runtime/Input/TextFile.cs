using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace HeadPursuit.Runtime.Input;

/// <summary>
/// Reads a text input (prompts, concepts, JSON) as UTF-8 (a BOM is dropped). Bytes that are not valid UTF-8 are refused
/// naming the file, line and column, unless <see cref="EncodingErrors.Replace"/> asks for U+FFFD in their place
/// (what .NET's File.ReadAllText does silently).
/// </summary>
internal static class TextFile
{
    /// <summary>A data file (a config, a tokenizer, a ranking): invalid UTF-8 is always refused.</summary>
    public static string Read(string path) => Decode(ReadBytes(path), path, EncodingErrors.Strict, hint: "");

    /// <summary>A user's text (prompts, a concept's words): the option --encoding-errors replace lets invalid UTF-8 through as U+FFFD.</summary>
    public static string ReadUserText(string path, EncodingErrors errors) =>
        Decode(ReadBytes(path), path, errors, hint: " (--encoding-errors replace reads it with U+FFFD in place of the bad bytes)");

    /// <summary>The non-empty lines of a user's text, each with its 1-based line number in the file.</summary>
    public static (string Text, int Line)[] ReadUserLines(string path, EncodingErrors errors) =>
        [.. ReadUserText(path, errors).Split('\n').Select((l, i) => (l.TrimEnd('\r'), i + 1)).Where(x => x.Item1.Trim().Length > 0)];

    /// <summary>Every line of a data file (a JSON-lines or TSV set, a CSV), '\r' dropped: invalid UTF-8 is refused naming the line.</summary>
    public static string[] ReadLines(string path)
    {
        string text = Read(path);
        if (text.EndsWith('\n')) text = text[..^1];
        return text.Length == 0 ? [] : [.. text.Split('\n').Select(l => l.TrimEnd('\r'))];
    }

    static byte[] ReadBytes(string path) =>
        File.Exists(path) ? File.ReadAllBytes(path) : throw new FileNotFoundException($"{path}: file not found", path);

    /// <summary><paramref name="bytes"/> as text; <paramref name="source"/> names it in the error.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string source, EncodingErrors errors = EncodingErrors.Strict, string hint = "")
    {
        if (bytes.StartsWith("\uFEFF"u8)) bytes = bytes[3..];
        if (errors == EncodingErrors.Strict && InvalidAt(bytes) is int at)
        {
            int line = bytes[..at].Count((byte)'\n') + 1;
            int column = at - (bytes[..at].LastIndexOf((byte)'\n') + 1) + 1;
            throw new ModelFormatException($"{source}:{line}: not valid UTF-8 (byte 0x{bytes[at]:X2} at byte {column} of the line){hint}");
        }
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>The offset of the first byte that does not start a valid UTF-8 sequence, or null when all are valid.</summary>
    public static int? InvalidAt(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes)) return null;
        var chars = ArrayPool<char>.Shared.Rent(4096);
        try
        {
            int done = 0;
            while (true)
            {
                var status = Utf8.ToUtf16(bytes[done..], chars, out int read, out _, replaceInvalidSequences: false);
                done += read;
                if (status == OperationStatus.InvalidData || status == OperationStatus.NeedMoreData) return done;
                if (status == OperationStatus.Done) return null;
            }
        }
        finally { ArrayPool<char>.Shared.Return(chars); }
    }
}
