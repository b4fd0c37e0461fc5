using System.Text.Json;

namespace HeadPursuit.Cli;

/// <summary>Reads prompts: a .jsonl file (one object per line with a "prompt" or "text" field) or plain text (one prompt per non-empty line).</summary>
static class PromptFile
{
    public static string[] Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: prompt file not found");
        var lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToArray();
        string[] prompts = path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)
            ? lines.Select((l, i) => Field(l, path, i + 1)).ToArray()
            : lines;
        if (prompts.Length == 0) throw new ArgumentException($"{path}: the prompt file is empty");
        return prompts;
    }

    static string Field(string line, string path, int lineNo)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            foreach (var name in new[] { "prompt", "text" })
                if (doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String) return v.GetString()!;
        }
        catch (JsonException e) { throw new ArgumentException($"{path}:{lineNo}: not valid JSON ({e.Message})"); }
        throw new ArgumentException($"{path}:{lineNo}: no \"prompt\" or \"text\" string field");
    }
}
