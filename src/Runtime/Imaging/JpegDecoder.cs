namespace HeadPursuit.Runtime.Imaging;

/// <summary>
/// A JPEG decoder: baseline and extended sequential (SOF0, SOF1) and progressive (SOF2) Huffman-coded 8-bit images,
/// greyscale or three components (YCbCr, or RGB per Adobe APP14 transform 0 / component ids 'R' 'G' 'B') with any
/// integral sampling factors, restart markers, APPn/COM skipped. Its output is libjpeg-turbo's `djpeg` default decode
/// exactly: accurate integer IDCT, fancy upsampling, libjpeg's fixed-point YCbCr -> RGB; grey v -> (v, v, v).
/// Arithmetic coding, lossless and hierarchical JPEG, 12-bit samples and CMYK/YCCK are refused with a message.
///
/// Why we decode ourselves: the package registry offers no image library we may use, and binding the system libjpeg
/// through P/Invoke is unsafe for user input: libjpeg reports errors by longjmp (or exit() in its default handler),
/// which .NET cannot catch, so one corrupt file would take the whole process down.
/// </summary>
internal static class JpegDecoder
{
    const int Soi = 0xD8, Eoi = 0xD9, Sos = 0xDA, Dqt = 0xDB, Dri = 0xDD, Dht = 0xC4, Dnl = 0xDC, Dac = 0xCC,
        App0 = 0xE0, App14 = 0xEE, Com = 0xFE;

    /// <summary>A JPEG file starts with SOI (FF D8) and then another marker.</summary>
    public static bool HasSignature(ReadOnlySpan<byte> file) => file.Length >= 3 && file[0] == 0xFF && file[1] == Soi && file[2] == 0xFF;

    public static RgbImage Load(string path) => Decode(File.ReadAllBytes(path), path);

