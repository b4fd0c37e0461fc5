namespace HeadPursuit.Runtime.Imaging;

/// <summary>
/// The last step of the Hugging Face image processors: a window of an 8-bit RGB image as pixel_values [3, h, w]
/// (channels first), each value v -> (v * rescale - mean[ch]) / std[ch] in double, rounded once to float.
/// </summary>
internal static class ChannelsFirst
{
    /// <param name="rescale">The rescale factor (1/255), or null when do_rescale is false.</param>
    /// <param name="mean">Per-channel mean, or null when do_normalize is false (then <paramref name="std"/> is unused).</param>
    public static float[] PixelValues(RgbImage src, int left, int top, int width, int height, double? rescale, double[]? mean, double[]? std)
    {
        var result = new float[3 * height * width];   // [3, h, w]
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    double v = src.Pixels[((top + y) * src.Width + left + x) * 3 + c];
                    if (rescale is double f) v *= f;
                    if (mean != null) v = (v - mean[c]) / std![c];
                    result[(c * height + y) * width + x] = (float)v;
                }
        return result;
    }
}
