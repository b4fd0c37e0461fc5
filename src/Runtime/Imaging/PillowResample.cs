namespace HeadPursuit.Runtime.Imaging;

/// <summary>A Pillow resampling filter (libImaging/Resample.c): its kernel and the kernel's support at scale 1.</summary>
internal sealed record ResampleFilter(string Name, Func<double, double> Kernel, double Support);

/// <summary>
/// Pillow's 8-bit convolution resize (libImaging/Resample.c) for any filter, ported operation for operation so the
/// result is bit-identical: a horizontal pass (if the width changes) into an 8-bit image, then a vertical pass (if the
/// height changes). Each pass computes double weights of the filter's kernel over a footprint of support * max(scale, 1)
/// on either side of each output sample's centre, normalises them, and applies them as 22-bit fixed-point integers with
/// rounding and clamping to 0..255. An image already of the target size is copied unchanged.
/// </summary>
internal static class PillowResample
{
    const int PrecisionBits = 22;   // Pillow: 32 - 8 - 2

    public static RgbImage Resize(RgbImage image, int width, int height, ResampleFilter filter)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"target size {width}x{height} must be positive");
        var result = image;
        if (width != image.Width) result = Horizontal(result, width, filter);
        if (height != image.Height) result = Vertical(result, height, filter);
        return result == image ? new RgbImage(image.Width, image.Height, (byte[])image.Pixels.Clone()) : result;
    }

    /// <summary>For one pass n_in -> n_out: per output sample, the first input index and the fixed-point weights.</summary>
    public static (int[] Start, int[][] Weights) Coefficients(int nIn, int nOut, ResampleFilter filter)
    {
        double scale = (double)nIn / nOut;
        double filterScale = Math.Max(scale, 1.0);
        double support = filter.Support * filterScale;
        double ss = 1.0 / filterScale;
        var start = new int[nOut];
        var weights = new int[nOut][];
        for (int i = 0; i < nOut; i++)
        {
            double center = (i + 0.5) * scale;
            int xmin = Math.Max(0, (int)(center - support + 0.5));
            int xmax = Math.Min(nIn, (int)(center + support + 0.5)) - xmin;
            var w = new double[xmax];
            double sum = 0;
            for (int j = 0; j < xmax; j++)
            {
                w[j] = filter.Kernel((j + xmin - center + 0.5) * ss);
                sum += w[j];
            }
            var k = new int[xmax];
            for (int j = 0; j < xmax; j++)
            {
                double v = sum != 0 ? w[j] / sum : w[j];
                k[j] = v < 0 ? (int)(v * (1 << PrecisionBits) - 0.5) : (int)(v * (1 << PrecisionBits) + 0.5);
            }
            start[i] = xmin;
            weights[i] = k;
        }
        return (start, weights);
    }

    static byte Clip(int s)
    {
        int v = s >> PrecisionBits;   // arithmetic shift: floor(s / 2^22)
        return (byte)Math.Clamp(v, 0, 255);
    }

    static RgbImage Horizontal(RgbImage src, int width, ResampleFilter filter)
    {
        var (start, weights) = Coefficients(src.Width, width, filter);
        var dst = new RgbImage(width, src.Height);
        for (int y = 0; y < src.Height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < 3; c++)
                {
                    int s = 1 << (PrecisionBits - 1);
                    var k = weights[x];
                    for (int j = 0; j < k.Length; j++) s += src.Pixels[(y * src.Width + start[x] + j) * 3 + c] * k[j];
                    dst.Pixels[(y * width + x) * 3 + c] = Clip(s);
                }
        return dst;
    }

    static RgbImage Vertical(RgbImage src, int height, ResampleFilter filter)
    {
        var (start, weights) = Coefficients(src.Height, height, filter);
        var dst = new RgbImage(src.Width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < src.Width; x++)
                for (int c = 0; c < 3; c++)
                {
                    int s = 1 << (PrecisionBits - 1);
                    var k = weights[y];
                    for (int j = 0; j < k.Length; j++) s += src.Pixels[((start[y] + j) * src.Width + x) * 3 + c] * k[j];
                    dst.Pixels[(y * src.Width + x) * 3 + c] = Clip(s);
                }
        return dst;
    }
}
