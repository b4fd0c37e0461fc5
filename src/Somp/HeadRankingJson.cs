using System.Text;
using System.Text.Json;
using HeadPursuit.Runtime;
using HeadPursuit.Runtime.Input;

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

    /// <summary>A ranking file; every type and range is checked as it is read, and an error names the file and field.</summary>
    public static HeadRanking Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: ranking file not found", path);
        using var document = JsonFile.Parse(path);
        var r = document.RootElement;
        if (r.ValueKind != JsonValueKind.Object) throw new ModelFormatException($"{path}: not a JSON object (is this a file written by headpursuit rank?)");
        if (JsonValues.Field(r, "ranking", path) is not { ValueKind: JsonValueKind.Array } list)
            throw new ModelFormatException($"{path}: missing \"ranking\" array (is this a file written by headpursuit rank?)");
        var scores = JsonValues.List(list, $"{path}: ranking", (e, where) =>
        {
            string head = JsonValues.String(JsonValues.Required(e, "head", where), $"{where}.head");
            double score = JsonValues.Double(JsonValues.Required(e, "score", where), $"{where}.score");
            double[] evr = JsonValues.Field(e, "evr", where) is { } c ? JsonValues.List(c, $"{where}.evr", JsonValues.Double) : [];
            int[] selected = JsonValues.Field(e, "selected_token_ids", where) is { } t ? TokenIds(t, $"{where}.selected_token_ids") : [];
            try { return new HeadScore(HeadId.Parse(head), score, evr, selected); }
            catch (FormatException ex) { throw new ModelFormatException($"{where}.head: {ex.Message}"); }
        });
        var o = JsonValues.Required(r, "options", path);
        bool Option(string name) => JsonValues.Bool(JsonValues.Field(o, name, $"{path}: options") ?? throw new ModelFormatException($"{path}: options.{name} must be true or false"), $"{path}: options.{name}");
        var options = new SompOptions(Option("center"), Option("normalize"), Option("fold_final_norm"));
        int Count(string name, int min) => JsonValues.Int(JsonValues.Required(r, name, path), $"{path}: {name}", min);
        return new HeadRanking(String(r, "concept", path), String(r, "method", path), options, Count("iterations", 0),
                               Count("layers", 1), Count("heads", 1), Count("samples", 0), TokenIds(JsonValues.Required(r, "token_ids", path), $"{path}: token_ids"), scores)
        {
            HeadOutput = JsonValues.Field(r, "head_output", path) is { ValueKind: JsonValueKind.String } h ? JsonValues.String(h, $"{path}: head_output") : null,
        };
    }

    static string String(JsonElement e, string name, string where) => JsonValues.String(JsonValues.Required(e, name, where), $"{where}: {name}");

    static int[] TokenIds(JsonElement list, string where) => JsonValues.List(list, where, (x, w) => JsonValues.Int(x, w, 0));
}
