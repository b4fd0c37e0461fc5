using HeadPursuit.Runtime.Imaging;

namespace HeadPursuit.Runtime.Tests.Imaging;

/// <summary>The decoder's stages on their own: bit reader, Huffman table, IDCT, upsampling, colour conversion.</summary>
public sealed class JpegStageTests
{
    [Fact]
    public void TheBitReaderUnstuffsFfAndExtendsSigns()
    {
        // bits: 1111 1111 | 010 110 11   (FF stuffed with 00, then 0x5B)
        var bits = new JpegBitReader([0xFF, 0x00, 0x5B, 0xFF, 0xD9], 0, "t.jpg");
        Assert.Equal(0xFF, bits.ReadBits(8));
        Assert.Equal(2 - 8 + 1, bits.ReadSigned(3));   // leading 0: negative
        Assert.Equal(6, bits.ReadSigned(3));
        Assert.Equal(3, bits.ReadBits(2));
        var e = Assert.Throws<ModelFormatException>(() => bits.ReadBit());   // the next byte starts the EOI marker
        Assert.Contains("marker FFD9", e.Message);
    }

    [Fact]
    public void TheHuffmanTableDecodesCanonicalCodes()
    {
        // The standard luminance DC table (Annex K.3): 00 -> 0, 010 -> 1, 011 -> 2, 100 -> 3, 101 -> 4, 110 -> 5, 1110 -> 6, 11110 -> 7 ...
        byte[] counts = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
        byte[] symbols = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
        var table = new JpegHuffmanTable(counts, symbols, "DC Huffman table 0", "t.jpg");
        // 00 010 110 1110 11110 + padding 1: 0001 0110 | 1110 1111 | 0111 1111 -> 0x16 0xEF 0x7F
        var bits = new JpegBitReader([0x16, 0xEF, 0x7F], 0, "t.jpg");
        Assert.Equal([0, 1, 5, 6, 7], Enumerable.Range(0, 5).Select(_ => table.Decode(bits, "t.jpg")));
    }

    [Fact]
    public void AnOverfullHuffmanTableIsRejected()
    {
        byte[] counts = [3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];   // three 1-bit codes cannot exist
        var e = Assert.Throws<ModelFormatException>(() => new JpegHuffmanTable(counts, [1, 2, 3], "AC Huffman table 1", "t.jpg"));
        Assert.Contains("AC Huffman table 1", e.Message);
    }

    [Theory]
    [InlineData(12, 1, 130)]    // 12 / 8 = 1.5 rounds up
    [InlineData(-12, 1, 127)]   // -1.5 rounds up to -1
    [InlineData(100, 16, 255)]  // 200 over range: clamped
    [InlineData(-100, 16, 0)]
    public void ADcOnlyBlockIsFlat(int dc, int q, int expected)
    {
        var coefficients = new short[64];
        coefficients[0] = (short)dc;
        var quant = Enumerable.Repeat(q, 64).ToArray();
        var output = new byte[64];
        JpegIdct.Transform(coefficients, quant, output, 8);
        Assert.All(output, v => Assert.Equal(expected, v));
    }

    [Fact]
    public void TheRangeLimitWrapsTenBitsLikeLibjpeg()
    {
        Assert.Equal(128, JpegIdct.RangeLimit(0));
        Assert.Equal(255, JpegIdct.RangeLimit(200));
        Assert.Equal(0, JpegIdct.RangeLimit(-200));
        Assert.Equal(0, JpegIdct.RangeLimit(600));      // 600 - 1024 = -424: below range
        Assert.Equal(152, JpegIdct.RangeLimit(-1000));  // -1000 + 1024 = 24
    }

    /// <summary>
    /// The fixed-point IDCT against the textbook one in double precision, on random blocks whose samples stay in range:
    /// libjpeg's islow meets IEEE 1180, whose peak error is 1, so no sample may differ by more than 1.
    /// </summary>
    [Fact]
    public void TheIntegerIdctIsWithinOneOfTheExactTransform()
    {
        var rng = new Random(7);
        int tested = 0, exact = 0;
        while (tested < 300)
        {
            var coefficients = new short[64];
            for (int i = 0; i < 64; i++) coefficients[i] = (short)(rng.Next(6) == 0 ? rng.Next(-20, 21) : 0);
            var quant = Enumerable.Range(0, 64).Select(_ => rng.Next(1, 12)).ToArray();
            var reference = ReferenceIdct(coefficients, quant);
            if (reference.Any(v => v < 0.5 || v > 254.5)) continue;   // clamped samples say nothing about accuracy
            var output = new byte[64];
            JpegIdct.Transform(coefficients, quant, output, 8);
            for (int i = 0; i < 64; i++)
            {
                Assert.InRange(Math.Abs(output[i] - reference[i]), 0, 1.0);
                if (output[i] == (int)Math.Round(reference[i])) exact++;
            }
            tested++;
        }
        Assert.True(exact > 0.95 * 64 * tested, $"only {exact} of {64 * tested} samples round like the exact transform");
    }

