using System.Text.Json;
using HeadPursuit.Runtime.Input;

namespace HeadPursuit.Runtime.Tokenizers;

/// <summary>
/// Reads a Hugging Face tokenizer.json into its parts. Supported: model BPE (merges as "a b" strings
/// or ["a", "b"] pairs); normalizers Prepend, Replace, NFC, Sequence; pre-tokenizers ByteLevel, Split,
/// Metaspace, Sequence; post-processors TemplateProcessing, RobertaProcessing, ByteLevel, Sequence; decoders ByteLevel,
/// Metaspace, Replace, ByteFallback, Fuse, Strip, Sequence. Anything else is refused with a message
/// naming the component, never silently ignored.
/// </summary>
internal static class TokenizerJsonReader
{
    public sealed record Parts(
        BpeModel Model, IReadOnlyList<AddedToken> AddedTokens, Normalizer? Normalizer, PreTokenizer? PreTokenizer,
        SpecialTokenTemplate PostProcessor, Decoder? Decoder);

    public static Parts Read(string path)
    {
        using var doc = JsonFields.Parse(path);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new ModelFormatException($"{path}: the top level must be a JSON object");

        var added = new List<AddedToken>();
        if (JsonFields.Optional(root, "added_tokens") is { } list)
            foreach (var t in JsonValues.Array(list, $"{path}: added_tokens").EnumerateArray())
                added.Add(ReadAddedToken(t, JsonFields.NonNegativeInt(JsonFields.Required(t, "id", $"{path}: added_tokens"), $"{path}: added_tokens id"), $"{path}: added_tokens"));

        return new Parts(
            ReadModel(JsonFields.Required(root, "model", path), $"{path}: model"), added,
            JsonFields.Optional(root, "normalizer") is { } n ? ReadNormalizer(n, $"{path}: normalizer") : null,
            JsonFields.Optional(root, "pre_tokenizer") is { } p ? ReadPreTokenizer(p, $"{path}: pre_tokenizer") : null,
            JsonFields.Optional(root, "post_processor") is { } pp ? ReadPostProcessor(pp, $"{path}: post_processor") : SpecialTokenTemplate.None,
            JsonFields.Optional(root, "decoder") is { } d ? ReadDecoder(d, $"{path}: decoder") : null);
    }

    public static AddedToken ReadAddedToken(JsonElement t, int id, string where) => new(
        id, JsonFields.String(t, "content", where),
        Special: JsonFields.Bool(t, "special", false, where),
        LStrip: JsonFields.Bool(t, "lstrip", false, where),
        RStrip: JsonFields.Bool(t, "rstrip", false, where),
        SingleWord: JsonFields.Bool(t, "single_word", false, where),
        Normalized: JsonFields.Bool(t, "normalized", true, where));

    static BpeModel ReadModel(JsonElement m, string where)
    {
        string type = JsonFields.OptionalString(m, "type", where) ?? "BPE";
        if (type != "BPE") throw new ModelFormatException($"{where}: model type '{type}' is not supported (only BPE)");
        foreach (var affix in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
            if (JsonFields.OptionalString(m, affix, where) is { Length: > 0 } s)
                throw new ModelFormatException($"{where}: {affix} '{s}' is not supported");

        var vocabJson = JsonFields.Required(m, "vocab", where);
        if (vocabJson.ValueKind != JsonValueKind.Object) throw new ModelFormatException($"{where}: 'vocab' must be an object token -> id");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in vocabJson.EnumerateObject()) vocab[p.Name] = JsonFields.NonNegativeInt(p.Value, $"{where}: vocab '{p.Name}'");

        var merges = new List<(string, string)>();
        if (JsonFields.Optional(m, "merges") is { } mergesJson)
            foreach (var e in JsonValues.Array(mergesJson, $"{where}: merges").EnumerateArray()) merges.Add(ReadMerge(e, merges.Count, where));

        return new BpeModel(vocab, merges,
            JsonFields.OptionalString(m, "unk_token", where),
            JsonFields.Bool(m, "fuse_unk", false, where),
            JsonFields.Bool(m, "byte_fallback", false, where),
            JsonFields.Bool(m, "ignore_merges", false, where), where);
    }

