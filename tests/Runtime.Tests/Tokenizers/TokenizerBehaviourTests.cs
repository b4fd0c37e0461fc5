using System.Text;
using System.Text.Json.Nodes;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Tests;
using static HeadPursuit.Runtime.Tests.Tokenizers.TinyTokenizerFiles;

namespace HeadPursuit.Runtime.Tests.Tokenizers;

/// <summary>Tokenizer behaviour on small hand-written tokenizer.json files and on edge-case inputs.</summary>
public sealed class TokenizerBehaviourTests : IDisposable
{
    readonly TinyTokenizerFiles _files = new();
    static readonly Lazy<Tokenizer> Gpt2 = new(() => Tokenizer.FromFile(Fixtures.Path("gpt2-tokenizer", "tokenizer.json")));
    static readonly Lazy<Tokenizer> Stories = new(() => Tokenizer.FromFolder(Path.GetDirectoryName(Fixtures.Path("stories260K", "tokenizer.json"))!));

    public void Dispose() => _files.Dispose();

    string[] Words(Tokenizer t, string text) => [.. t.Segment(text, true).Select(w => w.Word ?? $"#{w.AddedId}")];

    [Fact]
    public void MergesInStringAndPairFormGiveTheSameTokens()
    {
        var vocab = Vocab(["a", "b", "c", "ab", "abc", "ca"]);
        var asStrings = _files.Load(Bpe(vocab.DeepClone().AsObject(), ["a b", "ab c", "c a"]));
        var asPairs = _files.Load(Bpe(vocab.DeepClone().AsObject(), [new JsonArray("a", "b"), new JsonArray("ab", "c"), new JsonArray("c", "a")]));
        // "abcab": a b -> ab (rank 0, both places), then ab c -> abc; "c a" never gets a chance.
        Assert.Equal(["abc", "ab"], asStrings.Tokenize("abcab"));
        Assert.Equal(asStrings.Encode("abcab"), asPairs.Encode("abcab"));
        Assert.Equal([4, 3], asPairs.Encode("abcab"));
        // "cab": c a (rank 2) and a b (rank 0) overlap; the lower rank wins.
        Assert.Equal(["c", "ab"], asPairs.Tokenize("cab"));
    }

    [Fact]
    public void MalformedMergesAndUnknownComponentsAreRefusedByName()
    {
        var vocab = Vocab(["a", "b"]);
        var e1 = Assert.Throws<ModelFormatException>(() => _files.Load(Bpe(vocab.DeepClone().AsObject(), ["ab"])));
        Assert.Contains("merge #0", e1.Message);
        var e2 = Assert.Throws<ModelFormatException>(() => _files.Load(Bpe(vocab.DeepClone().AsObject(), ["a b"])));
        Assert.Contains("'ab'", e2.Message); // the merged token is missing from the vocabulary
        var unigram = Bpe(vocab.DeepClone().AsObject(), []);
        unigram["model"]!["type"] = "Unigram";
        Assert.Contains("Unigram", Assert.Throws<ModelFormatException>(() => _files.Load(unigram)).Message);
        var badDecoder = Bpe(vocab.DeepClone().AsObject(), [], decoder: new JsonObject { ["type"] = "WordPiece" });
        Assert.Contains("WordPiece", Assert.Throws<ModelFormatException>(() => _files.Load(badDecoder)).Message);
        var missing = Assert.Throws<ModelFormatException>(() => Tokenizer.FromFolder(Path.Combine(Path.GetTempPath(), "no-such-folder-hp")));
        Assert.Contains("tokenizer.json", missing.Message);
    }

