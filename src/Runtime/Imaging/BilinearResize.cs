namespace HeadPursuit.Runtime.Imaging;

/// <summary>
/// Pillow's BILINEAR filter (resample 2): the triangle kernel 1 - |x| with support 1 (so a downscale by s averages over
/// s input samples on either side), resized by <see cref="PillowResample"/> (bit-identical to Pillow on 8-bit images).
/// </summary>
internal static class BilinearResize
{
    public static ResampleFilter Filter { get; } = new("bilinear", Kernel, 1.0);

    public static RgbImage Resize(RgbImage image, int width, int height) => PillowResample.Resize(image, width, height, Filter);

    /// <summary>The triangle kernel, in Pillow's evaluation order.</summary>
    public static double Kernel(double x)
    {
        if (x < 0) x = -x;
        return x < 1 ? 1 - x : 0;
    }
}
