using System.IO.Compression;
using System.Text;

namespace HeadPursuit.Runtime.Imaging;

/// <summary>
/// A PNG decoder (chunks IHDR, PLTE, IDAT…, IEND with CRC checks; every colour type and bit depth; the five
/// filters; Adam7) whose result is PIL's <c>Image.open(f).convert("RGB")</c>: grey v -> (v, v, v) with 1/2/4-bit grey
/// scaled to 0..255, palette indices -> PLTE colours, alpha dropped (no compositing), 16-bit samples -> their high
/// byte. 16-bit greyscale is refused: PIL opens it as mode I;16 and its RGB conversion clips instead.
/// Ancillary chunks (tRNS, gAMA, text…) are skipped, as convert("RGB") ignores them.
/// </summary>
internal static class PngDecoder
{
    static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static bool HasSignature(ReadOnlySpan<byte> file) => file.StartsWith(Signature);

    public static RgbImage Load(string path) => Decode(File.ReadAllBytes(path), path);

    public static RgbImage Decode(ReadOnlySpan<byte> file, string source)
    {
        if (!HasSignature(file)) throw new ModelFormatException($"{source}: not a PNG file (bad signature)");
        PngHeader? header = null;
        byte[]? palette = null;                 // [entries, 3]
        var compressed = new MemoryStream();     // the IDAT chunks, concatenated
        int at = Signature.Length;
        bool ended = false;
        while (!ended)
        {
            if (at + 8 > file.Length) throw new ModelFormatException($"{source}: PNG is truncated (chunk header at byte {at}, file ends at {file.Length}; no IEND)");
            long length = PngHeader.BigEndian(file[at..]);
            string type = Encoding.ASCII.GetString(file.Slice(at + 4, 4));
            if (length > int.MaxValue || at + 12 + length > file.Length)
                throw new ModelFormatException($"{source}: PNG is truncated ({type} chunk at byte {at} declares {length} bytes past the end of the file)");
            var typeAndData = file.Slice(at + 4, 4 + (int)length);
            var data = typeAndData[4..];
            uint stored = PngHeader.BigEndian(file[(at + 8 + (int)length)..]);
            if (Crc32.Compute(typeAndData) != stored)
                throw new ModelFormatException($"{source}: CRC mismatch in the {type} chunk at byte {at} (the file is corrupt)");
            at += 12 + (int)length;

            if (header == null && type != "IHDR") throw new ModelFormatException($"{source}: the first PNG chunk is {type}, expected IHDR");
            switch (type)
            {
                case "IHDR":
                    if (header != null) throw new ModelFormatException($"{source}: more than one IHDR chunk");
                    header = PngHeader.Parse(data, source);
                    break;
                case "PLTE":
                    if (data.Length % 3 != 0 || data.Length == 0 || data.Length > 768)
                        throw new ModelFormatException($"{source}: PLTE chunk of {data.Length} bytes (must be 3 to 768, a multiple of 3)");
                    palette = data.ToArray();
                    break;
                case "IDAT": compressed.Write(data); break;
                case "IEND": ended = true; break;
                default:
                    if (char.IsUpper(type[0])) throw new ModelFormatException($"{source}: unknown critical PNG chunk {type}");
                    break;   // ancillary: safe to ignore
            }
        }
        var h = header!;
        if (h.ColorType == 0 && h.BitDepth == 16)
            throw new ModelFormatException($"{source}: 16-bit greyscale PNG is not supported (PIL reads it as mode I;16, whose RGB conversion clips); convert it to 8-bit");
        if (h.ColorType == 3 && palette == null) throw new ModelFormatException($"{source}: palette PNG (colour type 3) without a PLTE chunk");
        if (compressed.Length == 0) throw new ModelFormatException($"{source}: PNG has no IDAT chunk");
        var raw = Inflate(compressed, ExpectedBytes(h), source);
        return ToRgb(h, raw, palette, source);
    }

    /// <summary>Adam7 passes: (x0, y0, dx, dy).</summary>
    static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    static (int X0, int Y0, int Dx, int Dy)[] Passes(PngHeader h) => h.Interlaced ? Adam7 : [(0, 0, 1, 1)];

