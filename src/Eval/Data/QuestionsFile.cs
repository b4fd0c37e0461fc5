using HeadPursuit.Runtime.Input;
using System.Text.Json;

namespace HeadPursuit.Eval.Data;

/// <summary>One line of a question file: the text fed to the model, its accepted answers and a free category label.</summary>
internal sealed record QuestionRow(string Prompt, string[] Answers, string Category);

/// <summary>
/// Reads question JSON lines as the TinyWorld fixture writes them (eval/questions.jsonl):
/// {"question": "...", "prompt": "Question: ... Answer:", "answers": ["Paris"], "category": "capital"}.
/// "prompt" and a non-empty "answers" are required; "category" is optional; other fields are ignored.
/// </summary>
internal static class QuestionsFile
{
    public static QuestionRow[] Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: question file not found", path);
        var rows = new List<QuestionRow>();
        var lines = TextFile.ReadLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            string where = $"{path}:{i + 1}";
            using var doc = Json.Parse(lines[i], where);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ArgumentException($"{where}: expected a JSON object");
            var answers = Json.Strings(root, "answers", where);
            if (answers.Length == 0) throw new ArgumentException($"{where}: \"answers\" must be a non-empty array of strings");
            string category = root.TryGetProperty("category", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "";
            rows.Add(new QuestionRow(Json.String(root, "prompt", where), answers, category));
        }
        if (rows.Count == 0) throw new ArgumentException($"{path}: the question set is empty");
        return [.. rows];
    }
}
