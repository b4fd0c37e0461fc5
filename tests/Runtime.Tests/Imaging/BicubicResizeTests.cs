using HeadPursuit.Runtime.Imaging;

namespace HeadPursuit.Runtime.Tests.Imaging;

/// <summary>Properties of the Pillow bicubic port (its bit-exactness on real images is checked against the llava-tiny fixture).</summary>
public sealed class BicubicResizeTests
{
    [Theory]
    [InlineData(47, 45)] [InlineData(20, 32)] [InlineData(160, 42)] [InlineData(64, 102)] [InlineData(7, 3)]
    public void FixedPointWeightsSumToOne(int nIn, int nOut)
    {
        var (start, weights) = PillowResample.Coefficients(nIn, nOut, BicubicResize.Filter);
        for (int i = 0; i < nOut; i++)
        {
            Assert.InRange(start[i], 0, nIn - 1);
            Assert.InRange(start[i] + weights[i].Length, 1, nIn);
            Assert.InRange(weights[i].Sum(), (1 << 22) - weights[i].Length, (1 << 22) + weights[i].Length);
        }
    }

    [Fact]
    public void AFlatImageStaysFlatAtAnySize()
    {
        var image = new RgbImage(37, 23, Enumerable.Repeat((byte)200, 37 * 23 * 3).ToArray());
        foreach (var (w, h) in new[] { (32, 19), (80, 50), (37, 40), (5, 23) })
        {
            var r = BicubicResize.Resize(image, w, h);
            Assert.Equal((w, h), (r.Width, r.Height));
            Assert.All(r.Pixels, v => Assert.Equal(200, v));
        }
    }

    [Fact]
    public void KernelIsTheCubicWithAMinusHalf()
    {
        Assert.Equal(1.0, BicubicResize.Kernel(0));
        Assert.Equal(0.0, BicubicResize.Kernel(1));
        Assert.Equal(0.0, BicubicResize.Kernel(2));
        Assert.Equal(0.5625, BicubicResize.Kernel(0.5));     // (1.5 * 0.5 - 2.5) * 0.25 + 1
        Assert.Equal(-0.0625, BicubicResize.Kernel(-1.5));   // ((1.5 - 5) * 1.5 + 8) * 1.5 - 4 = 0.125, times -0.5
    }

    [Fact]
    public void HighContrastUpscalingIsClampedNotWrapped()
    {
        // A black/white step overshoots with a = -0.5; the 8-bit clamp must hold it at 0 and 255.
        var px = new byte[8 * 1 * 3];
        for (int x = 4; x < 8; x++) px[x * 3] = px[x * 3 + 1] = px[x * 3 + 2] = 255;
        var r = BicubicResize.Resize(new RgbImage(8, 1, px), 30, 1);
        Assert.Equal(0, r.Pixels[0]);
        Assert.Equal(255, r.Pixels[29 * 3]);
        for (int x = 1; x < 30; x++) Assert.True(r.Pixels[x * 3] >= r.Pixels[(x - 1) * 3], "a step stays monotone after clamping");
    }
}
