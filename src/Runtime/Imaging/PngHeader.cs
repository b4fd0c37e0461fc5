namespace HeadPursuit.Runtime.Imaging;

/// <summary>A PNG's IHDR fields and the sample layout they imply.</summary>
internal sealed record PngHeader(int Width, int Height, int BitDepth, int ColorType, bool Interlaced)
{
    /// <summary>Samples per pixel: grey 1, RGB 3, palette index 1, grey + alpha 2, RGBA 4.</summary>
    public int Channels => ColorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw new InvalidOperationException() };
    /// <summary>Bytes per complete pixel, at least 1: the left neighbour distance of the Sub, Average and Paeth filters.</summary>
    public int FilterStride => Math.Max(1, Channels * BitDepth / 8);
    /// <summary>Bytes of one unfiltered scanline of <paramref name="width"/> pixels (without the filter-type byte).</summary>
    public int RowBytes(int width) => (int)(((long)width * Channels * BitDepth + 7) / 8);

    public static PngHeader Parse(ReadOnlySpan<byte> ihdr, string source)
    {
        if (ihdr.Length != 13) throw new ModelFormatException($"{source}: IHDR chunk has {ihdr.Length} bytes, expected 13");
        long w = BigEndian(ihdr), h = BigEndian(ihdr[4..]);
        int depth = ihdr[8], type = ihdr[9];
        if (w <= 0 || h <= 0 || w > int.MaxValue || h > int.MaxValue || w * h > 1L << 28)
            throw new ModelFormatException($"{source}: unsupported PNG size {w}x{h}");
        int[] allowed = type switch
        {
            0 => [1, 2, 4, 8, 16], 2 => [8, 16], 3 => [1, 2, 4, 8], 4 => [8, 16], 6 => [8, 16],
            _ => throw new ModelFormatException($"{source}: PNG colour type {type} does not exist (0, 2, 3, 4 or 6)"),
        };
        if (!allowed.Contains(depth)) throw new ModelFormatException($"{source}: bit depth {depth} is invalid for PNG colour type {type} (allowed: {string.Join(", ", allowed)})");
        if (ihdr[10] != 0) throw new ModelFormatException($"{source}: PNG compression method {ihdr[10]} is unknown (only 0, deflate)");
        if (ihdr[11] != 0) throw new ModelFormatException($"{source}: PNG filter method {ihdr[11]} is unknown (only 0)");
        if (ihdr[12] > 1) throw new ModelFormatException($"{source}: PNG interlace method {ihdr[12]} is unknown (0 none, 1 Adam7)");
        return new PngHeader((int)w, (int)h, depth, type, ihdr[12] == 1);
    }

    internal static uint BigEndian(ReadOnlySpan<byte> b) => (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
}
