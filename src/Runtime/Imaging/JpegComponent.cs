namespace HeadPursuit.Runtime.Imaging;

/// <summary>
/// One colour component of a JPEG frame: its sampling factors, its quantisation table, and the decoded DCT
/// coefficients of all its blocks, which every scan of the image adds to.
/// </summary>
sealed class JpegComponent
{
    public int Id { get; }
    /// <summary>Horizontal and vertical sampling factors (1..4).</summary>
    public int H { get; }
    public int V { get; }
    /// <summary>Which DQT slot (0..3) the frame header names.</summary>
    public int QuantSlot { get; }
    /// <summary>[64] in natural order: the slot's table as it was when this component's first scan began (libjpeg latches it there).</summary>
    public int[]? Quant { get; set; }

    /// <summary>Samples this component really has: ceil(image width * H / Hmax) x ceil(image height * V / Vmax).</summary>
    public int Width { get; }
    public int Height { get; }
    /// <summary>Blocks stored per row and per column: padded to whole MCUs, as interleaved scans cover them.</summary>
    public int BlocksPerLine { get; }
    public int BlocksPerColumn { get; }
    /// <summary>[BlocksPerColumn, BlocksPerLine, 64]: quantised coefficients in natural order.</summary>
    public short[] Coefficients { get; }

    /// <summary>Entropy-decoding state of the current scan: the DC prediction and the Huffman slots.</summary>
    public int DcPredictor { get; set; }
    public int DcTable { get; set; }
    public int AcTable { get; set; }

    public JpegComponent(int id, int h, int v, int quantSlot, int imageWidth, int imageHeight, int hMax, int vMax, int mcusPerLine, int mcusPerColumn)
    {
        Id = id; H = h; V = v; QuantSlot = quantSlot;
        Width = (imageWidth * h + hMax - 1) / hMax;
        Height = (imageHeight * v + vMax - 1) / vMax;
        BlocksPerLine = mcusPerLine * h;
        BlocksPerColumn = mcusPerColumn * v;
        Coefficients = new short[BlocksPerColumn * BlocksPerLine * 64];
    }

    /// <summary>Offset of block (row, column) in <see cref="Coefficients"/>.</summary>
    public int BlockOffset(int row, int column) => (row * BlocksPerLine + column) * 64;
}
