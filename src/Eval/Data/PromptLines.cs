using System.Text.Json;

namespace HeadPursuit.Eval.Data;

/// <summary>
/// Reads a prompt set: plain text (one prompt per non-empty line) or JSON lines with a "prompt" or "text" string field,
/// or a RealToxicityPrompts-style object {"prompt": {"text": ...}}.
/// </summary>
internal static class PromptLines
{
    public static string[] Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: prompt file not found", path);
        var lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToArray();
        string[] prompts = path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)
            ? [.. lines.Select((l, i) => FromJson(l, $"{path}:{i + 1}"))]
            : lines;
        if (prompts.Length == 0) throw new ArgumentException($"{path}: the prompt set is empty");
        return prompts;
    }

    static string FromJson(string line, string where)
    {
        using var doc = Json.Parse(line, where);
        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.Object)
            foreach (var name in new[] { "prompt", "text" })
                if (root.TryGetProperty(name, out var v))
                {
                    if (v.ValueKind == JsonValueKind.String) return v.GetString()!;
                    if (v.ValueKind == JsonValueKind.Object) return Json.String(v, "text", $"{where}: \"{name}\"");
                }
        throw new ArgumentException($"{where}: no \"prompt\" or \"text\" string field (nor \"prompt\": {{\"text\": ...}})");
    }
}
