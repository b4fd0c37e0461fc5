namespace HeadPursuit.Runtime.Imaging;

/// <summary>
/// A scan header (SOS): which components the scan codes (each with its DC and AC Huffman slots), the spectral band
/// Ss..Se of zig-zag positions, and the successive-approximation bit positions Ah (previous) and Al (this scan).
/// Sequential scans always have Ss = 0, Se = 63, Ah = Al = 0.
/// </summary>
sealed class JpegScan
{
    public JpegComponent[] Components { get; }
    public int Ss { get; }
    public int Se { get; }
    public int Ah { get; }
    public int Al { get; }

    JpegScan(JpegComponent[] components, int ss, int se, int ah, int al)
    {
        Components = components; Ss = ss; Se = se; Ah = ah; Al = al;
    }

    /// <summary>Parses the SOS segment body and checks it against the frame; records each component's Huffman slots.</summary>
    public static JpegScan Parse(ReadOnlySpan<byte> body, JpegFrame frame, string source)
    {
        if (body.Length < 1) throw new ModelFormatException($"{source}: empty JPEG scan header (SOS)");
        int count = body[0];
        if (count is < 1 or > 4 || body.Length != 4 + 2 * count)
            throw new ModelFormatException($"{source}: JPEG scan header (SOS) of {body.Length} bytes for {count} components (corrupt)");
        var components = new JpegComponent[count];
        for (int i = 0; i < count; i++)
        {
            int id = body[1 + 2 * i];
            var c = frame.Components.FirstOrDefault(x => x.Id == id)
                ?? throw new ModelFormatException($"{source}: JPEG scan names component {id}, which the frame header does not declare");
            if (components.Contains(c)) throw new ModelFormatException($"{source}: JPEG scan names component {id} twice");
            c.DcTable = body[2 + 2 * i] >> 4;
            c.AcTable = body[2 + 2 * i] & 15;
            if (c.DcTable > 3 || c.AcTable > 3)
                throw new ModelFormatException($"{source}: JPEG scan gives component {id} Huffman tables DC {c.DcTable} / AC {c.AcTable} (each must be 0..3)");
            components[i] = c;
        }
        int tail = 1 + 2 * count;
        var scan = new JpegScan(components, body[tail], body[tail + 1], body[tail + 2] >> 4, body[tail + 2] & 15);
        if (count > 1 && components.Sum(c => c.H * c.V) > 10)
            throw new ModelFormatException($"{source}: JPEG interleaved scan has more than 10 blocks per MCU");
        if (frame.Progressive) scan.CheckProgressive(source);
        return scan;
    }

    void CheckProgressive(string source)
    {
        string band = $"progressive JPEG scan with Ss={Ss} Se={Se} Ah={Ah} Al={Al}";
        if (Ss == 0 && Se != 0) throw new ModelFormatException($"{source}: {band}: a DC scan must have Se = 0");
        if (Ss > 0 && (Se < Ss || Se > 63)) throw new ModelFormatException($"{source}: {band}: the AC band must satisfy 1 <= Ss <= Se <= 63");
        if (Ss > 0 && Components.Length != 1) throw new ModelFormatException($"{source}: {band}: an AC scan must code exactly one component");
        if (Al > 13 || (Ah != 0 && Ah != Al + 1)) throw new ModelFormatException($"{source}: {band}: bad successive-approximation bits");
    }
}