    /// <summary>f(y, x) = 128 + 1/4 sum_u sum_v C(u) C(v) F(v, u) cos((2x+1)u pi/16) cos((2y+1)v pi/16), C(0) = 1/sqrt 2.</summary>
    static double[] ReferenceIdct(short[] coefficients, int[] quant)
    {
        var result = new double[64];   // [8, 8]
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
            {
                double sum = 0;
                for (int v = 0; v < 8; v++)
                    for (int u = 0; u < 8; u++)
                        sum += (u == 0 ? Math.Sqrt(0.5) : 1) * (v == 0 ? Math.Sqrt(0.5) : 1) * coefficients[v * 8 + u] * quant[v * 8 + u]
                            * Math.Cos((2 * x + 1) * u * Math.PI / 16) * Math.Cos((2 * y + 1) * v * Math.PI / 16);
                result[y * 8 + x] = 128 + sum / 4;
            }
        return result;
    }

    [Fact]
    public void H2v1FancyUpsamplingWeighsNeighboursThreeToOne()
    {
        byte[] row = [0, 100, 200];
        // (3 * nearer + further + 1 or 2) / 4, edges repeating the end samples
        Assert.Equal([0, 25, 75, 125, 175, 200], JpegUpsampler.Upsample(row, 3, 3, 1, 2, 1, 6, 1));
        // an odd output width drops the last sample
        Assert.Equal([0, 25, 75, 125, 175], JpegUpsampler.Upsample(row, 3, 3, 1, 2, 1, 5, 1));
    }

    [Fact]
    public void NarrowComponentsAreReplicatedAsLibjpegDoes()
    {
        byte[] plane = [10, 90, 0, 0, 30, 50, 0, 0];   // [2, 4]: 2 real samples per row, stride 4
        Assert.Equal([10, 10, 90, 90, 10, 10, 90, 90, 30, 30, 50, 50, 30, 30, 50, 50], JpegUpsampler.Upsample(plane, 4, 2, 2, 2, 2, 4, 4));
    }

    [Fact]
    public void H1v2FancyUpsamplingWeighsRowsThreeToOne()
    {
        byte[] column = [0, 80];   // [2, 1]
        // row above with bias 1, row below with bias 2: (0+0+1)/4, (0+80+2)/4, (240+0+1)/4, (240+80+2)/4
        Assert.Equal([0, 20, 60, 80], JpegUpsampler.Upsample(column, 1, 1, 2, 1, 2, 1, 4));
    }

    [Fact]
    public void H2v2FancyUpsamplingIsTheTriangleFilterBothWays()
    {
        byte[] plane = [0, 64, 128, 16, 80, 144];   // [2, 3]
        var output = JpegUpsampler.Upsample(plane, 3, 3, 2, 2, 2, 6, 4);   // [4, 6]
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 6; x++)
            {
                // weights 9/16, 3/16, 3/16, 1/16 on the nearest sample, its horizontal and vertical neighbours and the diagonal one
                int r = y / 2, c = x / 2;
                int r2 = Math.Clamp(y % 2 == 0 ? r - 1 : r + 1, 0, 1), c2 = Math.Clamp(x % 2 == 0 ? c - 1 : c + 1, 0, 2);
                double exact = (9.0 * plane[r * 3 + c] + 3 * plane[r * 3 + c2] + 3 * plane[r2 * 3 + c] + plane[r2 * 3 + c2]) / 16;
                Assert.InRange(output[y * 6 + x], exact - 0.5, exact + 0.5);   // libjpeg's biases 8 and 7 round half up or down
            }
    }

    [Fact]
    public void YCbCrConversionFollowsTheJfifFormulas()
    {
        Span<byte> rgb = stackalloc byte[3];
        for (int y = 0; y < 256; y += 5)
            for (int cb = 0; cb < 256; cb += 3)
                for (int cr = 0; cr < 256; cr += 7)
                {
                    JpegColorConverter.ToRgb((byte)y, (byte)cb, (byte)cr, rgb);
                    double r = y + 1.402 * (cr - 128), g = y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128), b = y + 1.772 * (cb - 128);
                    Assert.InRange(rgb[0], Math.Clamp(r, 0, 255) - 0.51, Math.Clamp(r, 0, 255) + 0.51);
                    Assert.InRange(rgb[1], Math.Clamp(g, 0, 255) - 0.51, Math.Clamp(g, 0, 255) + 0.51);
                    Assert.InRange(rgb[2], Math.Clamp(b, 0, 255) - 0.51, Math.Clamp(b, 0, 255) + 0.51);
                }
        JpegColorConverter.ToRgb(77, 128, 128, rgb);
        Assert.Equal([77, 77, 77], rgb.ToArray());
    }
}