    static (int W, int H) PassSize(PngHeader h, (int X0, int Y0, int Dx, int Dy) p) =>
        ((h.Width - p.X0 + p.Dx - 1) / p.Dx, (h.Height - p.Y0 + p.Dy - 1) / p.Dy);

    /// <summary>Filtered bytes of all passes: per non-empty pass, height rows of (1 filter byte + RowBytes(width)).</summary>
    static long ExpectedBytes(PngHeader h)
    {
        long n = 0;
        foreach (var p in Passes(h))
        {
            var (w, ht) = PassSize(h, p);
            if (w > 0 && ht > 0) n += (long)ht * (1 + h.RowBytes(w));
        }
        return n;
    }

    static byte[] Inflate(MemoryStream compressed, long expected, string source)
    {
        if (expected > int.MaxValue) throw new ModelFormatException($"{source}: PNG too large to decode");
        var raw = new byte[expected];
        compressed.Position = 0;
        try
        {
            using var z = new ZLibStream(compressed, CompressionMode.Decompress);
            int got = 0, read;
            while (got < raw.Length && (read = z.Read(raw, got, raw.Length - got)) > 0) got += read;
            if (got < raw.Length) throw new ModelFormatException($"{source}: PNG image data is truncated ({got} of {expected} bytes after decompression)");
        }
        catch (InvalidDataException e) { throw new ModelFormatException($"{source}: PNG image data is not valid zlib ({e.Message})"); }
        return raw;
    }

    static RgbImage ToRgb(PngHeader h, byte[] raw, byte[]? palette, string source)
    {
        var image = new RgbImage(h.Width, h.Height);
        int offset = 0;
        foreach (var p in Passes(h))
        {
            var (pw, ph) = PassSize(h, p);
            if (pw == 0 || ph == 0) continue;
            int rowBytes = h.RowBytes(pw);
            var previous = new byte[rowBytes];   // the row above (zeros above the first row of a pass)
            var current = new byte[rowBytes];
            for (int y = 0; y < ph; y++)
            {
                byte filter = raw[offset];
                raw.AsSpan(offset + 1, rowBytes).CopyTo(current);
                offset += 1 + rowBytes;
                PngFilters.Unfilter(filter, current, previous, h.FilterStride, source);
                for (int x = 0; x < pw; x++)
                    WritePixel(h, current, x, palette, image, p.X0 + x * p.Dx, p.Y0 + y * p.Dy, source);
                (previous, current) = (current, previous);
            }
        }
        return image;
    }

    static void WritePixel(PngHeader h, ReadOnlySpan<byte> row, int x, byte[]? palette, RgbImage image, int px, int py, string source)
    {
        var dst = image.Pixels.AsSpan((py * image.Width + px) * 3, 3);
        switch (h.ColorType)
        {
            case 0 or 4:
                byte v = h.BitDepth < 8 ? (byte)(Packed(row, x, h.BitDepth) * (255 / ((1 << h.BitDepth) - 1))) : Sample(h, row, x, 0);
                dst[0] = dst[1] = dst[2] = v;
                break;
            case 3:
                int index = h.BitDepth < 8 ? Packed(row, x, h.BitDepth) : row[x];
                if (index * 3 >= palette!.Length)
                    throw new ModelFormatException($"{source}: pixel ({px}, {py}) uses palette index {index}, the PLTE has {palette.Length / 3} entries");
                palette.AsSpan(index * 3, 3).CopyTo(dst);
                break;
            default:   // 2 (RGB) and 6 (RGBA, alpha dropped)
                for (int c = 0; c < 3; c++) dst[c] = Sample(h, row, x, c);
                break;
        }
    }

    /// <summary>Channel c of pixel x for 8- and 16-bit rows (16-bit: the big-endian high byte).</summary>
    static byte Sample(PngHeader h, ReadOnlySpan<byte> row, int x, int c) =>
        h.BitDepth == 8 ? row[x * h.Channels + c] : row[(x * h.Channels + c) * 2];

    /// <summary>The x-th sub-byte sample of a 1/2/4-bit row (most significant bits first).</summary>
    static int Packed(ReadOnlySpan<byte> row, int x, int depth)
    {
        int bit = x * depth;
        return (row[bit >> 3] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
    }
}
