using System.Text.Json;
using HeadPursuit.Runtime.Tokenizers;

namespace HeadPursuit.Runtime.Verification;

/// <summary>
/// Checks a folder's tokenizer.json against its tokenizer cases: tokenizer_cases.json (stories260K style), or a
/// cases.json whose "cases" (gpt2-tokenizer style) or "tokenizer" (a model fixture's, roberta-cls-tiny style) carry
/// "text". Per case, when present: ids (no special tokens), ids_with_bos or ids_with_special (special tokens added),
/// ids_no_special_split (special-token text treated as ordinary text), tokens, and decoded text (of ids_with_special
/// without the special tokens when the case has those, else of ids); all exact.
/// </summary>
internal static class TokenizerVerifier
{
    /// <summary>The tokenizer cases file of a folder, or null when it has none.</summary>
    public static string? CasesFile(string folder)
    {
        string cases = Path.Combine(folder, "tokenizer_cases.json");
        if (File.Exists(cases)) return cases;
        string generic = Path.Combine(folder, "cases.json");
        if (!File.Exists(generic) || !File.Exists(Path.Combine(folder, "tokenizer.json"))) return null;
        using var doc = Input.JsonFile.Parse(generic);
        return TextCases(doc.RootElement) != null ? generic : null;
    }

    static readonly string[] CaseLists = ["cases", "tokenizer"];

    /// <summary>The first list of cases with "text" and "ids", or null.</summary>
    static JsonElement? TextCases(JsonElement root)
    {
        foreach (string key in CaseLists)
            if (root.TryGetProperty(key, out var list) && list.ValueKind == JsonValueKind.Array
                && list.EnumerateArray().Any(c => c.TryGetProperty("text", out _) && c.TryGetProperty("ids", out _)))
                return list;
        return null;
    }

    public static IEnumerable<Comparison> Run(string folder)
    {
        string casesFile = CasesFile(folder) ?? throw new ModelFormatException($"{folder}: no tokenizer cases (tokenizer_cases.json)");
        var tok = Tokenizer.FromFolder(folder);
        using var doc = Input.JsonFile.Parse(casesFile);
        int i = 0;
        foreach (var c in (TextCases(doc.RootElement) ?? doc.RootElement.GetProperty("cases")).EnumerateArray())
        {
            string name = $"tok{i++}";
            string text = c.GetProperty("text").GetString()!;
            if (c.TryGetProperty("ids", out var ids))
                yield return Comparison.Exact(name, "ids", tok.Encode(text), Ints(ids));
            bool withSpecial = c.TryGetProperty("ids_with_special", out var special);
            if (c.TryGetProperty("ids_with_bos", out var bos) || withSpecial)
                yield return Comparison.Exact(name, "ids+special", tok.Encode(text, addSpecialTokens: true), Ints(withSpecial ? special : bos));
            if (c.TryGetProperty("ids_no_special_split", out var raw))
                yield return Comparison.Exact(name, "ids_raw", tok.Encode(text, recognizeSpecialTokens: false), Ints(raw));
            if (c.TryGetProperty("tokens", out var tokens))
                yield return Comparison.Exact(name, "tokens", tok.Tokenize(text), tokens.EnumerateArray().Select(t => t.GetString()!).ToArray());
            if (c.TryGetProperty("decoded", out var decoded) && c.TryGetProperty("ids", out var decodeIds))
                yield return Comparison.Exact(name, "decoded", [withSpecial ? tok.Decode(Ints(special), skipSpecialTokens: true) : tok.Decode(Ints(decodeIds))],
                                              [decoded.GetString()!]);
        }
    }

    static int[] Ints(JsonElement a) => a.EnumerateArray().Select(x => x.GetInt32()).ToArray();
}
