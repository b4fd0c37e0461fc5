using HeadPursuit.Runtime.Input;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using HeadPursuit.Runtime.Files;

namespace HeadPursuit.Eval.Experiments;

/// <summary>
/// The resumable results file (STEM.cells.jsonl): a header line with the experiment's fingerprint, then one finished
/// cell per line. The whole file is rewritten (<see cref="AtomicFile"/>) as each cell ends, so an interrupted run leaves
/// the cells finished so far and never half a line. A rerun reads the finished cells back and skips them, once each has
/// been checked against the experiment: a file written for another experiment file is refused rather than mixed in,
/// and a damaged one (a field missing or of the wrong type, a cell not in the grid or twice, fewer or more generations
/// than prompts, a requested metric missing) is refused naming the line, the cell and the field.
/// </summary>
internal sealed class ResultsStore
{
    static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        RespectRequiredConstructorParameters = true,   // a missing field is an error, not a default
        RespectNullableAnnotations = true,             // so is a null where the record holds no null
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    readonly string _path;
    readonly string _header;
    readonly Dictionary<string, CellResult> _done = new();
    readonly List<string> _lines = [];

    public IReadOnlyDictionary<string, CellResult> Done => _done;
    public string Path => _path;

    /// <param name="cells">The experiment's grid: a stored cell must be one of them, with the same heads and alpha.</param>
    /// <param name="prompts">The experiment's prompt count: every cell holds one generation per prompt.</param>
    /// <param name="metrics">The requested metrics: every cell holds a value for each (under its name or NAME_part).</param>
    public ResultsStore(string path, string fingerprint, IReadOnlyList<CellPlan> cells, int prompts, IReadOnlyList<string> metrics)
    {
        _path = path;
        _header = JsonSerializer.Serialize(new { experiment_sha256 = fingerprint });
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            return;
        }
        var lines = TextFile.ReadLines(path);
        string? found = lines.Length == 0 ? null : Header(lines[0], path);
        if (found != fingerprint)
            throw new ArgumentException($"{path} holds results of another experiment file (fingerprint {found ?? "missing"}, now {fingerprint}): delete it to start over");
        var plan = cells.ToDictionary(c => c.Key);
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            string where = $"{path}:{i + 1}";
            var cell = Parse(lines[i], where);
            where += $": cell '{cell.Key}'";
            if (!plan.TryGetValue(cell.Key, out var planned)) throw Damaged(where, "is not a cell of this experiment's grid");
            if (_done.ContainsKey(cell.Key)) throw Damaged(where, "appears twice");
            Check(cell, planned, prompts, metrics, where);
            _done[cell.Key] = cell;
            _lines.Add(lines[i]);
        }
    }

    /// <summary>Stores a finished cell: the file is rewritten whole, header, the cells before and this one.</summary>
    public void Add(CellResult cell)
    {
        _lines.Add(JsonSerializer.Serialize(cell, Options));
        var text = new StringBuilder(_header).Append('\n');
        foreach (string line in _lines) text.Append(line).Append('\n');
        AtomicFile.WriteText(_path, text.ToString());
        _done[cell.Key] = cell;
    }

    static CellResult Parse(string line, string where)
    {
        try
        {
            return JsonSerializer.Deserialize<CellResult>(line, Options) ?? throw Damaged(where, "holds null, not a cell");
        }
        catch (JsonException e)
        {
            string field = e.Path is { Length: > 2 } p ? $" (field {p[2..]})" : "";
            throw Damaged(where, $"is not a finished cell{field}: {e.Message}");
        }
    }

    /// <summary>The stored cell is the planned one, with a generation per prompt and every requested metric.</summary>
    static void Check(CellResult cell, CellPlan planned, int prompts, IReadOnlyList<string> metrics, string where)
    {
        if (cell.Selection != planned.Selection || cell.K != planned.K || cell.Draw != planned.Draw || cell.Alpha != planned.Alpha)
            throw Damaged(where, "\"selection\", \"k\", \"draw\" or \"alpha\" differs from the cell's key");
        if (!cell.Heads.SequenceEqual(planned.Heads.Select(h => h.ToString())))
            throw Damaged(where, $"\"heads\" [{string.Join(", ", cell.Heads)}] are not the grid's [{string.Join(", ", planned.Heads)}]");
        if (cell.Generations.Length != prompts)
            throw Damaged(where, $"\"generations\" holds {cell.Generations.Length} texts, the experiment has {prompts} prompts");
        foreach (string m in metrics)
            if (!cell.Metrics.Keys.Any(k => k == m || k.StartsWith(m + "_", StringComparison.Ordinal)))
                throw Damaged(where, $"\"metrics\" has no value for \"{m}\"");
    }

    static ArgumentException Damaged(string where, string what) =>
        new($"{where} {what}; the results file is damaged: delete that line (the cell is run again) or the file");

    static string? Header(string line, string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("experiment_sha256", out var v)
                   && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        }
        catch (JsonException) { throw new ArgumentException($"{path}: the first line is not a results header; the results file is damaged: delete it to start over"); }
    }
}
