using System.Text;
using HeadPursuit.Runtime.Imaging;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Imaging;

/// <summary>The PNG decoder on images the tests write themselves (all colour types, bit depths, filters, Adam7) and on damaged files.</summary>
public sealed class PngDecoderTests
{
    [Fact]
    public void Crc32MatchesTheCheckValue() => Assert.Equal(0xCBF43926u, Crc32.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Theory]
    [InlineData(0, 1)] [InlineData(0, 2)] [InlineData(0, 4)] [InlineData(0, 8)]
    [InlineData(2, 8)] [InlineData(2, 16)]
    [InlineData(3, 1)] [InlineData(3, 2)] [InlineData(3, 4)] [InlineData(3, 8)]
    [InlineData(4, 8)] [InlineData(4, 16)]
    [InlineData(6, 8)] [InlineData(6, 16)]
    public void EveryColourTypeAndDepthDecodesToPilRgb(int colorType, int depth)
    {
        foreach (bool adam7 in new[] { false, true })
            foreach (var (w, h) in new[] { (13, 11), (1, 1), (3, 9) })
            {
                int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
                var rng = new Random(w * 100 + h + colorType * 7 + depth);
                int entries = colorType == 3 ? Math.Min(1 << depth, 40) : 0;
                var palette = colorType == 3 ? Enumerable.Range(0, entries * 3).Select(_ => (byte)rng.Next(256)).ToArray() : null;
                int max = colorType == 3 ? entries : 1 << depth;
                var samples = Enumerable.Range(0, w * h * channels).Select(_ => rng.Next(max)).ToArray();
                var png = TestPngEncoder.Encode(w, h, colorType, depth, samples, adam7, palette);

                var image = PngDecoder.Decode(png, "test.png");

                Assert.Equal((w, h), (image.Width, image.Height));
                for (int p = 0; p < w * h; p++)
                {
                    int[] expected = colorType switch
                    {
                        0 or 4 => Enumerable.Repeat(Grey(samples[p * channels], depth), 3).ToArray(),
                        3 => [palette![samples[p] * 3], palette[samples[p] * 3 + 1], palette[samples[p] * 3 + 2]],
                        _ => [.. samples.AsSpan(p * channels, 3).ToArray().Select(v => depth == 16 ? v >> 8 : v)],
                    };
                    Assert.Equal(expected, image.Pixels.AsSpan(p * 3, 3).ToArray().Select(b => (int)b).ToArray());
                }
            }
    }

    /// <summary>PIL's L / 1-bit / L;2 / L;4 unpacking: a sample scaled to 0..255; 16-bit LA keeps the high byte.</summary>
    static int Grey(int v, int depth) => depth switch { 1 => v * 255, 2 => v * 85, 4 => v * 17, 8 => v, _ => v >> 8 };

    [Fact]
    public void SixteenBitGreyscaleIsRefusedClearly()
    {
        var png = TestPngEncoder.Encode(2, 2, 0, 16, [1, 2, 3, 4]);
        var e = Assert.Throws<ModelFormatException>(() => PngDecoder.Decode(png, "grey16.png"));
        Assert.Contains("16-bit greyscale", e.Message);
    }

    [Fact]
    public void ACorruptCrcIsReported()
    {
        var png = TestPngEncoder.Encode(4, 4, 2, 8, Enumerable.Range(0, 48).ToArray());
        png[40] ^= 0x55;   // inside the IDAT data: its CRC no longer matches
        var e = Assert.Throws<ModelFormatException>(() => PngDecoder.Decode(png, "bad.png"));
        Assert.Contains("CRC mismatch", e.Message);
        Assert.Contains("bad.png", e.Message);
    }

    [Theory]
    [InlineData(20)]
    [InlineData(60)]
    [InlineData(12)]
    public void ATruncatedFileIsReported(int keep)
    {
        var png = TestPngEncoder.Encode(4, 4, 2, 8, Enumerable.Range(0, 48).ToArray());
        var e = Assert.Throws<ModelFormatException>(() => PngDecoder.Decode(png.AsSpan(0, Math.Min(keep, png.Length - 1)), "cut.png"));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void NotAPngIsReported()
    {
        var e = Assert.Throws<ModelFormatException>(() => PngDecoder.Decode("GIF89a..."u8, "x.gif"));
        Assert.Contains("not a PNG", e.Message);
    }

    [Fact]
    public void TheFixtureImagesReportTheirPilModes()
    {
        // img4 is greyscale (L) and img5 RGBA: decoded as (v, v, v) and with alpha dropped, checked exactly by the verifier;
        // here: their sizes and that grey stays grey.
        var grey = ImageFile.Load(Fixtures.Path("llava-tiny", "images", "img4_50x40_l.png"));
        Assert.Equal((50, 40), (grey.Width, grey.Height));
        for (int p = 0; p < 50 * 40; p++)
            Assert.True(grey.Pixels[p * 3] == grey.Pixels[p * 3 + 1] && grey.Pixels[p * 3] == grey.Pixels[p * 3 + 2]);
    }
}
