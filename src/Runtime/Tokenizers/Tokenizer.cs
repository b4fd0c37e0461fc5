namespace HeadPursuit.Runtime.Tokenizers;

/// <summary>
/// A Hugging Face fast tokenizer (tokenizer.json, optional tokenizer_config.json) with HF semantics:
/// <list type="number">
/// <item>lone surrogates become U+FFFD (see <see cref="LoneSurrogates"/>);</item>
/// <item>added tokens that are not "normalized" are cut out of the raw text (never split, even inside a word);</item>
/// <item>each remaining piece is normalized, normalized added tokens are cut out of it;</item>
/// <item>the rest is pre-tokenized into words, and each word goes through BPE (cached per word);</item>
/// <item>with addSpecialTokens, the post-processor's prefix/suffix ids are added (e.g. BOS).</item>
/// </list>
/// Decoding maps ids to token strings (optionally without special tokens) and runs the decoder chain.
/// Immutable after loading and safe to use from several threads.
/// </summary>
public sealed class Tokenizer
{
    readonly BpeModel _model;
    readonly Normalizer? _normalizer;
    readonly PreTokenizer? _preTokenizer;
    readonly Decoder? _decoder;
    readonly SpecialTokenTemplate _template;
    readonly Dictionary<int, AddedToken> _addedById = [];
    readonly Dictionary<string, int> _addedByContent = new(StringComparer.Ordinal);
    readonly AddedTokenMatcher _rawMatcher, _normalizedMatcher;
    readonly string?[] _idToToken; // [VocabSize]; null for an id that no token uses

    /// <summary>Number of ids: the largest id of the vocabulary or of the added tokens, plus one.</summary>
    public int VocabSize => _idToToken.Length;
    /// <summary>The beginning-of-sequence token, when the tokenizer has one.</summary>
    public int? BosId { get; }
    /// <summary>The end-of-sequence token, when the tokenizer has one.</summary>
    public int? EosId { get; }
    /// <summary>tokenizer_config.json's chat_template, if any (see <see cref="ChatFormat.FromTemplate"/>).</summary>
    public string? ChatTemplate { get; }
    internal IReadOnlyCollection<AddedToken> AddedTokens => _addedById.Values;
    internal BpeModel Model => _model;

    Tokenizer(TokenizerJsonReader.Parts parts, TokenizerConfig config, string configWhere)
    {
        _model = parts.Model;
        _normalizer = parts.Normalizer;
        _preTokenizer = parts.PreTokenizer;
        _decoder = parts.Decoder;
        ChatTemplate = config.ChatTemplate;

        foreach (var t in parts.AddedTokens.Concat(config.AddedTokens))
            if (_addedById.TryAdd(t.Id, t)) _addedByContent[t.Content] = t.Id;
        _rawMatcher = new AddedTokenMatcher(_addedById.Values.Where(t => !t.Normalized).Select(t => (t.Content, t)));
        _normalizedMatcher = new AddedTokenMatcher(_addedById.Values.Where(t => t.Normalized).Select(t => (Normalize(t.Content), t)));

        int size = Math.Max(_model.Vocab.Count == 0 ? 0 : _model.Vocab.Values.Max() + 1, _addedById.Count == 0 ? 0 : _addedById.Keys.Max() + 1);
        _idToToken = new string?[size];
        foreach (var (token, id) in _model.Vocab) _idToToken[id] = token;
        foreach (var (id, t) in _addedById) _idToToken[id] = t.Content;

        BosId = IdOfConfigToken(config.BosToken, "bos_token", configWhere);
        EosId = IdOfConfigToken(config.EosToken, "eos_token", configWhere);
        _template = config.AddBosToken == null && config.AddEosToken == null ? parts.PostProcessor : new SpecialTokenTemplate(
            config.AddBosToken == true ? [BosId ?? throw new ModelFormatException($"{configWhere}: add_bos_token is true but there is no bos_token")] : [],
            config.AddEosToken == true ? [EosId ?? throw new ModelFormatException($"{configWhere}: add_eos_token is true but there is no eos_token")] : []);
    }

    int? IdOfConfigToken(string? token, string field, string where) =>
        token == null ? null : TokenToId(token) ?? throw new ModelFormatException($"{where}: {field} '{token}' is not in the vocabulary");

    /// <summary>
    /// Loads folder/tokenizer.json and, when present, folder/tokenizer_config.json; a folder without tokenizer.json but
    /// with a RoBERTa tokenizer's vocab.json and merges.txt loads those (<see cref="RobertaVocabFiles"/>).
    /// </summary>
    public static Tokenizer FromFolder(string folder)
    {
        string json = Path.Combine(folder, "tokenizer.json");
        string config = Path.Combine(folder, "tokenizer_config.json");
        string? configPath = File.Exists(config) ? config : null;
        if (File.Exists(json)) return FromFile(json, configPath);
        if (RobertaVocabFiles.In(folder))
            return new(RobertaVocabFiles.Read(folder, configPath), configPath == null ? TokenizerConfig.Empty : TokenizerConfig.Read(configPath),
                       configPath ?? Path.Combine(folder, RobertaVocabFiles.VocabFile));
        throw new ModelFormatException($"{folder}: no tokenizer.json (a Hugging Face fast-tokenizer file is required; RoBERTa's vocab.json + merges.txt are read too)");
    }

