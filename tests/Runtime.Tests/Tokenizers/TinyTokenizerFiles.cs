using System.Text.Json.Nodes;
using HeadPursuit.Runtime.Tokenizers;

namespace HeadPursuit.Runtime.Tests.Tokenizers;

/// <summary>Writes small tokenizer.json files for unit tests into a temporary folder.</summary>
public sealed class TinyTokenizerFiles : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-tok-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public string Write(string name, JsonNode json)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    public Tokenizer Load(JsonObject tokenizerJson, JsonObject? config = null)
    {
        string json = Write($"tokenizer{Guid.NewGuid():N}.json", tokenizerJson);
        return Tokenizer.FromFile(json, config == null ? null : Write($"config{Guid.NewGuid():N}.json", config));
    }

    public static JsonObject Vocab(IEnumerable<string> tokens)
    {
        var vocab = new JsonObject();
        int id = 0;
        foreach (var t in tokens) vocab[t] = id++;
        return vocab;
    }

    public static JsonObject AddedToken(int id, string content, bool special = true, bool lstrip = false, bool rstrip = false,
                                        bool singleWord = false, bool normalized = false) => new()
    {
        ["id"] = id, ["content"] = content, ["special"] = special, ["lstrip"] = lstrip, ["rstrip"] = rstrip,
        ["single_word"] = singleWord, ["normalized"] = normalized,
    };

    /// <summary>A tokenizer.json with a BPE model and the given other components (null = absent).</summary>
    public static JsonObject Bpe(JsonObject vocab, JsonArray merges, JsonNode? preTokenizer = null, JsonNode? normalizer = null,
                                 JsonNode? decoder = null, JsonNode? postProcessor = null, JsonArray? addedTokens = null,
                                 bool byteFallback = false, string? unk = null, bool ignoreMerges = false) => new()
    {
        ["version"] = "1.0",
        ["added_tokens"] = addedTokens ?? [],
        ["normalizer"] = normalizer,
        ["pre_tokenizer"] = preTokenizer,
        ["post_processor"] = postProcessor,
        ["decoder"] = decoder,
        ["model"] = new JsonObject
        {
            ["type"] = "BPE", ["unk_token"] = unk, ["fuse_unk"] = unk != null, ["byte_fallback"] = byteFallback,
            ["ignore_merges"] = ignoreMerges, ["vocab"] = vocab, ["merges"] = merges,
        },
    };

    /// <summary>The 256 byte-level characters, in byte order (ids 0..255).</summary>
    public static IEnumerable<string> ByteLevelChars() => Enumerable.Range(0, 256).Select(b => ByteLevelAlphabet.Map((byte)b).ToString());

    public static JsonObject ByteLevel(bool addPrefixSpace = false, bool useRegex = true) => new()
    {
        ["type"] = "ByteLevel", ["add_prefix_space"] = addPrefixSpace, ["trim_offsets"] = true, ["use_regex"] = useRegex,
    };
}
