using HeadPursuit.Runtime.Imaging;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Runtime.Vision.Gemma3;

/// <summary>
/// HF Gemma3ImageProcessor's slow (PIL) path from preprocessor_config.json, without pan-and-scan: RGB image ->
/// pixel_values [3, height, width]:
///   1. resize to exactly height x width (the aspect ratio is not kept, nothing is cropped) with Pillow's filter
///      (BILINEAR by default), bit-identical to Pillow;
///   2. pixel_values[ch, y, x] = (v * rescale_factor - mean[ch]) / std[ch] (mean and std 0.5 by default).
/// Gemma3ImageProcessorFast (torchvision's resize) is read as the same configuration; its resize differs from Pillow's
/// by a level here and there, and this class follows Pillow.
/// </summary>
internal sealed class Gemma3ImageProcessor
{
    public bool DoResize { get; init; } = true;
    public int Height { get; init; } = 224;
    public int Width { get; init; } = 224;
    public ResampleFilter Resample { get; init; } = BilinearResize.Filter;
    public bool DoRescale { get; init; } = true;
    public double RescaleFactor { get; init; } = 1 / 255.0;
    public bool DoNormalize { get; init; } = true;
    public double[] Mean { get; init; } = [0.5, 0.5, 0.5];
    public double[] Std { get; init; } = [0.5, 0.5, 0.5];
    /// <summary>image_seq_length: the image tokens the processor writes per image (null when the file does not say).</summary>
    public int? ImageSeqLength { get; init; }

    public static Gemma3ImageProcessor Load(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: preprocessor_config.json not found");
        return ConfigReader.Load(path, Read);
    }

    static Gemma3ImageProcessor Read(ConfigReader r)
    {
        var d = new Gemma3ImageProcessor();
        if (r.String("image_processor_type") is { } type && type is not ("Gemma3ImageProcessor" or "Gemma3ImageProcessorFast"))
            throw r.Unsupported("image_processor_type", "Gemma3ImageProcessor");
        if (r.Bool("do_pan_and_scan") == true) throw r.Unsupported("do_pan_and_scan", "false: one resized view per image, no crops");
        if (r.Bool("do_convert_rgb") == false) throw r.Unsupported("do_convert_rgb", "true: images are converted to RGB");
        var (height, width) = Size(r, d);
        return new Gemma3ImageProcessor
        {
            DoResize = r.Bool("do_resize") ?? d.DoResize, Height = height, Width = width,
            Resample = (r.Int("resample") ?? 2) switch
            {
                2 => BilinearResize.Filter,
                3 => BicubicResize.Filter,
                _ => throw r.Unsupported("resample", "2 (BILINEAR), 3 (BICUBIC)"),
            },
            DoRescale = r.Bool("do_rescale") ?? d.DoRescale, RescaleFactor = r.Double("rescale_factor") ?? d.RescaleFactor,
            DoNormalize = r.Bool("do_normalize") ?? d.DoNormalize,
            Mean = PerChannel(r, "image_mean") ?? d.Mean, Std = PerChannel(r, "image_std") ?? d.Std,
            ImageSeqLength = r.Int("image_seq_length"),
        };
    }

    /// <summary>size: {"height": h, "width": w}, or one number for a square (HF get_size_dict).</summary>
    static (int Height, int Width) Size(ConfigReader r, Gemma3ImageProcessor d)
    {
        if (!r.Has("size")) return (d.Height, d.Width);
        const string supported = "{\"height\": h, \"width\": w} or one positive number";
        var (h, w) = r.Raw("size").StartsWith('{')
            ? (r.Object("size")!.Int("height") ?? throw r.Unsupported("size", supported), r.Object("size")!.Int("width") ?? throw r.Unsupported("size", supported))
            : (r.RequiredInt("size"), r.RequiredInt("size"));
        return h > 0 && w > 0 ? (h, w) : throw r.Unsupported("size", supported);
    }

    /// <summary>image_mean / image_std: one number for every channel, or three (R, G, B).</summary>
    static double[]? PerChannel(ConfigReader r, string name) => r.DoubleOrList(name) switch
    {
        [] => null,
        [var all] => [all, all, all],
        { Length: 3 } rgb => rgb,
        _ => throw r.Unsupported(name, "a number or three numbers (R, G, B)"),
    };

    /// <summary>The resized image (a copy when do_resize is false or the size is already right).</summary>
    public RgbImage Resize(RgbImage image) =>
        DoResize ? PillowResample.Resize(image, Width, Height, Resample) : new RgbImage(image.Width, image.Height, (byte[])image.Pixels.Clone());

    /// <summary>
    /// [3, height, width] channels first. An image 1 or 3 pixels high is refused: HF's processor takes such a height for
    /// the channel axis (infer_channel_dimension_format), so what it makes of the image is not the image.
    /// </summary>
    public float[] PixelValues(RgbImage image, string source)
    {
        if (image.Height is 1 or 3)
            throw new ArgumentException(
                $"{source}: a {image.Width}x{image.Height} image is too small for Gemma3ImageProcessor: Hugging Face's processor reads an image " +
                "1 or 3 pixels high as channels-first and then does not process the image itself; resize or pad it to another height");
        var src = Resize(image);
        return ChannelsFirst.PixelValues(src, 0, 0, src.Width, src.Height, DoRescale ? RescaleFactor : null, DoNormalize ? Mean : null, Std);
    }
}
