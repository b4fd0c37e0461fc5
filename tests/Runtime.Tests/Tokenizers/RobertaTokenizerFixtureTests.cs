using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Runtime.Verification;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Tokenizers;

/// <summary>
/// roberta-cls-tiny's tokenizer cases (ids checked against HF's tokenizers): RobertaProcessing's &lt;s&gt; ... &lt;/s&gt;,
/// the mask token's lstrip, no prefix space; the same tokenizer read from tokenizer.json and from the older vocab.json +
/// merges.txt; truncation that keeps the special tokens.
/// </summary>
public sealed class RobertaTokenizerFixtureTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-roberta-tok-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static string Folder => Fixtures.Path("roberta-cls-tiny");

    static JsonElement[] Cases() =>
        [.. JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "cases.json"))).RootElement.GetProperty("tokenizer").EnumerateArray()];

    static int[] Ints(JsonElement c, string field) => [.. c.GetProperty(field).EnumerateArray().Select(e => e.GetInt32())];

    /// <summary>The fixture's files without tokenizer.json, plus <paramref name="extra"/> files.</summary>
    string TwoFileCopy(params (string Name, string Text)[] extra)
    {
        string dir = Directory.CreateDirectory(Path.Combine(_dir, $"copy{Directory.GetDirectories(_dir).Length}")).FullName;
        foreach (string name in new[] { "vocab.json", "merges.txt", "tokenizer_config.json" })
            File.Copy(Path.Combine(Folder, name), Path.Combine(dir, name));
        foreach (var (name, text) in extra) File.WriteAllText(Path.Combine(dir, name), text);
        return dir;
    }

    void AssertEveryCase(Tokenizer tok)
    {
        var cases = Cases();
        Assert.Equal(12, cases.Length);
        foreach (var c in cases)
        {
            string text = c.GetProperty("text").GetString()!;
            Assert.Equal(c.GetProperty("text_utf8_hex").GetString(), Convert.ToHexStringLower(Encoding.UTF8.GetBytes(text)));
            Assert.Equal(Ints(c, "ids"), tok.Encode(text));
            Assert.Equal(Ints(c, "ids_with_special"), tok.Encode(text, addSpecialTokens: true));
            Assert.Equal([.. c.GetProperty("tokens").EnumerateArray().Select(e => e.GetString()!)], tok.Tokenize(text));
            Assert.Equal(c.GetProperty("decoded").GetString(), tok.Decode(Ints(c, "ids_with_special"), skipSpecialTokens: true));
        }
    }

    [Fact]
    public void TokenizerJsonWithRobertaProcessingMatchesEveryCase() => AssertEveryCase(Tokenizer.FromFolder(Folder));

    [Fact]
    public void VocabJsonAndMergesTxtMakeTheSameTokenizer() => AssertEveryCase(Tokenizer.FromFolder(TwoFileCopy()));

    [Fact]
    public void VerifyRunsTheTokenizerCasesOfTheModelFixture()
    {
        var results = TokenizerVerifier.Run(Folder).ToList();
        Assert.Equal(12 * 4, results.Count);
        Assert.All(results, r => Assert.True(r.Passed, r.ToString()));
    }

    [Fact]
    public void TheTwoFileFormatTakesSpecialTokensFromItsConfigsAndRefusesOtherTokenizerClasses()
    {
        // special_tokens_map.json renames the cls token: RobertaProcessing then starts every text with it.
        var renamed = Tokenizer.FromFolder(TwoFileCopy(("special_tokens_map.json", "{\"cls_token\": {\"content\": \"</s>\"}}")));
        Assert.Equal([2, 76, 105, 2], renamed.Encode("He", addSpecialTokens: true));

        string gpt2 = TwoFileCopy(("tokenizer_config.json", "{\"tokenizer_class\": \"GPT2Tokenizer\"}"));
        var e = Assert.Throws<ModelFormatException>(() => Tokenizer.FromFolder(gpt2));
        Assert.Contains("tokenizer_class 'GPT2Tokenizer' with vocab.json + merges.txt is not supported (RobertaTokenizer is", e.Message);

        string noMask = TwoFileCopy(("special_tokens_map.json", "{\"mask_token\": \"[MASK]\"}"));
        e = Assert.Throws<ModelFormatException>(() => Tokenizer.FromFolder(noMask));
        Assert.Contains("vocab.json: the mask_token '[MASK]' is not in the vocabulary", e.Message);
    }

    [Fact]
    public void RobertaProcessingNeedsItsTokenIdPairs()
    {
        using var files = new TinyTokenizerFiles();
        var json = new JsonObject
        {
            ["model"] = new JsonObject { ["type"] = "BPE", ["vocab"] = TinyTokenizerFiles.Vocab(["<s>", "</s>", "a"]) },
            ["post_processor"] = new JsonObject { ["type"] = "RobertaProcessing", ["sep"] = new JsonArray("</s>", 1), ["cls"] = new JsonArray("<s>", 0) },
        };
        Assert.Equal([0, 2, 2, 1], files.Load(json).Encode("aa", addSpecialTokens: true));
        json["post_processor"]!["cls"] = "<s>";
        var e = Assert.Throws<ModelFormatException>(() => files.Load(json));
        Assert.Contains("json: post_processor: field 'cls' must be a [token, id] pair, got ", e.Message);
    }

    [Fact]
    public void TruncationCutsTheTextAndKeepsTheSpecialTokens()
    {
        var tok = Tokenizer.FromFolder(Folder);
        Assert.Equal([0, 307, 302, 2], tok.EncodeTruncated("You are amazing!", 4));
        Assert.Equal(tok.Encode("You are amazing!", addSpecialTokens: true), tok.EncodeTruncated("You are amazing!", 64));
        Assert.Contains("1 tokens cannot hold the 2 special tokens", Assert.Throws<ArgumentException>(() => tok.EncodeTruncated("x", 1)).Message);
    }
}
