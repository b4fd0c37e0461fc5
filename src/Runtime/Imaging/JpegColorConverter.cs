namespace HeadPursuit.Runtime.Imaging;

/// <summary>
/// YCbCr -> RGB with libjpeg's fixed-point tables (jdcolor.c, 16 fractional bits):
///   R = Y + 1.40200 (Cr - 128),  G = Y - 0.34414 (Cb - 128) - 0.71414 (Cr - 128),  B = Y + 1.77200 (Cb - 128),
/// each product rounded as libjpeg rounds it, then clamped to 0..255.
/// </summary>
static class JpegColorConverter
{
    const int ScaleBits = 16;
    const int OneHalf = 1 << (ScaleBits - 1);
    static int Fix(double x) => (int)(x * (1 << ScaleBits) + 0.5);

    // [256] each, indexed by the chroma sample
    static readonly int[] CrToR = Table(i => (Fix(1.40200) * (i - 128) + OneHalf) >> ScaleBits);
    static readonly int[] CbToB = Table(i => (Fix(1.77200) * (i - 128) + OneHalf) >> ScaleBits);
    static readonly int[] CrToG = Table(i => -Fix(0.71414) * (i - 128));             // scaled by 2^16
    static readonly int[] CbToG = Table(i => -Fix(0.34414) * (i - 128) + OneHalf);   // scaled by 2^16, with the rounding half

    static int[] Table(Func<int, int> f) => Enumerable.Range(0, 256).Select(f).ToArray();

    /// <summary>Writes one RGB pixel from full-resolution Y, Cb, Cr samples.</summary>
    public static void ToRgb(byte y, byte cb, byte cr, Span<byte> rgb)
    {
        rgb[0] = Clamp(y + CrToR[cr]);
        rgb[1] = Clamp(y + ((CbToG[cb] + CrToG[cr]) >> ScaleBits));
        rgb[2] = Clamp(y + CbToB[cb]);
    }

    static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);
}
