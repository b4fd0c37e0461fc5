using HeadPursuit.Runtime.Imaging;

namespace HeadPursuit.Runtime.Tests.Imaging;

/// <summary>
/// The JPEG test files in tests/Runtime.Tests/Imaging/jpeg/ (made by cjpeg, see its README.md), found by walking up
/// from the test binaries to the repository root, and their djpeg reference decodes (binary PPM, or PGM for grey).
/// </summary>
static class JpegTestFiles
{
    public static string Folder { get; } = Find();

    public static string Path(string name)
    {
        string p = System.IO.Path.Combine(Folder, name);
        if (!File.Exists(p)) throw new FileNotFoundException($"JPEG test file not found: {p}");
        return p;
    }

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path(name));

    /// <summary>Reads a P6 (RGB) or P5 (grey, expanded to v, v, v) file with maxval 255.</summary>
    public static RgbImage ReadNetpbm(string name)
    {
        var bytes = Bytes(name);
        int at = 0;
        string magic = Token(bytes, ref at);
        int width = int.Parse(Token(bytes, ref at)), height = int.Parse(Token(bytes, ref at)), max = int.Parse(Token(bytes, ref at));
        if (magic is not ("P5" or "P6") || max != 255) throw new InvalidDataException($"{name}: expected a P5/P6 file with maxval 255");
        at++;   // the single whitespace after maxval
        var pixels = new byte[width * height * 3];   // [height, width, 3]
        for (int p = 0; p < width * height; p++)
            for (int ch = 0; ch < 3; ch++)
                pixels[p * 3 + ch] = magic == "P6" ? bytes[at + p * 3 + ch] : bytes[at + p];
        return new RgbImage(width, height, pixels);
    }

    static string Token(byte[] bytes, ref int at)
    {
        while (char.IsWhiteSpace((char)bytes[at])) at++;
        int start = at;
        while (!char.IsWhiteSpace((char)bytes[at])) at++;
        return System.Text.Encoding.ASCII.GetString(bytes, start, at - start);
    }

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "HeadPursuit.sln")))
                return System.IO.Path.Combine(dir.FullName, "tests", "Runtime.Tests", "Imaging", "jpeg");
        throw new DirectoryNotFoundException("cannot find HeadPursuit.sln above " + AppContext.BaseDirectory + " to locate tests/Runtime.Tests/Imaging/jpeg");
    }
}
