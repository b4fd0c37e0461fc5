using HeadPursuit.Runtime.Imaging;

namespace HeadPursuit.Runtime.Tests.Imaging;

/// <summary>Properties of the Pillow bilinear filter (its bit-exactness on real images is checked against the gemma3-vlm-tiny fixture).</summary>
public sealed class BilinearResizeTests
{
    [Fact]
    public void KernelIsTheTriangle()
    {
        Assert.Equal(1.0, BilinearResize.Kernel(0));
        Assert.Equal(0.75, BilinearResize.Kernel(-0.25));
        Assert.Equal(0.0, BilinearResize.Kernel(1));
        Assert.Equal(0.0, BilinearResize.Kernel(1.5));
    }

    [Theory]
    [InlineData(47, 32)] [InlineData(20, 32)] [InlineData(64, 32)] [InlineData(7, 3)] [InlineData(3, 896)]
    public void FixedPointWeightsSumToOneOverAFootprintThatWidensWhenShrinking(int nIn, int nOut)
    {
        var (start, weights) = PillowResample.Coefficients(nIn, nOut, BilinearResize.Filter);
        for (int i = 0; i < nOut; i++)
        {
            Assert.InRange(start[i] + weights[i].Length, 1, nIn);
            Assert.InRange(weights[i].Sum(), (1 << 22) - weights[i].Length, (1 << 22) + weights[i].Length);
            // support 1 * max(scale, 1) on either side of the centre: at most 2 * ceil(scale) + 1 taps.
            Assert.InRange(weights[i].Length, 1, 2 * (int)Math.Ceiling(Math.Max(1.0, (double)nIn / nOut)) + 1);
        }
    }

    [Fact]
    public void ShrinkingWidensTheTriangleAndEnlargingInterpolates()
    {
        byte[] Row(params int[] v) => [.. v.SelectMany(x => new[] { (byte)x, (byte)x, (byte)x })];
        // 4 -> 2: the triangle spans 2 inputs either side of centres 1 and 3, cut at the border: taps 0..2 weigh
        // 3/4, 3/4, 1/4 and taps 1..3 weigh 1/4, 3/4, 3/4, normalised: (100 * 0.75 + 200 * 0.25) / 1.75 = 71.4 -> 71,
        // (100 * 0.25 + 200 * 0.75 + 60 * 0.75) / 1.75 = 125.7 -> 126 (22-bit fixed point, rounded).
        var half = BilinearResize.Resize(new RgbImage(4, 1, Row(0, 100, 200, 60)), 2, 1);
        Assert.Equal(Row(71, 126), half.Pixels);
        // 2 -> 4: centres 0.25, 0.75, 1.25, 1.75 between the two inputs; the end samples copy the border.
        var twice = BilinearResize.Resize(new RgbImage(2, 1, Row(0, 200)), 4, 1);
        Assert.Equal(Row(0, 50, 150, 200), twice.Pixels);
    }

    [Fact]
    public void AnImageOfTheTargetSizeIsCopiedUnchanged()
    {
        var image = new RgbImage(3, 2, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
        var same = BilinearResize.Resize(image, 3, 2);
        Assert.NotSame(image, same);
        Assert.Equal(image.Pixels, same.Pixels);
    }
}