    [Fact]
    public void AddedTokensAreNeverSplitEvenInsideWords()
    {
        var json = Bpe(Vocab(ByteLevelChars()), [], preTokenizer: ByteLevel(), decoder: new JsonObject { ["type"] = "ByteLevel" },
            addedTokens: [AddedToken(256, "<|sep|>"), AddedToken(257, "xyz", special: false), AddedToken(258, "<mask>", lstrip: true, rstrip: true)]);
        var t = _files.Load(json);
        int[] ids = t.Encode("ab<|sep|>cd xyzxyz qxyzq");
        Assert.Equal(new[] { 'a', 'b' }.Select(c => (int)c), ids[..2]);
        Assert.Equal(256, ids[2]);
        Assert.Equal(3, ids.Count(id => id == 257));
        Assert.Equal("ab<|sep|>cd xyzxyz qxyzq", t.Decode(ids));
        Assert.Equal("abcd xyzxyz qxyzq", t.Decode(ids, skipSpecialTokens: true)); // xyz is not special
        // lstrip/rstrip: the spaces around <mask> belong to it.
        Assert.Equal(["a", "#258", "b"], Words(t, "a  <mask> b"));
        // Special tokens can be treated as text; the non-special one is still recognised.
        Assert.DoesNotContain(256, t.Encode("ab<|sep|>xyz", recognizeSpecialTokens: false));
        Assert.Contains(257, t.Encode("ab<|sep|>xyz", recognizeSpecialTokens: false));
    }

    [Fact]
    public void SingleWordAddedTokenMatchesOnlyAsAWord()
    {
        var json = Bpe(Vocab(ByteLevelChars()), [], preTokenizer: ByteLevel(),
            addedTokens: [AddedToken(256, "cat", special: false, singleWord: true)]);
        var t = _files.Load(json);
        Assert.Contains(256, t.Encode("a cat sat"));
        Assert.DoesNotContain(256, t.Encode("concatenate"));
    }

    [Fact]
    public void ByteFallbackCoversCharactersOutsideTheVocabulary()
    {
        var t = Stories.Value;
        Assert.Equal(["▁", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>"], t.Tokenize("😀"));
        Assert.Equal(["▁", "<0xE4>", "<0xB8>", "<0xAD>"], t.Tokenize("中"));
        Assert.Equal("中😀", t.Decode(t.Encode("中😀")));
        // A run of byte tokens that is not valid UTF-8 decodes to one U+FFFD per byte (HF ByteFallback).
        int f0 = t.TokenToId("<0xF0>")!.Value, x9f = t.TokenToId("<0x9F>")!.Value;
        Assert.Equal("\uFFFD\uFFFD", t.Decode([f0, x9f]));
        Assert.Equal(" a\uFFFD", t.Decode([t.TokenToId("▁")!.Value, t.TokenToId("▁a")!.Value, f0]));
    }

    [Fact]
    public void ByteLevelDecodingOfInvalidUtf8GivesReplacementCharacter()
    {
        // 30325 = "ĠðŁĺ": a space and the first three bytes of 😀 (F0 9F 98), an incomplete sequence.
        Assert.Equal(" \uFFFD", Gpt2.Value.Decode([30325]));
        Assert.Equal(" 😀", Gpt2.Value.Decode([30325, 222]));
    }

    [Fact]
    public void EmptyText()
    {
        Assert.Empty(Gpt2.Value.Encode(""));
        Assert.Empty(Gpt2.Value.Tokenize(""));
        Assert.Equal("", Gpt2.Value.Decode([]));
        Assert.Empty(Stories.Value.Encode(""));
        Assert.Equal([1], Stories.Value.Encode("", addSpecialTokens: true));
        Assert.Equal("", Stories.Value.Decode([]));
    }

    [Fact]
    public void LongWhitespaceRunsRoundTrip()
    {
        string text = "a" + new string(' ', 5000) + "b\n" + new string('\n', 3000) + "\t \t" + new string(' ', 777);
        foreach (var t in new[] { Gpt2.Value, Stories.Value })
            Assert.Equal(text, t.Decode(t.Encode(text)));
        string[] words = Words(Gpt2.Value, "a" + new string(' ', 5000) + "b");
        Assert.Equal(["a", ByteLevelAlphabet.Encode(new string(' ', 4999)), "Ġb"], words); // \s+(?!\S) leaves the last space to " b"
    }

    [Fact]
    public void LoneSurrogatesBecomeReplacementCharacters()
    {
        Assert.Equal("a\uFFFDb\uFFFD\uFFFDc😀", LoneSurrogates.Replace("a\uD800b\uDC00\uD800c😀"));
        string ok = "plain 😀 text";
        Assert.Same(ok, LoneSurrogates.Replace(ok));
        foreach (var t in new[] { Gpt2.Value, Stories.Value })
        {
            string bad = "x\uD83Dy z\uDE00";
            Assert.Equal(t.Encode("x\uFFFDy z\uFFFD"), t.Encode(bad));
            Assert.Equal(t.Encode(Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(bad))), t.Encode(bad)); // same as .NET's UTF-8 encoder
            Assert.Equal("x\uFFFDy z\uFFFD", t.Decode(t.Encode(bad)));
        }
    }

    [Fact]
    public void VariedTextRoundTrips()
    {
        var rng = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            string text = BpeMergerTests.RandomText(rng, rng.Next(200));
            Assert.Equal(text, Gpt2.Value.Decode(Gpt2.Value.Encode(text)));
            Assert.Equal(text, Stories.Value.Decode(Stories.Value.Encode(text)));
        }
    }

