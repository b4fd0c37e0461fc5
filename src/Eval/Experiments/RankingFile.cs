using System.Text.Json;
using HeadPursuit.Eval.Data;
using HeadPursuit.Somp;

namespace HeadPursuit.Eval.Experiments;

/// <summary>Reads a ranking JSON written by `headpursuit rank` back into a <see cref="HeadRanking"/>.</summary>
public static class RankingFile
{
    public static HeadRanking Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: ranking file not found", path);
        using var doc = Json.Parse(File.ReadAllText(path), path);
        var r = doc.RootElement;
        int Int(string name) => r.TryGetProperty(name, out var v) && v.TryGetInt32(out int x) ? x : throw new ArgumentException($"{path}: missing integer \"{name}\"");
        if (!r.TryGetProperty("ranking", out var list) || list.ValueKind != JsonValueKind.Array)
            throw new ArgumentException($"{path}: missing \"ranking\" array (is this a file written by headpursuit rank?)");
        var scores = list.EnumerateArray().Select((e, i) =>
        {
            string head = Json.String(e, "head", $"{path}: ranking[{i}]");
            if (!e.TryGetProperty("score", out var s) || s.ValueKind != JsonValueKind.Number) throw new ArgumentException($"{path}: ranking[{i}] has no numeric \"score\"");
            try { return new HeadScore(HeadId.Parse(head), s.GetDouble(), [], []); }
            catch (FormatException ex) { throw new ArgumentException($"{path}: ranking[{i}]: {ex.Message}"); }
        }).ToArray();
        bool Option(string name) => r.TryGetProperty("options", out var o) && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
        var options = new SompOptions(Option("center"), Option("normalize"), Option("fold_final_norm"));
        return new HeadRanking(Json.String(r, "concept", path), Json.String(r, "method", path), options, Int("iterations"),
                               Int("layers"), Int("heads"), Int("samples"), [], scores);
    }
}
