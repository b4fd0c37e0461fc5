using System.Text.Json;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace HeadPursuit.Eval.Data;

/// <summary>
/// The rows of one or more Parquet files with the same columns (a dataset split's shards), read with Parquet.Net one
/// row group at a time, as the Hugging Face hub stores datasets: nested structs (TriviaQA's answer, RealToxicityPrompts'
/// prompt, the Image feature's {bytes, path}), lists (answer aliases, captions), and the datasets library's features
/// under the "huggingface" key of the file's key-value metadata (ClassLabel names). A column is named by its path,
/// struct members joined with '.', e.g. "answer.aliases" or "prompt.text".
/// </summary>
internal sealed class ParquetTable
{
    const string FeaturesKey = "huggingface";

    readonly string? _features;   // the "huggingface" metadata JSON of the first file

    public IReadOnlyList<string> Files { get; }
    /// <summary>Every column path of the first file: top-level columns and, inside structs, "outer.inner".</summary>
    public IReadOnlyList<string> Columns { get; }

    ParquetTable(string[] files, string[] columns, string? features) { Files = files; Columns = columns; _features = features; }

    /// <param name="files">Parquet files in order (see <see cref="ParquetFiles"/>); their schema is read from the first.</param>
    public static ParquetTable Open(IReadOnlyList<string> files)
    {
        if (files.Count == 0) throw new ArgumentException("no Parquet files given");
        var (schema, metadata) = Read(files[0], reader => Task.FromResult((reader.Schema, reader.CustomMetadata)));
        return new ParquetTable([.. files], [.. schema.Fields.SelectMany(f => Paths(f, ""))], metadata.GetValueOrDefault(FeaturesKey));
    }

    /// <summary>Throws unless <paramref name="column"/> is a column path, naming the file, the field and the columns there are.</summary>
    public void Require(string column, string field)
    {
        if (!Columns.Contains(column))
            throw new ArgumentException($"{Files[0]}: no column \"{column}\" for {field} (columns: {string.Join(", ", Columns)})");
    }

    /// <summary>The rows in order, file by file and row group by row group (one row group held at a time).</summary>
    /// <param name="limit">Stop after this many rows (0: all).</param>
    public IEnumerable<ParquetRow> Rows(int limit = 0)
    {
        long count = 0;
        foreach (var file in Files)
        {
            int groups = Read(file, reader => Task.FromResult(reader.RowGroupCount));
            long index = 0;
            for (int g = 0; g < groups; g++)
            {
                var data = Read(file, async _ =>
                {
                    await using var stream = File.OpenRead(file);
                    return (await ParquetSerializer.DeserializeUntypedAsync(stream, rowGroupIndex: g)).Data;
                });
                foreach (var values in data)
                {
                    yield return new ParquetRow(file, index++, values);
                    if (limit > 0 && ++count >= limit) yield break;
                }
            }
        }
    }

    /// <summary>
    /// The class names of a ClassLabel column, from the datasets features in the "huggingface" metadata
    /// ({"info": {"features": {COLUMN: {"_type": "ClassLabel", "names": [...]}}}}), or null when the file has none.
    /// </summary>
    public string[]? ClassNames(string column)
    {
        if (_features == null) return null;
        using var doc = Json.Parse(_features, $"{Files[0]}: \"{FeaturesKey}\" metadata");
        if (!doc.RootElement.TryGetProperty("info", out var info) || info.ValueKind != JsonValueKind.Object
            || !info.TryGetProperty("features", out var feature)) return null;
        foreach (var part in column.Split('.'))
            if (feature.ValueKind != JsonValueKind.Object || !feature.TryGetProperty(part, out feature)) return null;
        if (feature.ValueKind != JsonValueKind.Object || !feature.TryGetProperty("_type", out var type) || type.GetString() != "ClassLabel") return null;
        var names = Json.Strings(feature, "names", $"{Files[0]}: ClassLabel feature \"{column}\"");
        return names.Length > 0 ? names : null;
    }

    static IEnumerable<string> Paths(Field field, string prefix)
    {
        string path = prefix + field.Name;
        yield return path;
        if (field is StructField s)
            foreach (var child in s.Fields)
                foreach (var p in Paths(child, path + ".")) yield return p;
    }

    /// <summary>Runs a read of <paramref name="file"/>; the library's failures become errors that name the file.</summary>
    static T Read<T>(string file, Func<ParquetReader, Task<T>> read)
    {
        try
        {
            return Task.Run(async () =>
            {
                await using var reader = await ParquetReader.CreateAsync(file);
                return await read(reader);
            }).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is ParquetException or IOException or InvalidDataException or NotSupportedException
                                       or InvalidOperationException or InvalidCastException or IndexOutOfRangeException)
        {
            throw new ArgumentException($"{file}: not a readable Parquet file ({e.Message})");
        }
    }
}
