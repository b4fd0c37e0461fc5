using System.Text;
using System.Text.Json;

namespace HeadPursuit.Somp;

/// <summary>
/// The ranking JSON that `rank` writes and everything else reads (experiments, steer, overlap): its writer and its
/// reader, so that reading a written file gives back everything it holds (the concept's token ids, each head's score
/// and, for SOMP, its EVR curve and selected tokens) and writing it again gives the same file. Every field is required
/// on reading except head_output (older files lack it) and the per-head EVR curve and selections (the logit lens has none).
/// </summary>
public static class HeadRankingJson
{
    /// <summary>The ranking as JSON (the format <see cref="Read"/> reads back).</summary>
    public static string Write(HeadRanking r)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("concept", r.Concept);
            w.WriteString("method", r.Method);
            w.WriteStartObject("options");
            w.WriteBoolean("center", r.Options.Center);
            w.WriteBoolean("normalize", r.Options.Normalize);
            w.WriteBoolean("fold_final_norm", r.Options.FoldFinalNorm);
            w.WriteEndObject();
            w.WriteNumber("iterations", r.Iterations);
            w.WriteNumber("layers", r.Layers);
            w.WriteNumber("heads", r.Heads);
            w.WriteNumber("samples", r.Samples);
            if (r.HeadOutput != null) w.WriteString("head_output", r.HeadOutput);
            WriteArray(w, "token_ids", r.TokenIds);
            w.WriteStartArray("ranking");
            foreach (var e in r.Entries)
            {
                w.WriteStartObject();
                w.WriteString("head", e.Head.ToString());
                w.WriteNumber("layer", e.Head.Layer);
                w.WriteNumber("head_index", e.Head.Head);
                w.WriteNumber("score", e.Score);
                if (e.EvrCurve.Length > 0)
                {
                    w.WriteStartArray("evr");
                    foreach (double x in e.EvrCurve) w.WriteNumberValue(x);
                    w.WriteEndArray();
                    WriteArray(w, "selected_token_ids", e.SelectedTokenIds);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    static void WriteArray(Utf8JsonWriter w, string name, int[] values)
    {
        w.WriteStartArray(name);
        foreach (int x in values) w.WriteNumberValue(x);
        w.WriteEndArray();
    }

    /// <summary>Reads a ranking JSON; a missing or malformed field is an error naming the file and the field.</summary>
    public static HeadRanking Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: ranking file not found", path);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new ArgumentException($"{path}: not valid JSON ({e.Message})"); }
        using var document = doc;
        var r = document.RootElement;
        if (r.ValueKind != JsonValueKind.Object) throw new ArgumentException($"{path}: not a JSON object (is this a file written by headpursuit rank?)");
        if (!r.TryGetProperty("ranking", out var list) || list.ValueKind != JsonValueKind.Array)
            throw new ArgumentException($"{path}: missing \"ranking\" array (is this a file written by headpursuit rank?)");
        var scores = list.EnumerateArray().Select((e, i) =>
        {
            string where = $"{path}: ranking[{i}]";
            string head = String(e, "head", where);
            if (!e.TryGetProperty("score", out var s) || s.ValueKind != JsonValueKind.Number) throw new ArgumentException($"{where} has no numeric \"score\"");
            double[] evr = e.TryGetProperty("evr", out _) ? Numbers(e, "evr", where, x => x.GetDouble()) : [];
            int[] selected = e.TryGetProperty("selected_token_ids", out _) ? Numbers(e, "selected_token_ids", where, x => x.GetInt32()) : [];
            try { return new HeadScore(HeadId.Parse(head), s.GetDouble(), evr, selected); }
            catch (FormatException ex) { throw new ArgumentException($"{where}: {ex.Message}"); }
        }).ToArray();
        if (!r.TryGetProperty("options", out var o) || o.ValueKind != JsonValueKind.Object) throw new ArgumentException($"{path}: missing the \"options\" object");
        bool Option(string name) => o.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? v.GetBoolean() : throw new ArgumentException($"{path}: options.{name} must be true or false");
        var options = new SompOptions(Option("center"), Option("normalize"), Option("fold_final_norm"));
        return new HeadRanking(String(r, "concept", path), String(r, "method", path), options, Int(r, "iterations", path),
                               Int(r, "layers", path), Int(r, "heads", path), Int(r, "samples", path), Numbers(r, "token_ids", path, x => x.GetInt32()), scores)
        {
            HeadOutput = r.TryGetProperty("head_output", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null,
        };
    }

    static string String(JsonElement e, string name, string where) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new ArgumentException($"{where}: missing string field \"{name}\"");

    static int Int(JsonElement e, string name, string where) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int x) ? x : throw new ArgumentException($"{where}: missing integer \"{name}\"");

    /// <summary>The array <paramref name="name"/> of <paramref name="e"/>, every element a number (an integer where ints are read).</summary>
    static T[] Numbers<T>(JsonElement e, string name, string where, Func<JsonElement, T> read)
    {
        if (!e.TryGetProperty(name, out var a) || a.ValueKind != JsonValueKind.Array)
            throw new ArgumentException($"{where}: missing array \"{name}\"");
        return [.. a.EnumerateArray().Select((x, i) => x.ValueKind == JsonValueKind.Number && (typeof(T) != typeof(int) || x.TryGetInt32(out _)) ? read(x)
                                                          : throw new ArgumentException($"{where}: {name}[{i}] is not a number"))];
    }
}