    /// <summary>A merge is "left right" (split at the first space; tokens never contain a space) or ["left", "right"].</summary>
    static (string, string) ReadMerge(JsonElement e, int rank, string where)
    {
        if (e.ValueKind == JsonValueKind.String)
        {
            string s = JsonValues.String(e, $"{where}: merge #{rank}");
            int space = s.IndexOf(' ');
            if (space <= 0 || space == s.Length - 1 || s.IndexOf(' ', space + 1) >= 0)
                throw new ModelFormatException($"{where}: merge #{rank} '{s}' is not of the form 'left right'");
            return (s[..space], s[(space + 1)..]);
        }
        if (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() == 2
            && e[0].ValueKind == JsonValueKind.String && e[1].ValueKind == JsonValueKind.String)
            return (JsonValues.String(e[0], $"{where}: merge #{rank}"), JsonValues.String(e[1], $"{where}: merge #{rank}"));
        throw new ModelFormatException($"{where}: merge #{rank} must be \"left right\" or [\"left\", \"right\"], got {e.GetRawText()}");
    }

    static string TypeOf(JsonElement e, string where) => JsonFields.String(e, "type", where);

    /// <summary>A Replace/Split "pattern": {"String": literal} or {"Regex": pattern}.</summary>
    static (string? Literal, CodePointRegex? Regex) ReadPattern(JsonElement e, string where)
    {
        var p = JsonFields.Required(e, "pattern", where);
        if (JsonFields.OptionalString(p, "String", where) is { } literal) return (literal, null);
        if (JsonFields.OptionalString(p, "Regex", where) is { } regex) return (null, new CodePointRegex(regex, where));
        throw new ModelFormatException($"{where}: 'pattern' must be {{\"String\": ...}} or {{\"Regex\": ...}}");
    }

    static Normalizer ReadNormalizer(JsonElement e, string where)
    {
        string type = TypeOf(e, where);
        switch (type)
        {
            case "Prepend": return new PrependNormalizer(JsonFields.String(e, "prepend", where));
            case "Replace":
            {
                var (literal, regex) = ReadPattern(e, where);
                string content = JsonFields.String(e, "content", where);
                return literal != null ? ReplaceNormalizer.Literal(literal, content) : ReplaceNormalizer.Regex(regex!, content);
            }
            case "NFC": return new NfcNormalizer();
            case "Sequence":
                return new SequenceNormalizer([.. JsonFields.Array(e, "normalizers", where).Select((x, i) => ReadNormalizer(x, $"{where}.normalizers[{i}]"))]);
            default: throw new ModelFormatException($"{where}: normalizer type '{type}' is not supported");
        }
    }

    static PreTokenizer ReadPreTokenizer(JsonElement e, string where)
    {
        string type = TypeOf(e, where);
        switch (type)
        {
            case "ByteLevel":
                return new ByteLevelPreTokenizer(JsonFields.Bool(e, "add_prefix_space", true, where), JsonFields.Bool(e, "use_regex", true, where));
            case "Split":
            {
                var (literal, regex) = ReadPattern(e, where);
                regex ??= new CodePointRegex(System.Text.RegularExpressions.Regex.Escape(literal!), where);
                string behavior = JsonFields.String(e, "behavior", where);
                if (!Enum.TryParse<SplitBehavior>(behavior, out var b) || !Enum.IsDefined(b))
                    throw new ModelFormatException($"{where}: Split behavior '{behavior}' is not one of {string.Join(", ", Enum.GetNames<SplitBehavior>())}");
                return new SplitPreTokenizer(regex, b, JsonFields.Bool(e, "invert", false, where));
            }
            case "Metaspace":
                return new MetaspacePreTokenizer(Replacement(e, where), ReadPrependScheme(e, where), JsonFields.Bool(e, "split", true, where));
            case "Sequence":
                return new SequencePreTokenizer([.. JsonFields.Array(e, "pretokenizers", where).Select((x, i) => ReadPreTokenizer(x, $"{where}.pretokenizers[{i}]"))]);
            default: throw new ModelFormatException($"{where}: pre-tokenizer type '{type}' is not supported");
        }
    }

    static char Replacement(JsonElement e, string where)
    {
        string r = JsonFields.Optional(e, "replacement") is null ? "\u2581" : JsonFields.String(e, "replacement", where);
        return r.Length == 1 ? r[0] : throw new ModelFormatException($"{where}: replacement '{r}' must be one UTF-16 character");
    }

