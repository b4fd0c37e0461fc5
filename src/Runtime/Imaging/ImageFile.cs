namespace HeadPursuit.Runtime.Imaging;

/// <summary>Opens an image file as RGB, choosing the decoder by the file's signature: PNG or JPEG.</summary>
public static class ImageFile
{
    public static RgbImage Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: image not found", path);
        var bytes = File.ReadAllBytes(path);
        if (PngDecoder.HasSignature(bytes)) return PngDecoder.Decode(bytes, path);
        if (JpegDecoder.HasSignature(bytes)) return JpegDecoder.Decode(bytes, path);
        throw new ModelFormatException($"{path}: not a PNG or JPEG image (unknown signature)");
    }
}
