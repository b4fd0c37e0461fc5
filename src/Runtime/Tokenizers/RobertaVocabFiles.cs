using System.Text.Json;
using HeadPursuit.Runtime.Input;

namespace HeadPursuit.Runtime.Tokenizers;

/// <summary>
/// A RoBERTa tokenizer stored in the older two-file format (vocab.json + merges.txt, as some hub repositories ship it
/// without a tokenizer.json), read as transformers' RobertaTokenizer reads it and turned into the fast tokenizer that
/// its converter (convert_slow_tokenizer.RobertaConverter) builds:
/// <list type="bullet">
/// <item>vocab.json: {token: id}; merges.txt: its first line (the "#version" header) and its last line (empty after the
/// final line break) are dropped, as the slow tokenizer does, and each other line is a merge "left right";</item>
/// <item>BPE without continuing-subword prefix or end-of-word suffix; pre-tokenizer and decoder ByteLevel with
/// add_prefix_space from tokenizer_config.json (default false); post-processor RobertaProcessing (cls + text + sep);</item>
/// <item>the special tokens bos, eos, sep, cls, unk, pad, mask (defaults &lt;s&gt;, &lt;/s&gt;, &lt;/s&gt;, &lt;s&gt;, &lt;unk&gt;,
/// &lt;pad&gt;, &lt;mask&gt;; tokenizer_config.json, then special_tokens_map.json, may rename them) are added tokens, the mask
/// with lstrip (it takes the whitespace before it); each must be in vocab.json.</item>
/// </list>
/// tokenizer_config.json's tokenizer_class, when given, must be RobertaTokenizer or RobertaTokenizerFast.
/// </summary>
internal static class RobertaVocabFiles
{
    public const string VocabFile = "vocab.json", MergesFile = "merges.txt";

    static readonly (string Field, string Default)[] SpecialTokens =
        [("bos_token", "<s>"), ("eos_token", "</s>"), ("sep_token", "</s>"), ("cls_token", "<s>"), ("unk_token", "<unk>"), ("pad_token", "<pad>"), ("mask_token", "<mask>")];

    public static bool In(string folder) => File.Exists(Path.Combine(folder, VocabFile)) && File.Exists(Path.Combine(folder, MergesFile));

    /// <param name="config">tokenizer_config.json, or null.</param>
    public static TokenizerJsonReader.Parts Read(string folder, string? config)
    {
        string vocabPath = Path.Combine(folder, VocabFile), mergesPath = Path.Combine(folder, MergesFile);
        var settings = Settings(config, Path.Combine(folder, "special_tokens_map.json"));
        var vocab = Vocab(vocabPath);
        var model = new BpeModel(vocab, Merges(mergesPath), unkToken: null, fuseUnk: false, byteFallback: false, ignoreMerges: false, $"{vocabPath} + {mergesPath}");

        int Id(string field) => vocab.TryGetValue(settings.Tokens[field], out int id) ? id
            : throw new ModelFormatException($"{vocabPath}: the {field} '{settings.Tokens[field]}' is not in the vocabulary");
        var added = SpecialTokens.Select(s => new AddedToken(Id(s.Field), settings.Tokens[s.Field], Special: true,
                                                             LStrip: s.Field == "mask_token", RStrip: false, SingleWord: false, Normalized: false))
                                 .DistinctBy(t => t.Id).ToList();
        return new TokenizerJsonReader.Parts(model, added, Normalizer: null, new ByteLevelPreTokenizer(settings.AddPrefixSpace, useRegex: true),
                                             new SpecialTokenTemplate([Id("cls_token")], [Id("sep_token")]), new ByteLevelDecoder());
    }

    sealed record TokenSettings(Dictionary<string, string> Tokens, bool AddPrefixSpace);

    /// <summary>The special tokens' texts and add_prefix_space: the defaults, then tokenizer_config.json, then special_tokens_map.json.</summary>
    static TokenSettings Settings(string? config, string specialTokensMap)
    {
        var tokens = SpecialTokens.ToDictionary(s => s.Field, s => s.Default);
        bool addPrefixSpace = false;
        foreach (string? path in new[] { config, File.Exists(specialTokensMap) ? specialTokensMap : null })
        {
            if (path == null) continue;
            using var doc = JsonFields.Parse(path);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ModelFormatException($"{path}: the top level must be a JSON object");
            if (path == config)
            {
                if (JsonFields.OptionalString(root, "tokenizer_class", path) is { } cls && cls is not ("RobertaTokenizer" or "RobertaTokenizerFast"))
                    throw new ModelFormatException($"{path}: tokenizer_class '{cls}' with {VocabFile} + {MergesFile} is not supported (RobertaTokenizer is; other tokenizers need a tokenizer.json)");
                addPrefixSpace = JsonFields.Bool(root, "add_prefix_space", false, path);
            }
            foreach (var (field, _) in SpecialTokens)
                if (JsonFields.Optional(root, field) is { } v)
                    tokens[field] = v.ValueKind == JsonValueKind.Object ? JsonFields.String(v, "content", $"{path}: {field}")
                        : v.ValueKind == JsonValueKind.String ? JsonValues.String(v, $"{path}: field '{field}'")
                        : throw new ModelFormatException($"{path}: field '{field}' must be a string or an object with 'content'");
        }
        return new TokenSettings(tokens, addPrefixSpace);
    }

    static Dictionary<string, int> Vocab(string path)
    {
        using var doc = JsonFields.Parse(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new ModelFormatException($"{path}: must be a JSON object token -> id");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in doc.RootElement.EnumerateObject()) vocab[p.Name] = JsonFields.NonNegativeInt(p.Value, $"{path}: '{p.Name}'");
        return vocab;
    }

    static List<(string, string)> Merges(string path)
    {
        string[] lines = TextFile.Read(path).Split('\n');
        var merges = new List<(string, string)>(Math.Max(0, lines.Length - 2));
        for (int i = 1; i < lines.Length - 1; i++)
        {
            var parts = lines[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2) throw new ModelFormatException($"{path}:{i + 1}: '{lines[i]}' is not a merge 'left right'");
            merges.Add((parts[0], parts[1]));
        }
        return merges;
    }
}