    /// <summary>"prepend_scheme" (always/first/never), or the older "add_prefix_space" (true = always).</summary>
    static PrependScheme ReadPrependScheme(JsonElement e, string where)
    {
        string? scheme = JsonFields.OptionalString(e, "prepend_scheme", where);
        return scheme switch
        {
            null => JsonFields.Bool(e, "add_prefix_space", true, where) ? PrependScheme.Always : PrependScheme.Never,
            "always" => PrependScheme.Always,
            "first" => PrependScheme.First,
            "never" => PrependScheme.Never,
            _ => throw new ModelFormatException($"{where}: prepend_scheme '{scheme}' is not one of always, first, never"),
        };
    }

    static SpecialTokenTemplate ReadPostProcessor(JsonElement e, string where)
    {
        string type = TypeOf(e, where);
        switch (type)
        {
            case "ByteLevel": return SpecialTokenTemplate.None;
            case "Sequence":
            {
                var prefix = new List<int>();
                var suffix = new List<int>();
                int i = 0;
                foreach (var x in JsonFields.Array(e, "processors", where))
                {
                    var t = ReadPostProcessor(x, $"{where}.processors[{i++}]");
                    prefix.AddRange(t.Prefix);
                    suffix.InsertRange(0, t.Suffix);
                }
                return new SpecialTokenTemplate([.. prefix], [.. suffix]);
            }
            case "TemplateProcessing": return ReadTemplate(e, where);
            case "RobertaProcessing": return new SpecialTokenTemplate([SpecialTokenId(e, "cls", where)], [SpecialTokenId(e, "sep", where)]);
            default: throw new ModelFormatException($"{where}: post-processor type '{type}' is not supported");
        }
    }

    /// <summary>RobertaProcessing's "cls" / "sep": a [token, id] pair (one text becomes cls + text + sep).</summary>
    static int SpecialTokenId(JsonElement e, string name, string where)
    {
        var pair = JsonFields.Required(e, name, where);
        if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2 || pair[0].ValueKind != JsonValueKind.String)
            throw new ModelFormatException($"{where}: field '{name}' must be a [token, id] pair, got {pair.GetRawText()}");
        return JsonFields.NonNegativeInt(pair[1], $"{where}: {name}");
    }

    /// <summary>The "single" template: special tokens before the "A" sequence go to Prefix, after it to Suffix.</summary>
    static SpecialTokenTemplate ReadTemplate(JsonElement e, string where)
    {
        var specials = JsonFields.Required(e, "special_tokens", where);
        var prefix = new List<int>();
        var suffix = new List<int>();
        bool seenSequence = false;
        foreach (var item in JsonFields.Array(e, "single", where))
        {
            if (JsonFields.Optional(item, "Sequence") is not null) { seenSequence = true; continue; }
            var special = JsonFields.Optional(item, "SpecialToken") ?? throw new ModelFormatException($"{where}: template item {item.GetRawText()} is neither SpecialToken nor Sequence");
            string name = JsonFields.String(special, "id", $"{where}: SpecialToken");
            var entry = JsonFields.Optional(specials, name) ?? throw new ModelFormatException($"{where}: special token '{name}' is used by the template but missing from special_tokens");
            var ids = JsonFields.Array(entry, "ids", $"{where}: special_tokens '{name}'").Select(x => JsonFields.NonNegativeInt(x, $"{where}: special_tokens '{name}'"));
            (seenSequence ? suffix : prefix).AddRange(ids);
        }
        return new SpecialTokenTemplate([.. prefix], [.. suffix]);
    }

    static Decoder ReadDecoder(JsonElement e, string where)
    {
        string type = TypeOf(e, where);
        switch (type)
        {
            case "ByteLevel": return new ByteLevelDecoder();
            case "Metaspace": return new MetaspaceDecoder(Replacement(e, where), ReadPrependScheme(e, where));
            case "Replace":
            {
                var (literal, regex) = ReadPattern(e, where);
                return new ReplaceDecoder(literal, regex, JsonFields.String(e, "content", where));
            }
            case "ByteFallback": return new ByteFallbackDecoder();
            case "Fuse": return new FuseDecoder();
            case "Strip":
            {
                string content = JsonFields.String(e, "content", where);
                if (content.Length != 1) throw new ModelFormatException($"{where}: Strip content '{content}' must be one character");
                return new StripDecoder(content[0], JsonFields.Int(e, "start", 0, where), JsonFields.Int(e, "stop", 0, where));
            }
            case "Sequence":
                return new SequenceDecoder([.. JsonFields.Array(e, "decoders", where).Select((x, i) => ReadDecoder(x, $"{where}.decoders[{i}]"))]);
            default: throw new ModelFormatException($"{where}: decoder type '{type}' is not supported");
        }
    }
}
