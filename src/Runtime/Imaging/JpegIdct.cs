namespace HeadPursuit.Runtime.Imaging;

/// <summary>
/// libjpeg's accurate integer inverse DCT ("islow", jidctint.c, the default of djpeg): the Loeffler-Ligtenberg-
/// Moschytz factorisation in fixed point with 13 fractional bits for the constants, columns first keeping 2 extra
/// bits (PASS1_BITS), then rows; the result is level-shifted by 128 and clamped the way libjpeg's range-limit table
/// does (wrapping to 10 bits first). Reproducing it exactly is what makes our pixels equal djpeg's.
/// </summary>
static class JpegIdct
{
    const int ConstBits = 13, Pass1Bits = 2;
    // round(x * 2^13) for the constants of the factorisation
    const long Fix0_298631336 = 2446, Fix0_390180644 = 3196, Fix0_541196100 = 4433, Fix0_765366865 = 6270,
        Fix0_899976223 = 7373, Fix1_175875602 = 9633, Fix1_501321110 = 12299, Fix1_847759065 = 15137,
        Fix1_961570560 = 16069, Fix2_053119869 = 16819, Fix2_562915447 = 20995, Fix3_072711026 = 25172;

    /// <summary>Dequantises and inverse-transforms one block.</summary>
    /// <param name="coefficients">[64] quantised coefficients, natural order.</param>
    /// <param name="quant">[64] quantisation table, natural order.</param>
    /// <param name="output">samples [8, stride]: row r, column c at output[r * stride + c].</param>
    public static void Transform(ReadOnlySpan<short> coefficients, ReadOnlySpan<int> quant, Span<byte> output, int stride)
    {
        Span<int> workspace = stackalloc int[64];   // [8, 8] after the column pass, scaled by 2^Pass1Bits
        Span<long> v = stackalloc long[8];          // one column or row in
        Span<long> r = stackalloc long[8];          // ... and out
        for (int col = 0; col < 8; col++)
        {
            for (int i = 0; i < 8; i++) v[i] = coefficients[i * 8 + col] * quant[i * 8 + col];
            Butterfly(v, r);
            for (int i = 0; i < 8; i++) workspace[i * 8 + col] = (int)Descale(r[i], ConstBits - Pass1Bits);
        }
        for (int row = 0; row < 8; row++)
        {
            for (int i = 0; i < 8; i++) v[i] = workspace[row * 8 + i];
            Butterfly(v, r);
            for (int i = 0; i < 8; i++) output[row * stride + i] = RangeLimit(Descale(r[i], ConstBits + Pass1Bits + 3));
        }
    }

    /// <summary>The 1-D 8-point inverse transform of v[0..7] into r[0..7], scaled by 2^ConstBits (jidctint.c's even and odd parts).</summary>
    static void Butterfly(ReadOnlySpan<long> v, Span<long> r)
    {
        // even part: the rotator is sqrt(2) * c(-6)
        long z1 = (v[2] + v[6]) * Fix0_541196100;
        long tmp2 = z1 + v[6] * -Fix1_847759065;
        long tmp3 = z1 + v[2] * Fix0_765366865;
        long tmp0 = (v[0] + v[4]) << ConstBits;
        long tmp1 = (v[0] - v[4]) << ConstBits;
        long tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;

        // odd part
        long o0 = v[7], o1 = v[5], o2 = v[3], o3 = v[1];
        long za = o0 + o3, zb = o1 + o2, zc = o0 + o2, zd = o1 + o3;
        long z5 = (zc + zd) * Fix1_175875602;   // sqrt(2) * c3
        o0 *= Fix0_298631336; o1 *= Fix2_053119869; o2 *= Fix3_072711026; o3 *= Fix1_501321110;
        za *= -Fix0_899976223; zb *= -Fix2_562915447; zc *= -Fix1_961570560; zd *= -Fix0_390180644;
        zc += z5; zd += z5;
        o0 += za + zc; o1 += zb + zd; o2 += zb + zc; o3 += za + zd;

        r[0] = tmp10 + o3; r[7] = tmp10 - o3;
        r[1] = tmp11 + o2; r[6] = tmp11 - o2;
        r[2] = tmp12 + o1; r[5] = tmp12 - o1;
        r[3] = tmp13 + o0; r[4] = tmp13 - o0;
    }

    /// <summary>Divides by 2^n rounding half up (libjpeg's DESCALE: add half, arithmetic shift).</summary>
    static long Descale(long x, int n) => (x + (1L << (n - 1))) >> n;

    /// <summary>
    /// libjpeg's post-IDCT range limit: the value is taken modulo 1024 as a signed 10-bit number (its table is indexed
    /// with x &amp; 1023), then shifted by 128 and clamped to 0..255.
    /// </summary>
    public static byte RangeLimit(long x)
    {
        int wrapped = (int)((x + 512) & 1023) - 512;
        return (byte)Math.Clamp(wrapped + 128, 0, 255);
    }
}