    public static RgbImage Decode(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 2 || bytes[0] != 0xFF || bytes[1] != Soi) throw new ModelFormatException($"{source}: not a JPEG file (no SOI marker)");
        var file = bytes.ToArray();
        var quant = new int[4][];                      // [slot] -> [64] natural order
        var dcTables = new JpegHuffmanTable?[4];
        var acTables = new JpegHuffmanTable?[4];
        JpegFrame? frame = null;
        int restartInterval = 0;
        bool jfif = false;
        int? adobeTransform = null;
        int at = 2;
        while (true)
        {
            int marker = ReadMarker(file, ref at, source);
            if (marker == Eoi) break;
            if (marker is >= 0xD0 and <= 0xD7 || marker == 0x01)
                throw new ModelFormatException($"{source}: unexpected JPEG marker FF{marker:X2} outside a scan at byte {at - 2}");
            if (marker == Soi) throw new ModelFormatException($"{source}: second JPEG SOI marker at byte {at - 2}");
            int segmentStart = at - 2;
            var body = ReadSegment(file, ref at, marker, source);
            switch (marker)
            {
                case 0xC0 or 0xC1 or 0xC2:
                    if (frame != null) throw new ModelFormatException($"{source}: second JPEG frame header (SOF) at byte {segmentStart}");
                    frame = JpegFrame.Parse(body, marker == 0xC2, source);
                    break;
                case 0xC3: throw new ModelFormatException($"{source}: lossless JPEG (SOF3) is not supported");
                case 0xC5 or 0xC6 or 0xC7: throw new ModelFormatException($"{source}: hierarchical JPEG (SOF{marker - 0xC0}) is not supported");
                case 0xC9 or 0xCA or 0xCB or 0xCD or 0xCE or 0xCF or Dac:
                    throw new ModelFormatException($"{source}: arithmetic-coded JPEG ({(marker == Dac ? "DAC" : $"SOF{marker - 0xC0}")}) is not supported (only Huffman coding)");
                case Dht: ReadHuffmanTables(body, dcTables, acTables, source); break;
                case Dqt: ReadQuantTables(body, quant, source); break;
                case Dri:
                    if (body.Length != 2) throw new ModelFormatException($"{source}: JPEG DRI segment of {body.Length} bytes (must be 2)");
                    restartInterval = body[0] << 8 | body[1];
                    break;
                case Dnl: throw new ModelFormatException($"{source}: JPEG DNL marker (height defined after the scan) is not supported");
                case App0:
                    jfif |= body.StartsWith("JFIF\0"u8);
                    break;
                case App14:
                    if (body.Length >= 12 && body.StartsWith("Adobe"u8)) adobeTransform = body[11];
                    break;
                case Sos:
                    if (frame == null) throw new ModelFormatException($"{source}: JPEG scan (SOS) at byte {segmentStart} comes before any frame header (SOF)");
                    var scan = JpegScan.Parse(body, frame, source);
                    foreach (var c in scan.Components)
                    {
                        c.Quant ??= (int[]?)quant[c.QuantSlot]?.Clone()
                            ?? throw new ModelFormatException($"{source}: JPEG component {c.Id} uses quantization table {c.QuantSlot}, but no DQT segment defined it");
                        c.DcPredictor = 0;
                    }
                    var bits = new JpegBitReader(file, at, source);
                    JpegScanDecoder.Decode(frame, scan, dcTables, acTables, restartInterval, bits, source);
                    at = NextMarker(file, bits.Position, source);
                    break;
                default:
                    if (marker is (>= 0xE0 and <= 0xEF) or Com) break;   // APPn, COM: skipped
                    throw new ModelFormatException($"{source}: unknown JPEG marker FF{marker:X2} at byte {segmentStart}");
            }
        }
        if (frame == null) throw new ModelFormatException($"{source}: JPEG has no frame header (SOF) before EOI");
        return JpegOutput.ToRgb(frame, frame.Components.Length == 3 && HoldsRgb(frame, jfif, adobeTransform), source);
    }

    /// <summary>
    /// libjpeg's guess of a 3-component colour space: a JFIF marker means YCbCr; else an Adobe marker's transform
    /// (0 = RGB, otherwise YCbCr); else component ids 'R' 'G' 'B' mean RGB; anything else is YCbCr.
    /// </summary>
    static bool HoldsRgb(JpegFrame frame, bool jfif, int? adobeTransform)
    {
        if (jfif) return false;
        if (adobeTransform is { } t) return t == 0;
        var ids = frame.Components.Select(c => c.Id).ToArray();
        return ids is ['R', 'G', 'B'];
    }

    /// <summary>Reads a marker at `at` (fill bytes FF allowed before it) and returns its code.</summary>
    static int ReadMarker(byte[] file, ref int at, string source)
    {
        if (at >= file.Length) throw new ModelFormatException($"{source}: JPEG data is truncated: the file ends at byte {file.Length} before the EOI marker");
        if (file[at] != 0xFF) throw new ModelFormatException($"{source}: expected a JPEG marker at byte {at}, found 0x{file[at]:X2} (corrupt file)");
        while (at < file.Length && file[at] == 0xFF) at++;
        if (at >= file.Length) throw new ModelFormatException($"{source}: JPEG data is truncated: the file ends at byte {file.Length} inside a marker");
        if (file[at] == 0) throw new ModelFormatException($"{source}: bad JPEG marker FF00 at byte {at - 1}");
        return file[at++];
    }

    /// <summary>A marker segment's body (after its 2-byte length, which counts itself); advances past it.</summary>
    static ReadOnlySpan<byte> ReadSegment(byte[] file, ref int at, int marker, string source)
    {
        if (at + 2 > file.Length) throw new ModelFormatException($"{source}: JPEG data is truncated: the FF{marker:X2} segment at byte {at - 2} has no length");
        int length = file[at] << 8 | file[at + 1];
        if (length < 2) throw new ModelFormatException($"{source}: JPEG FF{marker:X2} segment at byte {at - 2} declares length {length} (must be at least 2)");
        if (at + length > file.Length)
            throw new ModelFormatException($"{source}: JPEG data is truncated: the FF{marker:X2} segment at byte {at - 2} declares {length} bytes, past the end of the file");
        var body = file.AsSpan(at + 2, length - 2);
        at += length;
        return body;
    }

    /// <summary>
    /// After a scan's data: the position of the next marker. Like libjpeg, stray bytes before it are skipped; a file
    /// that ends first is truncated.
    /// </summary>
    static int NextMarker(byte[] file, int at, string source)
    {
        for (; at + 1 < file.Length; at++)
            if (file[at] == 0xFF && file[at + 1] is not (0x00 or 0xFF)) return at;
        throw new ModelFormatException($"{source}: JPEG data is truncated: the file ends at byte {file.Length} after a scan, before the EOI marker");
    }

    /// <summary>DHT: one or more tables, each Tc/Th, BITS[16], HUFFVAL[sum of BITS].</summary>
    static void ReadHuffmanTables(ReadOnlySpan<byte> body, JpegHuffmanTable?[] dc, JpegHuffmanTable?[] ac, string source)
    {
        while (body.Length > 0)
        {
            if (body.Length < 17) throw new ModelFormatException($"{source}: JPEG DHT segment is truncated (a table header needs 17 bytes, {body.Length} left)");
            int cls = body[0] >> 4, slot = body[0] & 15;
            if (cls > 1 || slot > 3) throw new ModelFormatException($"{source}: JPEG DHT names table class {cls} slot {slot} (class must be 0 or 1, slot 0..3)");
            var counts = body.Slice(1, 16);
            int total = 0;
            foreach (byte n in counts) total += n;
            if (total > 256 || body.Length < 17 + total)
                throw new ModelFormatException($"{source}: JPEG DHT table {(cls == 0 ? "DC" : "AC")} {slot} declares {total} symbols, more than {(total > 256 ? "256" : "the segment holds")}");
            string what = $"{(cls == 0 ? "DC" : "AC")} Huffman table {slot}";
            var table = new JpegHuffmanTable(counts, body.Slice(17, total), what, source);
            (cls == 0 ? dc : ac)[slot] = table;
            body = body[(17 + total)..];
        }
    }

    /// <summary>DQT: one or more tables, each Pq/Tq and 64 entries (8-bit if Pq = 0, 16-bit if 1) in zig-zag order.</summary>
    static void ReadQuantTables(ReadOnlySpan<byte> body, int[][] quant, string source)
    {
        while (body.Length > 0)
        {
            int precision = body[0] >> 4, slot = body[0] & 15;
            if (precision > 1 || slot > 3) throw new ModelFormatException($"{source}: JPEG DQT names precision {precision} slot {slot} (precision must be 0 or 1, slot 0..3)");
            int size = 1 + 64 * (precision + 1);
            if (body.Length < size) throw new ModelFormatException($"{source}: JPEG DQT segment is truncated (table {slot} needs {size} bytes, {body.Length} left)");
            var table = new int[64];
            for (int k = 0; k < 64; k++)
                table[JpegZigZag.NaturalIndex[k]] = precision == 0 ? body[1 + k] : body[1 + 2 * k] << 8 | body[2 + 2 * k];
            quant[slot] = table;
            body = body[size..];
        }
    }
}
