using System.Text.Json;
using HeadPursuit.Eval.Data;
using HeadPursuit.Somp;

namespace HeadPursuit.Eval.Experiments;

/// <summary>
/// Reads a ranking JSON written by `headpursuit rank` back into a <see cref="HeadRanking"/>: everything it holds (the
/// concept's token ids, each head's score and, for SOMP, its EVR curve and selected tokens), so writing it again gives
/// the same file.
/// </summary>
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
            string where = $"{path}: ranking[{i}]";
            string head = Json.String(e, "head", where);
            if (!e.TryGetProperty("score", out var s) || s.ValueKind != JsonValueKind.Number) throw new ArgumentException($"{where} has no numeric \"score\"");
            double[] evr = e.TryGetProperty("evr", out _) ? Numbers(e, "evr", where, x => x.GetDouble()) : [];
            int[] selected = e.TryGetProperty("selected_token_ids", out _) ? Numbers(e, "selected_token_ids", where, x => x.GetInt32()) : [];
            try { return new HeadScore(HeadId.Parse(head), s.GetDouble(), evr, selected); }
            catch (FormatException ex) { throw new ArgumentException($"{where}: {ex.Message}"); }
        }).ToArray();
        bool Option(string name) => r.TryGetProperty("options", out var o) && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
        var options = new SompOptions(Option("center"), Option("normalize"), Option("fold_final_norm"));
        return new HeadRanking(Json.String(r, "concept", path), Json.String(r, "method", path), options, Int("iterations"),
                               Int("layers"), Int("heads"), Int("samples"), Numbers(r, "token_ids", path, x => x.GetInt32()), scores)
        {
            HeadOutput = r.TryGetProperty("head_output", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null,
        };
    }

    /// <summary>The array <paramref name="name"/> of <paramref name="e"/>, every element a number.</summary>
    static T[] Numbers<T>(JsonElement e, string name, string where, Func<JsonElement, T> read)
    {
        if (!e.TryGetProperty(name, out var a) || a.ValueKind != JsonValueKind.Array)
            throw new ArgumentException($"{where}: missing array \"{name}\"");
        return [.. a.EnumerateArray().Select((x, i) => x.ValueKind == JsonValueKind.Number ? read(x)
                                                          : throw new ArgumentException($"{where}: {name}[{i}] is not a number"))];
    }
}
