using System.Text.Json;
using HeadPursuit.Runtime.Input;

namespace HeadPursuit.Runtime.Tokenizers;

/// <summary>
/// The parts of transformers' tokenizer_config.json the runtime uses. Special tokens may be written
/// as a string or as an object with "content"; chat_template as a string or as a list of
/// {name, template} (the one named "default" is used).
/// </summary>
internal sealed record TokenizerConfig(
    string? BosToken, string? EosToken, bool? AddBosToken, bool? AddEosToken, string? ChatTemplate,
    IReadOnlyList<AddedToken> AddedTokens)
{
    public static TokenizerConfig Empty { get; } = new(null, null, null, null, null, []);

    public static TokenizerConfig Read(string path)
    {
        using var doc = JsonFields.Parse(path);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new ModelFormatException($"{path}: the top level must be a JSON object");
        return new TokenizerConfig(
            TokenText(root, "bos_token", path),
            TokenText(root, "eos_token", path),
            JsonFields.Optional(root, "add_bos_token") is null ? null : JsonFields.Bool(root, "add_bos_token", false, path),
            JsonFields.Optional(root, "add_eos_token") is null ? null : JsonFields.Bool(root, "add_eos_token", false, path),
            ChatTemplateText(root, path),
            AddedTokensDecoder(root, path));
    }

    static string? TokenText(JsonElement root, string name, string path)
    {
        var v = JsonFields.Optional(root, name);
        if (v == null) return null;
        return v.Value.ValueKind switch
        {
            JsonValueKind.String => JsonValues.String(v.Value, $"{path}: field '{name}'"),
            JsonValueKind.Object => JsonFields.String(v.Value, "content", $"{path}: {name}"),
            _ => throw new ModelFormatException($"{path}: field '{name}' must be a string or an object with 'content'"),
        };
    }

    static string? ChatTemplateText(JsonElement root, string path)
    {
        var v = JsonFields.Optional(root, "chat_template");
        if (v == null) return null;
        if (v.Value.ValueKind == JsonValueKind.String) return JsonValues.String(v.Value, $"{path}: field 'chat_template'");
        if (v.Value.ValueKind != JsonValueKind.Array) throw new ModelFormatException($"{path}: field 'chat_template' must be a string or a list of {{name, template}}");
        foreach (var entry in v.Value.EnumerateArray())
            if (JsonFields.OptionalString(entry, "name", $"{path}: chat_template") == "default")
                return JsonFields.String(entry, "template", $"{path}: chat_template 'default'");
        return null;
    }

    /// <summary>"added_tokens_decoder": {"id": {content, special, lstrip, rstrip, single_word, normalized}}.</summary>
    static List<AddedToken> AddedTokensDecoder(JsonElement root, string path)
    {
        var list = new List<AddedToken>();
        if (JsonFields.Optional(root, "added_tokens_decoder") is not { } map) return list;
        if (map.ValueKind != JsonValueKind.Object) throw new ModelFormatException($"{path}: field 'added_tokens_decoder' must be an object");
        foreach (var p in map.EnumerateObject())
        {
            string where = $"{path}: added_tokens_decoder '{p.Name}'";
            if (!int.TryParse(p.Name, out int id) || id < 0) throw new ModelFormatException($"{where}: the key must be a non-negative integer id");
            list.Add(TokenizerJsonReader.ReadAddedToken(p.Value, id, where));
        }
        return list;
    }
}
