using System.Text;

namespace HeadPursuit.Runtime.Tokenizers;

/// <summary>
/// GPT-2's reversible byte -> printable character table. Bytes that are already visible and not
/// whitespace ('!'..'~', '¡'..'¬', '®'..'ÿ') map to the character with the same code; the other 68
/// bytes (controls, space, 0x7F-0xA0, 0xAD) map in increasing order to U+0100, U+0101, ... So every
/// byte string becomes a string of visible characters, one character per byte.
/// </summary>
internal static class ByteLevelAlphabet
{
    static readonly char[] ByteToChar = BuildTable(); // [256]
    static readonly short[] CharToByte = BuildInverse(); // [324]: byte of a mapped character, -1 for others

    static char[] BuildTable()
    {
        var table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool visible = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            table[b] = visible ? (char)b : (char)next++;
        }
        return table;
    }

    static short[] BuildInverse()
    {
        var inverse = new short[ByteToChar.Max() + 1];
        Array.Fill(inverse, (short)-1);
        for (int b = 0; b < 256; b++) inverse[ByteToChar[b]] = (short)b;
        return inverse;
    }

    public static char Map(byte b) => ByteToChar[b];

    /// <summary>The byte a mapped character stands for, or false for a character outside the table.</summary>
    public static bool TryUnmap(char c, out byte b)
    {
        int v = c < CharToByte.Length ? CharToByte[c] : -1;
        b = (byte)v;
        return v >= 0;
    }

    /// <summary>The mapped form of the UTF-8 bytes of text (one output character per byte).</summary>
    public static string Encode(ReadOnlySpan<char> text)
    {
        const int StackLimit = 256;
        int n = Encoding.UTF8.GetByteCount(text);
        Span<byte> bytes = n <= StackLimit ? stackalloc byte[StackLimit] : new byte[n]; // [n] used
        Span<char> chars = n <= StackLimit ? stackalloc char[StackLimit] : new char[n]; // [n] used
        Encoding.UTF8.GetBytes(text, bytes);
        for (int i = 0; i < n; i++) chars[i] = ByteToChar[bytes[i]];
        return new string(chars[..n]);
    }
}
