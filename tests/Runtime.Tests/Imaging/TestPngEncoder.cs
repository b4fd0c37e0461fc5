using System.IO.Compression;
using System.Text;
using HeadPursuit.Runtime.Imaging;

namespace HeadPursuit.Runtime.Tests.Imaging;

/// <summary>
/// A small PNG writer for the decoder tests, written from the PNG specification independently of the decoder:
/// samples [H, W, channels] (values 0..2^depth-1) are packed MSB-first (16-bit big-endian), every scanline y of a
/// pass is filtered with type y % 5 (so each image uses all five filters), IDAT is split in two chunks.
/// </summary>
static class TestPngEncoder
{
    public static byte[] Encode(int width, int height, int colorType, int depth, int[] samples, bool adam7 = false, byte[]? palette = null)
    {
        int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        int stride = Math.Max(1, channels * depth / 8);
        var passes = adam7
            ? new[] { (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2) }
            : new[] { (0, 0, 1, 1) };
        var filtered = new MemoryStream();
        foreach (var (x0, y0, dx, dy) in passes)
        {
            int pw = (width - x0 + dx - 1) / dx, ph = (height - y0 + dy - 1) / dy;
            if (pw == 0 || ph == 0) continue;
            byte[] prior = new byte[(pw * channels * depth + 7) / 8];
            for (int y = 0; y < ph; y++)
            {
                var bits = new List<int>();
                for (int x = 0; x < pw; x++)
                    for (int c = 0; c < channels; c++)
                        bits.Add(samples[(((y0 + y * dy) * width) + x0 + x * dx) * channels + c]);
                byte[] row = Pack(bits, depth, prior.Length);
                int type = y % 5;
                filtered.WriteByte((byte)type);
                for (int i = 0; i < row.Length; i++)
                {
                    int a = i >= stride ? row[i - stride] : 0, b = prior[i], c = i >= stride ? prior[i - stride] : 0;
                    int predicted = type switch { 0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2, _ => Paeth(a, b, c) };
                    filtered.WriteByte((byte)(row[i] - predicted));
                }
                prior = row;
            }
        }
        var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) zs.Write(filtered.ToArray());
        var idat = z.ToArray();

        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", [.. BigEndian(width), .. BigEndian(height), (byte)depth, (byte)colorType, 0, 0, (byte)(adam7 ? 1 : 0)]);
        if (palette != null) Chunk(png, "PLTE", palette);
        Chunk(png, "tEXt", Encoding.ASCII.GetBytes("Comment\0ancillary chunks are skipped"));
        Chunk(png, "IDAT", idat[..(idat.Length / 2)]);
        Chunk(png, "IDAT", idat[(idat.Length / 2)..]);
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    static byte[] Pack(List<int> values, int depth, int length)
    {
        var row = new byte[length];
        if (depth == 16)
        {
            for (int i = 0; i < values.Count; i++) { row[2 * i] = (byte)(values[i] >> 8); row[2 * i + 1] = (byte)values[i]; }
            return row;
        }
        for (int i = 0; i < values.Count; i++)
        {
            int bit = i * depth;
            row[bit / 8] |= (byte)(values[i] << (8 - depth - bit % 8));
        }
        return row;
    }

    static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc) return a;
        return pb <= pc ? b : c;
    }

    static byte[] BigEndian(int v) => [(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v];

    static void Chunk(Stream s, string type, byte[] data)
    {
        s.Write(BigEndian(data.Length));
        byte[] typeAndData = [.. Encoding.ASCII.GetBytes(type), .. data];
        s.Write(typeAndData);
        s.Write(BigEndian((int)Crc32.Compute(typeAndData)));
    }
}
