namespace HeadPursuit.Runtime.Imaging;

/// <summary>
/// Opens an image file as RGB by its signature. PNG is decoded here. JPEG is refused with a clear message: no JPEG
/// decoder exists in this runtime yet (no image library is available from the package registry; binding the
/// system's libjpeg through P/Invoke was rejected because libjpeg reports errors by longjmp or exit(), which
/// managed code cannot catch); convert JPEGs to PNG first.
/// </summary>
public static class ImageFile
{
    public static RgbImage Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: image not found", path);
        var bytes = File.ReadAllBytes(path);
        if (PngDecoder.HasSignature(bytes)) return PngDecoder.Decode(bytes, path);
        if (bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF)
            throw new ModelFormatException($"{path}: JPEG images are not supported yet (no JPEG decoder); convert it to PNG");
        throw new ModelFormatException($"{path}: not a PNG image (unknown signature)");
    }
}
