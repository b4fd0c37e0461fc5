using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Runtime.Imaging;

/// <summary>
/// HF CLIPImageProcessor (the slow PIL path) from preprocessor_config.json: RGB image -> pixel_values [3, c_h, c_w]:
///   1. resize the shortest edge to se with Pillow BICUBIC: (w, h) -> (se, int(se*h/w)) if w &lt;= h else (int(se*w/h), se);
///   2. centre crop c_h x c_w: top = (h' - c_h) // 2, left = (w' - c_w) // 2;
///   3. pixel_values[ch, y, x] = (v * rescale_factor - mean[ch]) / std[ch] (double, rounded once to float).
/// </summary>
internal sealed class ClipImageProcessor
{
    public int ShortestEdge { get; init; } = 224;
    public int CropHeight { get; init; } = 224;
    public int CropWidth { get; init; } = 224;
    public bool DoResize { get; init; } = true;
    public bool DoCenterCrop { get; init; } = true;
    public bool DoRescale { get; init; } = true;
    public bool DoNormalize { get; init; } = true;
    public double RescaleFactor { get; init; } = 1 / 255.0;
    public double[] Mean { get; init; } = [0.48145466, 0.4578275, 0.40821073];
    public double[] Std { get; init; } = [0.26862954, 0.26130258, 0.27577711];

    /// <summary>Image sides a preprocessor_config.json may ask for (a larger one is a damaged file, not a model).</summary>
    public const int MaxSide = 16384;

    public static ClipImageProcessor Load(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: preprocessor_config.json not found");
        return ConfigReader.Load(path, r =>
        {
            if (r.String("image_processor_type") is { } type && type is not ("CLIPImageProcessor" or "CLIPImageProcessorFast"))
                throw new ModelFormatException($"{path}: image_processor_type \"{type}\" is not supported (supported: CLIPImageProcessor)");
            return FromConfig(r);
        });
    }

    /// <summary>
    /// The CLIP fields of a preprocessor_config.json, whatever its image_processor_type (LLaVA-NeXT's processor applies
    /// them to each of its crops).
    /// </summary>
    public static ClipImageProcessor FromConfig(ConfigReader r)
    {
        var d = new ClipImageProcessor();
        if (r.Int("resample") is { } resample && resample != 3) throw r.Unsupported("resample", "3, BICUBIC");
        int shortest = d.ShortestEdge;
        if (r.Has("size"))
            shortest = r.IsObject("size")
                ? r.Object("size")!.Int("shortest_edge", 1, MaxSide) ?? throw r.Unsupported("size", "{\"shortest_edge\": n}")
                : r.RequiredInt("size", 1, MaxSide);
        int cropH = d.CropHeight, cropW = d.CropWidth;
        if (r.Has("crop_size"))
        {
            if (r.IsObject("crop_size")) (cropH, cropW) = (r.Object("crop_size")!.RequiredInt("height", 1, MaxSide), r.Object("crop_size")!.RequiredInt("width", 1, MaxSide));
            else cropH = cropW = r.RequiredInt("crop_size", 1, MaxSide);
        }
        double[] Triple(string name, double[] fallback)
        {
            if (!r.Has(name)) return fallback;
            var a = r.DoubleOrList(name);
            return a.Length == 3 ? a : throw new ModelFormatException($"{r.Source}: {name} has {a.Length} values, expected 3 (R, G, B)");
        }
        var std = Triple("image_std", d.Std);
        if (std.Contains(0)) throw r.Unsupported("image_std", "three non-zero numbers");
        return new ClipImageProcessor
        {
            ShortestEdge = shortest, CropHeight = cropH, CropWidth = cropW,
            DoResize = r.Bool("do_resize") ?? true, DoCenterCrop = r.Bool("do_center_crop") ?? true,
            DoRescale = r.Bool("do_rescale") ?? true, DoNormalize = r.Bool("do_normalize") ?? true,
            RescaleFactor = r.Double("rescale_factor") ?? d.RescaleFactor,
            Mean = Triple("image_mean", d.Mean), Std = std,
        };
    }

    /// <summary>The size after the shortest-edge resize, as HF computes it (Python int() of a double division).</summary>
    public (int Width, int Height) ResizedSize(int width, int height) =>
        width <= height ? (ShortestEdge, (int)((double)ShortestEdge * height / width))
                        : ((int)((double)ShortestEdge * width / height), ShortestEdge);

    public RgbImage Resize(RgbImage image)
    {
        var (w, h) = ResizedSize(image.Width, image.Height);
        return BicubicResize.Resize(image, w, h);
    }

    /// <summary>(left, top) of the centre crop.</summary>
    public (int Left, int Top) CropOrigin(int width, int height)
    {
        if (width < CropWidth || height < CropHeight)
            throw new ArgumentException($"a {width}x{height} image is smaller than the {CropWidth}x{CropHeight} crop (HF would zero-pad; not supported)");
        return ((width - CropWidth) / 2, (height - CropHeight) / 2);
    }

    /// <summary>[3, c_h, c_w] channels first.</summary>
    public float[] PixelValues(RgbImage image)
    {
        var src = DoResize ? Resize(image) : image;
        var (left, top) = DoCenterCrop ? CropOrigin(src.Width, src.Height) : (0, 0);
        int ch = DoCenterCrop ? CropHeight : src.Height, cw = DoCenterCrop ? CropWidth : src.Width;
        return ChannelsFirst.PixelValues(src, left, top, cw, ch, DoRescale ? RescaleFactor : null, DoNormalize ? Mean : null, Std);
    }
}
