namespace HeadPursuit.Runtime.Imaging;

/// <summary>
/// Reads the entropy-coded data of a scan bit by bit, most significant bit first: a 0xFF byte is followed by a
/// stuffed 0x00, and any other 0xFF xx is a marker, where the scan's data ends. Running into a marker (or the end
/// of the file) while a bit is still needed means the data is truncated or corrupt, and is reported as such.
/// </summary>
sealed class JpegBitReader(byte[] file, int start, string source)
{
    int _position = start;
    int _byte;          // the current byte; its low _bitsLeft bits are still unread
    int _bitsLeft;

    /// <summary>The first byte not yet consumed.</summary>
    public int Position => _position;

    public int ReadBit()
    {
        if (_bitsLeft == 0) NextByte();
        _bitsLeft--;
        return (_byte >> _bitsLeft) & 1;
    }

    /// <summary>n (0..16) bits as an unsigned number, first bit most significant.</summary>
    public int ReadBits(int n)
    {
        int v = 0;
        for (int i = 0; i < n; i++) v = v << 1 | ReadBit();
        return v;
    }

    /// <summary>
    /// The JPEG "receive and extend" of a magnitude category s (F.2.2.1): s bits; a leading 0 bit means a negative
    /// value, v - 2^s + 1.
    /// </summary>
    public int ReadSigned(int s)
    {
        if (s == 0) return 0;
        int v = ReadBits(s);
        return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
    }

    /// <summary>Drops the padding bits of the current byte and consumes the marker RSTn, n = expected.</summary>
    public void ReadRestartMarker(int expected)
    {
        _bitsLeft = 0;
        while (_position + 1 < file.Length && file[_position] == 0xFF && file[_position + 1] == 0xFF) _position++;   // fill bytes
        if (_position + 1 >= file.Length)
            throw new ModelFormatException($"{source}: JPEG data is truncated: the file ends at byte {file.Length} where restart marker RST{expected} was due");
        if (file[_position] != 0xFF || file[_position + 1] != 0xD0 + expected)
            throw new ModelFormatException($"{source}: expected JPEG restart marker RST{expected} (FF{0xD0 + expected:X2}) at byte {_position}, found {file[_position]:X2}{file[_position + 1]:X2} (corrupt data)");
        _position += 2;
    }

    void NextByte()
    {
        if (_position >= file.Length)
            throw new ModelFormatException($"{source}: JPEG data is truncated: the file ends at byte {file.Length} in the middle of a scan");
        int b = file[_position];
        if (b == 0xFF)
        {
            if (_position + 1 >= file.Length)
                throw new ModelFormatException($"{source}: JPEG data is truncated: the file ends at byte {file.Length} in the middle of a scan");
            int next = file[_position + 1];
            if (next != 0)
                throw new ModelFormatException($"{source}: JPEG scan data ends early: marker FF{next:X2} at byte {_position} arrives while the scan still needs data (truncated or corrupt)");
            _position += 2;
        }
        else _position++;
        _byte = b;
        _bitsLeft = 8;
    }
}
