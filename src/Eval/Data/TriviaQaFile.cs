using HeadPursuit.Runtime.Input;
using System.Text.Json;

namespace HeadPursuit.Eval.Data;

/// <summary>
/// Reads TriviaQA's JSON layout: {"Data": [{"Question": "...", "Answer": {"Value": "...", "Aliases": [...],
/// "NormalizedAliases": [...]}}, ...]}. Other fields are ignored; the alias lists are optional.
/// </summary>
internal static class TriviaQaFile
{
    public static QaItem[] Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: question file not found", path);
        using var doc = Json.Parse(TextFile.Read(path), path);
        if (!doc.RootElement.TryGetProperty("Data", out var data) || data.ValueKind != JsonValueKind.Array)
            throw new ArgumentException($"{path}: expected a top-level \"Data\" array (TriviaQA format)");
        var items = new List<QaItem>();
        int i = 0;
        foreach (var q in data.EnumerateArray())
        {
            string where = $"{path}: Data[{i++}]";
            string question = Json.String(q, "Question", where);
            if (!q.TryGetProperty("Answer", out var a) || a.ValueKind != JsonValueKind.Object)
                throw new ArgumentException($"{where}: missing \"Answer\" object");
            var aliases = Json.Strings(a, "Aliases", where).Concat(Json.Strings(a, "NormalizedAliases", where)).ToArray();
            items.Add(new QaItem(question, Json.String(a, "Value", where + ".Answer"), aliases));
        }
        if (items.Count == 0) throw new ArgumentException($"{path}: the question set is empty");
        return [.. items];
    }
}
