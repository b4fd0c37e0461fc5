using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Runtime.Tests.Capture;

/// <summary>The position-policy rule on a packed call holding a prompt with generated tokens after it and a plain prompt.</summary>
public sealed class PolicyRowsTests
{
    // Sequence 0: positions 0..5, prompt length 4 (positions 4 and 5 generated). Sequence 1: positions 0..2, all prompt.
    static readonly BatchLayout Layout = new([0, 1], [0, 0], [6, 3]);
    static readonly int[] PromptLengths = [4, 3];
    static readonly RowEmbeddings Images = new([1, 2, 7], new float[3 * 2], 2);   // rows 1, 2 (sequence 0) and 7 (sequence 1)

    static string Rows(PositionPolicy policy, int spanStart = 0, int spanEnd = 0) =>
        string.Concat(PolicyRows.Of(new HeadScales(1, 1) { Policy = policy, SpanStart = spanStart, SpanEnd = spanEnd }, Layout, PromptLengths, Images));

    [Theory]
    [InlineData(PositionPolicy.All, "111111111")]
    [InlineData(PositionPolicy.Prompt, "111100111")]
    [InlineData(PositionPolicy.Generated, "000011000")]
    [InlineData(PositionPolicy.Image, "011000010")]
    public void EachPolicyPicksItsRows(PositionPolicy policy, string expected) => Assert.Equal(expected, Rows(policy));

    [Fact]
    public void ASpanTakesPromptPositionsInItsRangeOnly() => Assert.Equal("001100001", Rows(PositionPolicy.Span, 2, 6));

    [Fact]
    public void WithoutPromptLengthsEveryRowIsAPromptRow() =>
        Assert.Equal("000000000", string.Concat(PolicyRows.Of(new HeadScales(1, 1) { Policy = PositionPolicy.Generated }, Layout, null, null)));
}
