using System.Text.Json;

namespace HeadPursuit.Eval.Experiments;

/// <summary>
/// The resumable results file (STEM.cells.jsonl): a header line with the experiment's fingerprint, then one finished
/// cell per line, appended and flushed as each cell ends. A rerun reads the finished cells back and skips them; a file
/// written for another experiment file is refused rather than mixed in.
/// </summary>
internal sealed class ResultsStore
{
    static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    readonly string _path;
    readonly Dictionary<string, CellResult> _done = new();

    public IReadOnlyDictionary<string, CellResult> Done => _done;
    public string Path => _path;

    public ResultsStore(string path, string fingerprint)
    {
        _path = path;
        if (File.Exists(path))
        {
            var lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToArray();
            string? found = lines.Length == 0 ? null : Header(lines[0], path);
            if (found != fingerprint)
                throw new ArgumentException($"{path} holds results of another experiment file (fingerprint {found ?? "missing"}, now {fingerprint}): delete it to start over");
            for (int i = 1; i < lines.Length; i++)
            {
                CellResult? cell;
                try { cell = JsonSerializer.Deserialize<CellResult>(lines[i], Options); }
                catch (JsonException e) { throw new ArgumentException($"{path}:{i + 1}: damaged cell ({e.Message}); delete the line or the file"); }
                if (cell != null) _done[cell.Key] = cell;
            }
        }
        else
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            File.WriteAllText(path, JsonSerializer.Serialize(new { experiment_sha256 = fingerprint }) + "\n");
        }
    }

    public void Add(CellResult cell)
    {
        using (var w = File.AppendText(_path)) w.WriteLine(JsonSerializer.Serialize(cell, Options));
        _done[cell.Key] = cell;
    }

    static string? Header(string line, string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.TryGetProperty("experiment_sha256", out var v) ? v.GetString() : null;
        }
        catch (JsonException) { throw new ArgumentException($"{path}: the first line is not a results header"); }
    }
}
