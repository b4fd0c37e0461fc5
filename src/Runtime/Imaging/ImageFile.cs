namespace HeadPursuit.Runtime.Imaging;

/// <summary>Opens an image as RGB, choosing the decoder by its signature: PNG or JPEG.</summary>
internal static class ImageFile
{
    public static RgbImage Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: image not found", path);
        return Decode(File.ReadAllBytes(path), path);
    }

    /// <summary>An encoded image held in memory (e.g. a dataset's image cell); <paramref name="source"/> names it in errors.</summary>
    public static RgbImage Decode(byte[] bytes, string source)
    {
        if (PngDecoder.HasSignature(bytes)) return PngDecoder.Decode(bytes, source);
        if (JpegDecoder.HasSignature(bytes)) return JpegDecoder.Decode(bytes, source);
        throw new ModelFormatException($"{source}: not a PNG or JPEG image (unknown signature)");
    }

    /// <summary>Whether the bytes start with a PNG or JPEG signature.</summary>
    public static bool HasSignature(ReadOnlySpan<byte> bytes) => PngDecoder.HasSignature(bytes) || JpegDecoder.HasSignature(bytes);
}
