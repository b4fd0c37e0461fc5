using System.Collections;
using HeadPursuit.Runtime.Imaging;

namespace HeadPursuit.Eval.Data;

/// <summary>One row of a <see cref="ParquetTable"/>: typed access to its columns, with errors that name the file, row and column.</summary>
internal sealed class ParquetRow(string file, long index, IDictionary<string, object> values)
{
    public string File => file;
    /// <summary>0-based row number within its file.</summary>
    public long Index => index;

    /// <summary>"FILE.parquet[row]": where a value came from.</summary>
    public string Name => $"{Path.GetFileName(file)}[{index}]";

    /// <summary>The value at a column path; null when it is null (or an empty list, which the library leaves out).</summary>
    public object? Value(string column)
    {
        object? v = values;
        foreach (var part in column.Split('.'))
            v = v is IDictionary<string, object> d ? Member(d, part) : null;
        return Plain(v);
    }

    /// <summary>A text column's value.</summary>
    public string Text(string column) => Value(column) switch
    {
        string s => s,
        null => throw Error(column, "is empty (null)"),
        var other => throw Error(column, $"is {Kind(other)}, not text"),
    };

    /// <summary>A text or list-of-text column's values (none when null).</summary>
    public string[] Texts(string column) => Value(column) switch
    {
        null => [],
        string s => [s],
        IList list when list.Cast<object?>().Select(Plain).All(x => x is string) => [.. list.Cast<object?>().Select(x => (string)Plain(x)!)],
        var other => throw Error(column, $"is {Kind(other)}, not text or a list of texts"),
    };

    /// <summary>
    /// The encoded image in a column: the Hugging Face Image feature's struct {bytes, path}, or plain binary; it must be
    /// a PNG or JPEG. Also returns the struct's file name (null when absent).
    /// </summary>
    public (byte[] Bytes, string? FileName) Image(string column)
    {
        var v = Value(column);
        var (bytes, name) = v switch
        {
            byte[] b => (b, null),
            IDictionary<string, object> s when s.ContainsKey("bytes") || s.ContainsKey("path") =>
                (Plain(Member(s, "bytes")) as byte[], Plain(Member(s, "path")) as string),
            null => throw Error(column, "is empty (null), not an image"),
            _ => throw Error(column, $"is {Kind(v)}, not an image (a Hugging Face Image struct {{bytes, path}} or PNG/JPEG bytes)"),
        };
        if (bytes == null) throw Error(column, $"holds no image bytes{(name != null ? $" (only the path '{name}')" : "")}");
        if (!ImageFile.HasSignature(bytes)) throw Error(column, $"holds {bytes.Length} bytes that are not a PNG or JPEG image");
        return (bytes, string.IsNullOrEmpty(name) ? null : name);
    }

    public ArgumentException Error(string column, string what) => new($"{file}: row {index}, column \"{column}\" {what}");

    static object? Member(IDictionary<string, object> s, string name) => s.TryGetValue(name, out var v) ? v : null;

    /// <summary>Parquet.Net hands list elements over as memory slices: make them strings and byte arrays.</summary>
    static object? Plain(object? v) => v switch
    {
        ReadOnlyMemory<char> m => m.ToString(),
        ReadOnlyMemory<byte> b => b.ToArray(),
        _ => v,
    };

    static string Kind(object v) => v switch
    {
        string => "text",
        byte[] => "binary",
        IDictionary<string, object> => "a struct",
        IList => "a list",
        bool => "a boolean",
        _ => $"a number ({v.GetType().Name})",
    };
}
