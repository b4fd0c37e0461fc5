using HeadPursuit.Runtime.Vision.LlavaNext;

namespace HeadPursuit.Runtime.Tests.Vision;

/// <summary>LLaVA-NeXT's anyres arithmetic: Python's rounding, the best-resolution choice, unpadding and token counts.</summary>
public sealed class AnyResolutionTests
{
    /// <summary>int(round(x, 7)) as CPython 3 gives it (values printed by repr, results from the interpreter).</summary>
    [Theory]
    [InlineData(3.99999995, 3)]
    [InlineData(3.9999999499999, 3)]
    [InlineData(3.99999995000001, 4)]
    [InlineData(7.99999995, 8)]
    [InlineData(7.999999949999999, 7)]
    [InlineData(7.999999950000001, 8)]
    [InlineData(1.99999995, 2)]
    [InlineData(1.999999949999999, 1)]
    [InlineData(0.99999995, 0)]
    [InlineData(0.999999950000001, 1)]
    [InlineData(4.99999995, 5)]
    [InlineData(4.999999949999999, 4)]
    [InlineData(99.99999995, 100)]
    [InlineData(31.999999999999996, 32)]
    [InlineData(0.26666666666666666, 0)]
    [InlineData(5.4999999, 5)]
    [InlineData(12.00000004, 12)]
    [InlineData(2.0, 2)]
    [InlineData(0.0, 0)]
    [InlineData(1e-9, 0)]
    public void IntOfRound7MatchesPython(double x, int expected) => Assert.Equal(expected, AnyResolution.IntOfRound7(x));

    static readonly int[][] Tiny = [[16, 32], [32, 16], [32, 32]];

    [Fact]
    public void TheBestResolutionFollowsDoublePrecision()
    {
        // 49 * (32 / 49) = 31.999999999999996 in double: [32, 32] scores 31 * 16 = 496, tying [16, 32], whose waste is smaller.
        Assert.Equal((496L, 528L), AnyResolution.Fit(25, 49, [32, 32]));
        Assert.Equal((496L, 16L), AnyResolution.Fit(25, 49, [16, 32]));
        Assert.Equal((16, 32), AnyResolution.BestResolution(25, 49, Tiny));
        // Equal scores and waste: the earlier pinpoint.
        Assert.Equal((16, 32), AnyResolution.BestResolution(1, 1, Tiny));
    }

    [Theory]
    [InlineData(672, 672, 672, 672, 2, 2, 48, 48, 2928)]   // llava-v1.6's largest square: 576 + 48 x 49
    [InlineData(480, 640, 672, 672, 2, 2, 36, 48, 2340)]   // 640x480: new_rows = int(round(480 * 48 / 640, 7)) = 36
    [InlineData(336, 1008, 336, 1008, 1, 3, 24, 72, 2328)]
    public void RealLlavaV16SizesGiveHfsTokenCounts(int h, int w, int bh, int bw, int gridRows, int gridCols, int keptRows, int keptCols, int tokens)
    {
        Assert.Equal((bh, bw), AnyResolution.BestResolution(h, w, LlavaNextConfig.DefaultPinpoints));
        var map = AnyResolution.Map(h, w, LlavaNextConfig.DefaultPinpoints, tile: 336, side: 24);
        Assert.Equal((gridRows, gridCols, keptRows, keptCols), (map.GridRows, map.GridCols, map.Kept.Rows, map.Kept.Cols));
        Assert.Equal(tokens, AnyResolution.TokenCount(map));
        Assert.Equal(tokens, AnyResolution.PackedRows(map).Length);
    }

    [Fact]
    public void AVeryWideImageKeepsNoRowOfTheMap()
    {
        // 60x2: grid 1x2, map 4x8, new_rows = int(round(2 * 8 / 60, 7)) = 0, so 2 rows go at the top and 2 at the bottom.
        var map = AnyResolution.Map(2, 60, Tiny, tile: 16, side: 4);
        Assert.Equal(new AnyResolution.Kept(2, 0, 0, 8), map.Kept);
        Assert.Equal(16, AnyResolution.TokenCount(map));
        Assert.Equal(Enumerable.Range(0, 16), AnyResolution.PackedRows(map));   // the base crop only, no newline
    }

    [Fact]
    public void EqualAspectRatiosTakeTheColumnBranch()
    {
        Assert.Equal(new AnyResolution.Kept(0, 8, 0, 8), AnyResolution.Unpad(30, 30, 8, 8));
        Assert.Equal(new AnyResolution.Kept(0, 8, 2, 4), AnyResolution.Unpad(37, 20, 8, 8));   // img0: 2 columns per side
        Assert.Equal(new AnyResolution.Kept(2, 4, 0, 8), AnyResolution.Unpad(20, 37, 8, 8));   // img1: 2 rows per side
    }

    [Fact]
    public void PackedRowsWalkTheGridCropsRowByRowWithANewlineAfterEachRow()
    {
        // 2 x 2 grid of 2 x 2-patch crops, nothing unpadded: map row 0 = crop 1 patches 0, 1 then crop 2 patches 0, 1.
        var map = new AnyResolution.FeatureMap(2, 2, 2, new AnyResolution.Kept(0, 4, 0, 4));
        int[] expected =
        [
            0, 1, 2, 3,                      // base crop
            4, 5, 8, 9, -1,                  // crop 1 (rows 4..7), crop 2 (rows 8..11): top patch row
            6, 7, 10, 11, -1,
            12, 13, 16, 17, -1,              // crops 3 and 4
            14, 15, 18, 19, -1,
        ];
        Assert.Equal(expected, AnyResolution.PackedRows(map));
    }
}