    [Fact]
    public void SupplementaryLettersAreOneLetterForTheRegex()
    {
        // U+20000 (𠀀) is a letter (Lo): like HF, " 𠀀abc" is one " ?\p{L}+" word, and an emoji is one symbol.
        Assert.Equal([ByteLevelAlphabet.Encode(" 𠀀abc")], Words(Gpt2.Value, " 𠀀abc"));
        Assert.Equal([ByteLevelAlphabet.Encode("a"), ByteLevelAlphabet.Encode(" 😀😀"), ByteLevelAlphabet.Encode("b")], Words(Gpt2.Value, "a 😀😀b"));
    }

    const string Llama3Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    [Fact]
    public void SplitWithLlama3RegexThenByteLevel()
    {
        var pre = new JsonObject
        {
            ["type"] = "Sequence",
            ["pretokenizers"] = new JsonArray(
                new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = Llama3Pattern }, ["behavior"] = "Isolated", ["invert"] = false },
                ByteLevel(useRegex: false)),
        };
        var t = _files.Load(Bpe(Vocab(ByteLevelChars()), [], preTokenizer: pre, decoder: new JsonObject { ["type"] = "ByteLevel" }, ignoreMerges: true));
        string[] expected = ["Hello", " world", "'S", " ", "123", "45", " test", "\n\n", " ", " x", "😀hi"];
        Assert.Equal(expected.Select(w => ByteLevelAlphabet.Encode(w)), Words(t, string.Concat(expected)));
        Assert.Equal(string.Concat(expected), t.Decode(t.Encode(string.Concat(expected))));
    }

    [Theory]
    [InlineData("Removed", "the|final|countdown")]
    [InlineData("Isolated", "the|-|final|-|-|countdown")]
    [InlineData("MergedWithPrevious", "the-|final-|-|countdown")]
    [InlineData("MergedWithNext", "the|-final|-|-countdown")]
    [InlineData("Contiguous", "the|-|final|--|countdown")]
    public void SplitBehaviours(string behavior, string expected)
    {
        var pre = new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["String"] = "-" }, ["behavior"] = behavior, ["invert"] = false };
        var t = _files.Load(Bpe(Vocab("-abcdefghijklmnopqrstuvwxyz".Select(c => c.ToString())), [], preTokenizer: pre));
        Assert.Equal(expected.Split('|'), Words(t, "the-final--countdown"));
    }

    [Fact]
    public void SplitInvertKeepsTheMatches()
    {
        var pre = new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = "[a-z]+" }, ["behavior"] = "Removed", ["invert"] = true };
        var t = _files.Load(Bpe(Vocab("-abcdefghijklmnopqrstuvwxyz".Select(c => c.ToString())), [], preTokenizer: pre));
        Assert.Equal(["the", "final", "countdown"], Words(t, "the-final--countdown"));
    }

    [Fact]
    public void MetaspacePreTokenizerAndDecoder()
    {
        string[] chars = ["▁", "H", "e", "y", "f", "r", "i", "n", "d", "!"];
        var metaspace = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "first", ["split"] = true };
        var t = _files.Load(Bpe(Vocab(chars), [], preTokenizer: metaspace, decoder: metaspace.DeepClone(),
            addedTokens: [AddedToken(10, "<s>")]));
        Assert.Equal(["▁Hey", "▁", "▁", "▁friend!"], Words(t, "Hey   friend!"));
        // "first": only the piece at the start of the text gets the prefix.
        Assert.Equal(["▁Hey", "#10", "Hey"], Words(t, "Hey<s>Hey"));
        Assert.Equal("Hey   friend!", t.Decode(t.Encode("Hey   friend!")));
    }

    [Fact]
    public void NfcNormalizerComposes()
    {
        var t = _files.Load(Bpe(Vocab(["é", "e", "\u0301"]), [], normalizer: new JsonObject { ["type"] = "NFC" }));
        Assert.Equal(["e"], t.Tokenize("e")); // below U+0300: NFC is the identity on every platform
        Assert.True(NfcNormalizer.PlatformComposes, "ICU must be available: InvariantGlobalization is off in Directory.Build.props");
        Assert.Equal(["é"], t.Tokenize("e\u0301"));
    }

    [Theory]
    [InlineData("\uFFFE")]        // a noncharacter that ICU's normalizer refuses (Qwen2/Qwen3 tokenizers met it)
    [InlineData("\uFFFF")]
    [InlineData("\uFDD0")]
    [InlineData("\u0378")]        // unassigned
    [InlineData("\U0001FFFE")]    // a noncharacter outside the BMP
    public void NfcNormalizerKeepsNoncharactersAndUnassignedCodePointsAsHuggingFaceDoes(string kept)
    {
        // Hugging Face's NFC (Rust unicode-normalization) leaves such a code point as it is and composes around it.
        var nfc = new NfcNormalizer();
        Assert.Equal($"\u00E9{kept}\u00E9x", nfc.Normalize($"e\u0301{kept}e\u0301x"));
        Assert.Equal($"{kept}\u00C5", nfc.Normalize($"{kept}A\u030A"));
        var t = _files.Load(Bpe(Vocab(["é", "e", "\u0301", "x", .. kept.EnumerateRunes().Select(r => r.ToString())]), [], normalizer: new JsonObject { ["type"] = "NFC" }));
        Assert.Equal(["é", kept, "é"], t.Tokenize($"e\u0301{kept}e\u0301"));
    }

    [Fact]
    public void ReplaceNormalizerWithRegexAndPrepend()
    {
        var normalizer = new JsonObject
        {
            ["type"] = "Sequence",
            ["normalizers"] = new JsonArray(
                new JsonObject { ["type"] = "Prepend", ["prepend"] = "▁" },
                new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["Regex"] = " +" }, ["content"] = "▁" }),
        };
        var t = _files.Load(Bpe(Vocab(["▁", "a", "b"]), [], normalizer: normalizer));
        Assert.Equal(["▁", "a", "▁", "b"], t.Tokenize("a   b"));
    }

    [Fact]
    public void ConfigDecidesBosAndEos()
    {
        var json = Bpe(Vocab(["<s>", "</s>", "a"]), [], addedTokens: [AddedToken(0, "<s>"), AddedToken(1, "</s>")]);
        var both = _files.Load(json, new JsonObject { ["bos_token"] = new JsonObject { ["content"] = "<s>" }, ["eos_token"] = "</s>", ["add_bos_token"] = true, ["add_eos_token"] = true });
        Assert.Equal([0, 2, 1], both.Encode("a", addSpecialTokens: true));
        Assert.Equal((0, 1), (both.BosId, both.EosId));
        var bad = Assert.Throws<ModelFormatException>(() => _files.Load(json, new JsonObject { ["bos_token"] = "<bos>" }));
        Assert.Contains("bos_token '<bos>'", bad.Message);
    }
}
