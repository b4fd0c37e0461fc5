using System.Text.Json;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Tokenizers;

/// <summary>The hand-written GPT-2 splitter cuts exactly like HF's regex (run with code-point semantics).</summary>
public sealed class Gpt2WordSplitterTests
{
    static readonly CodePointRegex Reference = new(ByteLevelPreTokenizer.Gpt2Pattern, "test");

    static void AssertSameCuts(string text)
    {
        var fast = new List<(int, int)>();
        var slow = new List<(int, int)>();
        Gpt2WordSplitter.Split(text, fast);
        Reference.Matches(text, slow);
        Assert.Equal(slow, fast);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("Hello   world   ")]
    [InlineData("I'm can't they'LL we've 'sa 're' ' 's")]
    [InlineData("a\n\n b\t\t\nc \u00A0 d\u3000e")]
    [InlineData("😀hello 𠀀abc 👍🏽 ²³ Ⅻ ٣")]
    [InlineData("$1,000.00 -- ... !!!")]
    [InlineData("'")]
    [InlineData(" '")]
    [InlineData("x\u0301y e\u0301")]
    public void HandPickedText(string text) => AssertSameCuts(text);

    [Fact]
    public void FixtureAndRandomText()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("gpt2-tokenizer", "cases.json")));
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray()) AssertSameCuts(c.GetProperty("text").GetString()!);
        var rng = new Random(3);
        for (int i = 0; i < 500; i++) AssertSameCuts(BpeMergerTests.RandomText(rng, rng.Next(150)));
    }
}
