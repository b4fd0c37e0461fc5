using System.Text;
using System.Text.Json;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Tokenizers;

/// <summary>The fast heap-based merger agrees with <see cref="ReferenceBpe"/> on both fixture vocabularies.</summary>
public sealed class BpeMergerTests
{
    /// <summary>Random text over a mixed alphabet: ASCII, accents, Cyrillic, CJK, emoji, whitespace runs.</summary>
    internal static string RandomText(Random rng, int length)
    {
        string[] pool = ["e", "t", "a", "o", "i", "n", "s", "h", "r", "l", "d", "u", "E", "T", "A", " ", " ", " ", "  ",
                         "0", "1", "7", "9", ".", ",", "!", "?", "'", "-", "(", ")", "\n", "\t", "\r\n", "é", "ü", "ñ", "ß",
                         "П", "р", "и", "в", "日", "本", "語", "😀", "👍🏽", "€", "\u00A0", "'s", "the", "ing"];
        var sb = new StringBuilder();
        while (sb.Length < length) sb.Append(pool[rng.Next(pool.Length)]);
        return sb.ToString();
    }

    static Dictionary<(string, string), int> MergeRanks(string tokenizerJson)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(tokenizerJson));
        var ranks = new Dictionary<(string, string), int>();
        int rank = 0;
        foreach (var m in doc.RootElement.GetProperty("model").GetProperty("merges").EnumerateArray())
        {
            (string, string) pair = m.ValueKind == JsonValueKind.String
                ? (m.GetString()!.Split(' ')[0], m.GetString()!.Split(' ')[1])
                : (m[0].GetString()!, m[1].GetString()!);
            ranks.TryAdd(pair, rank++);
        }
        return ranks;
    }

    static void AssertAgree(Tokenizer tokenizer, Dictionary<(string, string), int> ranks, IEnumerable<string> words)
    {
        int checkedWords = 0;
        foreach (var word in words)
        {
            var initial = tokenizer.Model.InitialSymbols(word);
            string[] fast = [.. tokenizer.Model.Merge(initial).Select(id => tokenizer.IdToToken(id)!)];
            var slow = ReferenceBpe.Merge([.. initial.Select(id => tokenizer.IdToToken(id)!)], ranks);
            Assert.Equal(slow, fast);
            checkedWords++;
        }
        Assert.True(checkedWords > 100, $"only {checkedWords} words checked");
    }

    [Fact]
    public void Gpt2FastMergerEqualsReference()
    {
        string path = Fixtures.Path("gpt2-tokenizer", "tokenizer.json");
        var t = Tokenizer.FromFile(path);
        var rng = new Random(1234);
        var words = new List<string>();
        for (int i = 0; i < 300; i++) words.AddRange(t.Segment(RandomText(rng, 80), true).Select(w => w.Word!));
        words.Add(ByteLevelAlphabet.Encode(new string(' ', 300)));
        words.Add(ByteLevelAlphabet.Encode("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
        words.Add(ByteLevelAlphabet.Encode("1234567890123456789012345678901234567890"));
        AssertAgree(t, MergeRanks(path), words);
    }

    [Fact]
    public void Stories260KFastMergerEqualsReference()
    {
        string path = Fixtures.Path("stories260K", "tokenizer.json");
        var t = Tokenizer.FromFile(path);
        var rng = new Random(99);
        var words = new List<string>();
        for (int i = 0; i < 200; i++) words.AddRange(t.Segment(RandomText(rng, 1 + rng.Next(120)), true).Select(w => w.Word!));
        AssertAgree(t, MergeRanks(path), words);
    }

    [Fact]
    public void LongWordsAreNotCachedButStillEncoded()
    {
        var t = Tokenizer.FromFile(Fixtures.Path("stories260K", "tokenizer.json"));
        string longText = string.Concat(Enumerable.Repeat("Once upon a time there was a cat. ", 40)); // one word of > 256 chars
        int[] first = t.Encode(longText);
        Assert.Equal(0, t.Model.Cache.Count);
        Assert.Equal(first, t.Encode(longText));
        t.Encode("short");
        Assert.Equal(1, t.Model.Cache.Count);
        Assert.Equal(longText, t.Decode(first));
    }
}
