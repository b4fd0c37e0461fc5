namespace HeadPursuit.Runtime.Imaging;

/// <summary>
/// The frame header (SOF0 baseline, SOF1 extended sequential, SOF2 progressive; Huffman coding, 8-bit samples):
/// image size, components with their sampling factors, and the MCU grid they imply.
/// </summary>
sealed class JpegFrame
{
    public int Width { get; }
    public int Height { get; }
    public bool Progressive { get; }
    public JpegComponent[] Components { get; }
    public int HMax { get; }
    public int VMax { get; }
    /// <summary>The MCU grid of interleaved scans: each MCU covers (8 * HMax) x (8 * VMax) pixels.</summary>
    public int McusPerLine { get; }
    public int McusPerColumn { get; }

    JpegFrame(int width, int height, bool progressive, JpegComponent[] components, int hMax, int vMax, int mcusPerLine, int mcusPerColumn)
    {
        Width = width; Height = height; Progressive = progressive; Components = components;
        HMax = hMax; VMax = vMax; McusPerLine = mcusPerLine; McusPerColumn = mcusPerColumn;
    }

    /// <summary>Parses the SOFn segment body (after its length field).</summary>
    public static JpegFrame Parse(ReadOnlySpan<byte> body, bool progressive, string source)
    {
        if (body.Length < 6) throw new ModelFormatException($"{source}: JPEG frame header (SOF) is {body.Length} bytes, too short");
        int precision = body[0];
        int height = body[1] << 8 | body[2];
        int width = body[3] << 8 | body[4];
        int count = body[5];
        if (precision == 12 || precision == 16)
            throw new ModelFormatException($"{source}: {precision}-bit JPEG is not supported (only 8-bit samples)");
        if (precision != 8) throw new ModelFormatException($"{source}: JPEG frame header declares {precision}-bit samples (must be 8)");
        if (height == 0) throw new ModelFormatException($"{source}: JPEG height 0 (defined later by a DNL marker) is not supported");
        if (width == 0) throw new ModelFormatException($"{source}: JPEG frame header declares width 0");
        if ((long)width * height * 3 > Array.MaxLength)
            throw new ModelFormatException($"{source}: JPEG of {width}x{height} pixels is too large to decode into one RGB array");
        if (count == 4) throw new ModelFormatException($"{source}: 4-component (CMYK/YCCK) JPEG is not supported (only greyscale and YCbCr/RGB)");
        if (count is not (1 or 3)) throw new ModelFormatException($"{source}: JPEG with {count} components is not supported (only 1 or 3)");
        if (body.Length != 6 + 3 * count)
            throw new ModelFormatException($"{source}: JPEG frame header is {body.Length} bytes, expected {6 + 3 * count} for {count} components");

        var specs = new (int Id, int H, int V, int Tq)[count];
        for (int i = 0; i < count; i++)
        {
            var c = body.Slice(6 + 3 * i, 3);
            specs[i] = (c[0], c[1] >> 4, c[1] & 15, c[2]);
            if (specs[i].H is < 1 or > 4 || specs[i].V is < 1 or > 4)
                throw new ModelFormatException($"{source}: JPEG component {c[0]} has sampling factors {specs[i].H}x{specs[i].V} (each must be 1..4)");
            if (specs[i].Tq > 3) throw new ModelFormatException($"{source}: JPEG component {c[0]} names quantization table {specs[i].Tq} (must be 0..3)");
            for (int j = 0; j < i; j++)
                if (specs[j].Id == specs[i].Id) throw new ModelFormatException($"{source}: JPEG component id {specs[i].Id} appears twice in the frame header");
        }
        int hMax = specs.Max(s => s.H), vMax = specs.Max(s => s.V);
        foreach (var s in specs)
            if (hMax % s.H != 0 || vMax % s.V != 0)
                throw new ModelFormatException($"{source}: JPEG component {s.Id} has sampling factors {s.H}x{s.V}, which do not divide {hMax}x{vMax} (fractional upsampling is not supported)");
        int mcusPerLine = (width + 8 * hMax - 1) / (8 * hMax);
        int mcusPerColumn = (height + 8 * vMax - 1) / (8 * vMax);
        var components = specs.Select(s => new JpegComponent(s.Id, s.H, s.V, s.Tq, width, height, hMax, vMax, mcusPerLine, mcusPerColumn)).ToArray();
        return new JpegFrame(width, height, progressive, components, hMax, vMax, mcusPerLine, mcusPerColumn);
    }
}
