namespace HeadPursuit.Runtime.Imaging;

/// <summary>PNG scanline filters (type byte 0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth), undone in place.</summary>
internal static class PngFilters
{
    /// <param name="row">The filtered scanline without its type byte; becomes the reconstructed bytes.</param>
    /// <param name="previous">The reconstructed scanline above (zeros for the first row of a pass).</param>
    /// <param name="stride">Bytes per complete pixel (at least 1): the distance to the "left" byte.</param>
    public static void Unfilter(byte filter, Span<byte> row, ReadOnlySpan<byte> previous, int stride, string source)
    {
        switch (filter)
        {
            case 0: break;
            case 1: for (int i = stride; i < row.Length; i++) row[i] += row[i - stride]; break;
            case 2: for (int i = 0; i < row.Length; i++) row[i] += previous[i]; break;
            case 3:
                for (int i = 0; i < row.Length; i++)
                    row[i] += (byte)(((i >= stride ? row[i - stride] : 0) + previous[i]) >> 1);
                break;
            case 4:
                for (int i = 0; i < row.Length; i++)
                    row[i] += Paeth(i >= stride ? row[i - stride] : (byte)0, previous[i], i >= stride ? previous[i - stride] : (byte)0);
                break;
            default: throw new ModelFormatException($"{source}: unknown PNG filter type {filter}");
        }
    }

    /// <summary>The PNG spec's predictor: whichever of left, above, upper-left is nearest to left + above - upper-left.</summary>
    public static byte Paeth(byte a, byte b, byte c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
