using System.Text.Json;
using HeadPursuit.Runtime.Input;

namespace HeadPursuit.Eval.Data;

/// <summary>
/// Reads a prompt set: plain text (one prompt per non-empty line) or JSON lines with a "prompt" or "text" string field,
/// or a RealToxicityPrompts-style object {"prompt": {"text": ...}}. Invalid UTF-8 is an error naming the line unless
/// <see cref="EncodingErrors.Replace"/> (the CLI's --encoding-errors replace) asks for U+FFFD in its place.
/// </summary>
internal static class PromptLines
{
    public static string[] Read(string path, EncodingErrors encodingErrors = EncodingErrors.Strict)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: prompt file not found", path);
        var lines = TextFile.ReadUserLines(path, encodingErrors);
        string[] prompts = path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)
            ? [.. lines.Select(l => FromJson(l.Text, $"{path}:{l.Line}"))]
            : [.. lines.Select(l => l.Text)];
        if (prompts.Length == 0) throw new ArgumentException($"{path}: the prompt file is empty");
        return prompts;
    }

    static string FromJson(string line, string where)
    {
        using var doc = Json.Parse(line, where);
        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.Object)
            foreach (var name in new[] { "prompt", "text" })
                if (JsonValues.Field(root, name, where) is { } v)
                {
                    if (v.ValueKind == JsonValueKind.String) return JsonValues.String(v, $"{where}: \"{name}\"");
                    if (v.ValueKind == JsonValueKind.Object) return Json.String(v, "text", $"{where}: \"{name}\"");
                }
        throw new ArgumentException($"{where}: no \"prompt\" or \"text\" string field (nor \"prompt\": {{\"text\": ...}})");
    }
}
