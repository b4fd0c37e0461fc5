namespace HeadPursuit.Runtime.Imaging;

/// <summary>An 8-bit RGB image (PIL mode "RGB"): Pixels [Height, Width, 3], row-major.</summary>
internal sealed class RgbImage
{
    public int Width { get; }
    public int Height { get; }
    /// <summary>[Height, Width, 3]</summary>
    public byte[] Pixels { get; }

    public RgbImage(int width, int height, byte[]? pixels = null)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"image size {width}x{height} must be positive");
        if (pixels != null && pixels.Length != width * height * 3)
            throw new ArgumentException($"{pixels.Length} bytes for a {width}x{height} RGB image (needs {width * height * 3})");
        Width = width; Height = height;
        Pixels = pixels ?? new byte[width * height * 3];
    }
}
