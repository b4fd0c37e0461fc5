using System.Text;
using System.Text.Json;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Tokenizers;

/// <summary>gpt2-tokenizer/cases.json: HF ids, OpenAI-encoder ids, pre-tokens, tokens and decoding.</summary>
public sealed class Gpt2TokenizerFixtureTests
{
    static readonly Lazy<Tokenizer> Gpt2 = new(() => Tokenizer.FromFile(Fixtures.Path("gpt2-tokenizer", "tokenizer.json")));
    static readonly Lazy<JsonElement[]> Cases = new(() =>
        [.. JsonDocument.Parse(File.ReadAllText(Fixtures.Path("gpt2-tokenizer", "cases.json"))).RootElement.GetProperty("cases").EnumerateArray()]);

    public static TheoryData<int> CaseIndices()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Cases.Value.Length; i++) data.Add(i);
        return data;
    }

    static int[] Ints(JsonElement c, string field) => [.. c.GetProperty(field).EnumerateArray().Select(e => e.GetInt32())];
    static string[] Strings(JsonElement c, string field) => [.. c.GetProperty(field).EnumerateArray().Select(e => e.GetString()!)];

    static string TextOf(JsonElement c)
    {
        string text = c.GetProperty("text").GetString()!;
        Assert.Equal(c.GetProperty("text_utf8_hex").GetString(), Convert.ToHexStringLower(Encoding.UTF8.GetBytes(text)));
        return text;
    }

    [Fact]
    public void FixtureHasCases() => Assert.True(Cases.Value.Length >= 40, $"only {Cases.Value.Length} cases");

    [Theory, MemberData(nameof(CaseIndices))]
    public void EncodesWithSpecialTokensSplitOut(int index)
    {
        var c = Cases.Value[index];
        Assert.Equal(Ints(c, "ids"), Gpt2.Value.Encode(TextOf(c)));
        Assert.Equal(Strings(c, "tokens"), Gpt2.Value.Tokenize(TextOf(c)));
    }

    [Theory, MemberData(nameof(CaseIndices))]
    public void EncodesLikeOpenAiWhenSpecialTokensAreText(int index)
    {
        var c = Cases.Value[index];
        Assert.Equal(Ints(c, "ids_no_special_split"), Gpt2.Value.Encode(TextOf(c), recognizeSpecialTokens: false));
    }

    [Theory, MemberData(nameof(CaseIndices))]
    public void PreTokenizesWithTheGpt2Regex(int index)
    {
        var c = Cases.Value[index];
        var words = Gpt2.Value.Segment(TextOf(c), recognizeSpecialTokens: false);
        Assert.All(words, w => Assert.NotNull(w.Word));
        string[] expected = [.. Strings(c, "pretokens").Select(p => ByteLevelAlphabet.Encode(p))];
        Assert.Equal(expected, words.Select(w => w.Word!).ToArray());
    }

    [Theory, MemberData(nameof(CaseIndices))]
    public void DecodesAndRoundTrips(int index)
    {
        var c = Cases.Value[index];
        int[] ids = Ints(c, "ids");
        Assert.Equal(c.GetProperty("decoded").GetString(), Gpt2.Value.Decode(ids));
        if (c.GetProperty("roundtrip_ok").GetBoolean()) Assert.Equal(TextOf(c), Gpt2.Value.Decode(ids));
    }

    [Fact]
    public void SanityIds()
    {
        Assert.Equal([15496, 995], Gpt2.Value.Encode("Hello world"));
        Assert.Equal([464, 3139, 286, 4881, 318], Gpt2.Value.Encode("The capital of France is"));
    }

    [Fact]
    public void VocabularyAndSpecialTokens()
    {
        var t = Gpt2.Value;
        Assert.Equal(50257, t.VocabSize);
        Assert.Equal(50256, t.TokenToId("<|endoftext|>"));
        Assert.Equal("Ġworld", t.IdToToken(995));
        Assert.True(t.IsSpecial(50256));
        Assert.False(t.IsSpecial(995));
        Assert.Null(t.IdToToken(50257));
        Assert.Null(t.BosId); // no tokenizer_config.json in this folder
        Assert.Equal("Hello world", t.Decode([15496, 50256, 995], skipSpecialTokens: true));
        Assert.Equal("Hello", t.Decode([15496, 50257]));   // an id no token has is left out, as HF tokenizers do
    }

    [Fact]
    public void TinyWorldTokenizerFolder()
    {
        var t = Tokenizer.FromFolder(Path.GetDirectoryName(Fixtures.Path("tinyworld-gpt2", "tokenizer.json"))!);
        Assert.Equal([464, 3139, 286, 4881, 318], t.Encode("The capital of France is"));
        Assert.Equal([464, 3139, 286, 4881, 318], t.Encode("The capital of France is", addSpecialTokens: true)); // add_bos_token false
        Assert.Equal(50256, t.BosId);
        Assert.Equal(50256, t.EosId);
    }
}