    /// <summary>A tokenizer from a tokenizer.json, with its tokenizer_config.json (chat template, BOS/EOS) when given.</summary>
    public static Tokenizer FromFile(string tokenizerJsonPath, string? tokenizerConfigPath = null) => new(
        TokenizerJsonReader.Read(tokenizerJsonPath),
        tokenizerConfigPath == null ? TokenizerConfig.Empty : TokenizerConfig.Read(tokenizerConfigPath),
        tokenizerConfigPath ?? tokenizerJsonPath);

    /// <param name="addSpecialTokens">Add what the post-processor adds (HF add_special_tokens), e.g. &lt;s&gt; for Llama 2.</param>
    /// <param name="recognizeSpecialTokens">False treats special tokens written in the text as plain text
    /// (OpenAI encoder / HF split_special_tokens=True semantics); non-special added tokens are still recognised.</param>
    public int[] Encode(string text, bool addSpecialTokens = false, bool recognizeSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        if (addSpecialTokens) ids.AddRange(_template.Prefix);
        foreach (var (word, addedId) in Segment(text, recognizeSpecialTokens))
            if (word == null) ids.Add(addedId);
            else _model.Encode(word, ids);
        if (addSpecialTokens) ids.AddRange(_template.Suffix);
        return [.. ids];
    }

    /// <summary>
    /// Encode(text, addSpecialTokens: true) in at most <paramref name="maxLength"/> ids: the text's own tokens are cut at
    /// the end and the post-processor's special tokens kept (HF truncation=True with max_length).
    /// </summary>
    public int[] EncodeTruncated(string text, int maxLength)
    {
        int room = maxLength - _template.Prefix.Length - _template.Suffix.Length;
        if (room < 0) throw new ArgumentException($"{maxLength} tokens cannot hold the {maxLength - room} special tokens added around a text", nameof(maxLength));
        var ids = Encode(text);
        return [.. _template.Prefix, .. ids.AsSpan(0, Math.Min(room, ids.Length)), .. _template.Suffix];
    }

    /// <summary>The token strings of Encode(text) without special tokens added (HF tokenizer.tokenize).</summary>
    public string[] Tokenize(string text) => [.. Encode(text).Select(id => _idToToken[id]!)];

    /// <summary>
    /// The text of ids. Bytes that do not form valid UTF-8 decode to U+FFFD (ByteLevel), or one U+FFFD
    /// per byte for a run of &lt;0xNN&gt; tokens (ByteFallback), as HF does. Ids that no token has (a model's padded
    /// embedding rows beyond the tokenizer's vocabulary) are left out, as HF's tokenizers do.
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        var tokens = new List<string>(ids.Length);
        foreach (int id in ids)
        {
            if (IdToToken(id) is { } token && !(skipSpecialTokens && IsSpecial(id))) tokens.Add(token);
        }
        return _decoder == null ? string.Join(' ', tokens) : string.Concat(_decoder.DecodeChain(tokens));
    }

    /// <summary>The token string of an id, or null when no token has it.</summary>
    public string? IdToToken(int id) => (uint)id < (uint)_idToToken.Length ? _idToToken[id] : null;

    /// <summary>The id of a token string (vocabulary or added token), or null.</summary>
    public int? TokenToId(string token) =>
        _addedByContent.TryGetValue(token, out int a) ? a : _model.Vocab.TryGetValue(token, out int v) ? v : null;

    /// <summary>Whether the id is a special added token (BOS, EOS, template markers).</summary>
    public bool IsSpecial(int id) => _addedById.TryGetValue(id, out var t) && t.Special;

    /// <summary>
    /// Steps 1-4 of encoding: the text as a sequence of BPE words (Word set) and added tokens (Word null,
    /// AddedId set), in order. Internal so tests can check pre-tokenization on its own.
    /// </summary>
    internal List<(string? Word, int AddedId)> Segment(string text, bool recognizeSpecialTokens)
    {
        text = LoneSurrogates.Replace(text);
        var output = new List<(string?, int)>();
        var words = new List<Piece>();
        foreach (var raw in _rawMatcher.Split(text, recognizeSpecialTokens))
        {
            if (raw.TokenId >= 0) { output.Add((null, raw.TokenId)); continue; }
            string normalized = Normalize(text[raw.Start..raw.End]);
            foreach (var piece in _normalizedMatcher.Split(normalized, recognizeSpecialTokens))
            {
                if (piece.TokenId >= 0) { output.Add((null, piece.TokenId)); continue; }
                var p = new Piece(normalized[piece.Start..piece.End], AtStart: raw.Start == 0 && piece.Start == 0);
                words.Clear();
                if (_preTokenizer == null) words.Add(p);
                else _preTokenizer.Split(p, words);
                foreach (var w in words) output.Add((w.Text, -1));
            }
        }
        return output;
    }

    string Normalize(string text) => _normalizer == null ? text : _normalizer.Normalize(text);
}
