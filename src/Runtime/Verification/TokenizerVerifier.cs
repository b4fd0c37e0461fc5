using System.Text.Json;
using HeadPursuit.Runtime.Tokenizers;

namespace HeadPursuit.Runtime.Verification;

/// <summary>
/// Checks a folder's tokenizer.json against its tokenizer cases: tokenizer_cases.json (stories260K style) or a
/// cases.json whose cases carry "text" (gpt2-tokenizer style). Per case, when present: ids (no special tokens),
/// ids_with_bos (special tokens added), ids_no_special_split (special-token text treated as ordinary text),
/// tokens, and decoded text; all exact.
/// </summary>
public static class TokenizerVerifier
{
    /// <summary>The tokenizer cases file of a folder, or null when it has none.</summary>
    public static string? CasesFile(string folder)
    {
        string cases = Path.Combine(folder, "tokenizer_cases.json");
        if (File.Exists(cases)) return cases;
        string generic = Path.Combine(folder, "cases.json");
        if (!File.Exists(generic) || !File.Exists(Path.Combine(folder, "tokenizer.json"))) return null;
        using var doc = JsonDocument.Parse(File.ReadAllText(generic));
        bool textCases = doc.RootElement.TryGetProperty("cases", out var list) && list.ValueKind == JsonValueKind.Array
                         && list.EnumerateArray().Any(c => c.TryGetProperty("text", out _) && c.TryGetProperty("ids", out _));
        return textCases ? generic : null;
    }

    public static IEnumerable<Comparison> Run(string folder)
    {
        string casesFile = CasesFile(folder) ?? throw new ModelFormatException($"{folder}: no tokenizer cases (tokenizer_cases.json)");
        var tok = Tokenizer.FromFolder(folder);
        using var doc = JsonDocument.Parse(File.ReadAllText(casesFile));
        int i = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            string name = $"tok{i++}";
            string text = c.GetProperty("text").GetString()!;
            if (c.TryGetProperty("ids", out var ids))
                yield return Comparison.Exact(name, "ids", tok.Encode(text), Ints(ids));
            if (c.TryGetProperty("ids_with_bos", out var bos))
                yield return Comparison.Exact(name, "ids+special", tok.Encode(text, addSpecialTokens: true), Ints(bos));
            if (c.TryGetProperty("ids_no_special_split", out var raw))
                yield return Comparison.Exact(name, "ids_raw", tok.Encode(text, recognizeSpecialTokens: false), Ints(raw));
            if (c.TryGetProperty("tokens", out var tokens))
                yield return Comparison.Exact(name, "tokens", tok.Tokenize(text), tokens.EnumerateArray().Select(t => t.GetString()!).ToArray());
            if (c.TryGetProperty("decoded", out var decoded) && c.TryGetProperty("ids", out var decodeIds))
                yield return Comparison.Exact(name, "decoded", [tok.Decode(Ints(decodeIds))], [decoded.GetString()!]);
        }
    }

    static int[] Ints(JsonElement a) => a.EnumerateArray().Select(x => x.GetInt32()).ToArray();
}
