namespace HeadPursuit.Runtime.Imaging;

/// <summary>
/// A Huffman table from a DHT segment: BITS (how many codes have each length 1..16) and HUFFVAL (the symbols in
/// code order). Codes are canonical (JPEG Annex C), so decoding reads one bit at a time and compares the code so far
/// with the largest code of that length (Annex F.2.2.3).
/// </summary>
sealed class JpegHuffmanTable
{
    readonly byte[] _symbols;             // [total codes], in code order
    readonly int[] _maxCode = new int[17]; // [17]: largest code of length l, or -1 when none (index 0 unused)
    readonly int[] _offset = new int[17];  // [17]: _symbols index of a length-l code = code + _offset[l]

    /// <param name="counts">[16]: number of codes of length 1..16.</param>
    /// <param name="symbols">[sum of counts]: the symbols.</param>
    public JpegHuffmanTable(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> symbols, string what, string source)
    {
        _symbols = symbols.ToArray();
        int code = 0, index = 0;
        for (int length = 1; length <= 16; length++)
        {
            int n = counts[length - 1];
            _offset[length] = index - code;
            code += n;
            index += n;
            if (code > 1 << length)
                throw new ModelFormatException($"{source}: JPEG {what} defines more codes of length {length} than fit (bad DHT segment)");
            _maxCode[length] = n > 0 ? code - 1 : -1;
            code <<= 1;
        }
    }

    public int Decode(JpegBitReader bits, string source)
    {
        int code = 0;
        for (int length = 1; length <= 16; length++)
        {
            code = code << 1 | bits.ReadBit();
            if (code <= _maxCode[length]) return _symbols[code + _offset[length]];
        }
        throw new ModelFormatException($"{source}: invalid Huffman code in JPEG scan data before byte {bits.Position} (corrupt data)");
    }
}
