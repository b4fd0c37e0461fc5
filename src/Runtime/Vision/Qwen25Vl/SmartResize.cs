namespace HeadPursuit.Runtime.Vision.Qwen25Vl;

/// <summary>Which rule of <see cref="SmartResize"/> set the size.</summary>
internal enum SmartResizeBranch { Round, MaxPixels, MinPixels }

/// <summary>
/// HF smart_resize (Qwen2-VL's image processor): the size an image is resized to, both sides multiples of factor
/// (patch_size x merge_size) and the area within [min_pixels, max_pixels], keeping the aspect ratio close. In double
/// arithmetic, in exactly HF's order:
///   h = round(H / factor) * factor, w = round(W / factor) * factor      (Python round: half to even)
///   if h * w > max_pixels: beta = sqrt(H W / max_pixels), h = floor(H / beta / factor) * factor, w likewise;
///   else if h * w &lt; min_pixels: beta = sqrt(min_pixels / (H W)), h = ceil(H * beta / factor) * factor, w likewise.
/// HF refuses an image with a side below factor or an aspect ratio above 200; so does this, naming the image.
/// </summary>
internal static class SmartResize
{
    public static (int Height, int Width, SmartResizeBranch Branch) Of(int height, int width, int factor, long minPixels, long maxPixels, string source)
    {
        if (height < factor || width < factor)
            throw new ArgumentException($"{source}: the image is {width}x{height} pixels; the Qwen2-VL processor needs at least {factor} on each side (patch_size x merge_size)");
        if ((double)Math.Max(height, width) / Math.Min(height, width) > 200)
            throw new ArgumentException($"{source}: the image is {width}x{height} pixels; the Qwen2-VL processor refuses an aspect ratio above 200");
        long h = RoundHalfEven((double)height / factor) * factor, w = RoundHalfEven((double)width / factor) * factor;
        var branch = SmartResizeBranch.Round;
        if (h * w > maxPixels)
        {
            double beta = Math.Sqrt((double)height * width / maxPixels);
            h = (long)Math.Floor(height / beta / factor) * factor;
            w = (long)Math.Floor(width / beta / factor) * factor;
            branch = SmartResizeBranch.MaxPixels;
        }
        else if (h * w < minPixels)
        {
            double beta = Math.Sqrt((double)minPixels / ((double)height * width));
            h = (long)Math.Ceiling(height * beta / factor) * factor;
            w = (long)Math.Ceiling(width * beta / factor) * factor;
            branch = SmartResizeBranch.MinPixels;
        }
        if (h <= 0 || w <= 0 || h > int.MaxValue / 4 || w > int.MaxValue / 4)
            throw new ArgumentException($"{source}: smart_resize turns the {width}x{height} image into {w}x{h} (max_pixels {maxPixels}, min_pixels {minPixels}, factor {factor}); no image can be made of that");
        return ((int)h, (int)w, branch);
    }

    /// <summary>Python's round() of a double to an integer: ties go to the even neighbour (2.5 -> 2, 3.5 -> 4).</summary>
    public static long RoundHalfEven(double x) => (long)Math.Round(x, MidpointRounding.ToEven);
}
