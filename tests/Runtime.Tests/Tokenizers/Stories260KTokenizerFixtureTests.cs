using System.Text;
using System.Text.Json;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Tokenizers;

/// <summary>stories260K: SentencePiece-style BPE with byte fallback, Prepend/Replace normalizer, BOS template.</summary>
public sealed class Stories260KTokenizerFixtureTests
{
    static readonly Lazy<Tokenizer> Stories = new(() => Tokenizer.FromFolder(Path.GetDirectoryName(Fixtures.Path("stories260K", "tokenizer.json"))!));
    static readonly Lazy<JsonElement[]> Cases = new(() =>
        [.. JsonDocument.Parse(File.ReadAllText(Fixtures.Path("stories260K", "tokenizer_cases.json"))).RootElement.GetProperty("cases").EnumerateArray()]);

    public static TheoryData<int> CaseIndices()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Cases.Value.Length; i++) data.Add(i);
        return data;
    }

    static int[] Ints(JsonElement c, string field) => [.. c.GetProperty(field).EnumerateArray().Select(e => e.GetInt32())];

    static string TextOf(JsonElement c)
    {
        string text = c.GetProperty("text").GetString()!;
        Assert.Equal(c.GetProperty("text_utf8_hex").GetString(), Convert.ToHexStringLower(Encoding.UTF8.GetBytes(text)));
        return text;
    }

    [Fact]
    public void FixtureHasCases() => Assert.True(Cases.Value.Length >= 15, $"only {Cases.Value.Length} cases");

    [Theory, MemberData(nameof(CaseIndices))]
    public void EncodesTokenizesAndDecodes(int index)
    {
        var c = Cases.Value[index];
        string text = TextOf(c);
        Assert.Equal(Ints(c, "ids"), Stories.Value.Encode(text));
        Assert.Equal(Ints(c, "ids_with_bos"), Stories.Value.Encode(text, addSpecialTokens: true));
        Assert.Equal(c.GetProperty("tokens").EnumerateArray().Select(e => e.GetString()!).ToArray(), Stories.Value.Tokenize(text));
        Assert.Equal(c.GetProperty("decoded").GetString(), Stories.Value.Decode(Ints(c, "ids")));
        if (c.GetProperty("roundtrip_ok").GetBoolean()) Assert.Equal(text, Stories.Value.Decode(Ints(c, "ids")));
    }

    [Fact]
    public void GoldenStoryEncodesToTheGoldenIdsAndBack()
    {
        var gen = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("stories260K", "cases.json"))).RootElement
            .GetProperty("generation").EnumerateArray().Single(g => g.GetProperty("name").GetString() == "gen_golden");
        string text = gen.GetProperty("text").GetString()!;
        int[] golden = [.. gen.GetProperty("output_ids").EnumerateArray().Select(e => e.GetInt32())];
        Assert.Equal(1, golden[0]);
        Assert.Equal(golden, Stories.Value.Encode(text, addSpecialTokens: true));
        Assert.Equal(text, Stories.Value.Decode(golden, skipSpecialTokens: true));
        Assert.Equal("<s> " + text, Stories.Value.Decode(golden)); // HF keeps <s>; Strip removes only the leading space of the fused text
    }

    [Fact]
    public void SpecialIdsComeFromTheConfig()
    {
        var t = Stories.Value;
        Assert.Equal(1, t.BosId);
        Assert.Equal(2, t.EosId);
        Assert.Equal(512, t.VocabSize);
        Assert.True(t.IsSpecial(0) && t.IsSpecial(1) && t.IsSpecial(2));
        Assert.Equal([1, 403], t.Encode("<s>Once"));       // <s> in the text is the special token, not text
        Assert.Equal(2, t.Encode("Once</s>")[^1]);
    }
}
