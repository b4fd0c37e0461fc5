namespace HeadPursuit.Runtime.Imaging;

/// <summary>
/// Pillow's BICUBIC filter (resample 3): the a = -0.5 cubic convolution kernel with support 2, resized by
/// <see cref="PillowResample"/> (bit-identical to Pillow on 8-bit images).
/// </summary>
internal static class BicubicResize
{
    public static ResampleFilter Filter { get; } = new("bicubic", Kernel, 2.0);

    public static RgbImage Resize(RgbImage image, int width, int height) => PillowResample.Resize(image, width, height, Filter);

    /// <summary>The cubic convolution kernel with a = -0.5, in exactly Pillow's evaluation order.</summary>
    public static double Kernel(double x)
    {
        const double a = -0.5;
        if (x < 0) x = -x;
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
        return 0;
    }
}
