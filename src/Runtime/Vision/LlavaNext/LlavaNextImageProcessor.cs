using System.Text.Json;
using System.Text.Json.Nodes;
using HeadPursuit.Runtime.Imaging;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Runtime.Vision.LlavaNext;

/// <summary>
/// HF LlavaNextImageProcessor (the slow PIL path) from preprocessor_config.json: an RGB image (H, W) becomes
/// pixel_values [1 + nph npw, 3, c, c]:
///   1. best resolution (bh, bw) among the pinpoints (<see cref="AnyResolution.BestResolution"/>);
///   2. Pillow BICUBIC resize keeping the aspect ratio (<see cref="AnyResolution.ResizeForPatching"/>), then zero padding
///      to (bh, bw), centred, the odd pixel at the bottom / right;
///   3. the padded image cut into c x c tiles, row by row (c = crop_size height);
///   4. the base image: the whole image resized with BICUBIC to shortest_edge x shortest_edge (aspect ratio not kept);
///   5. [base, tile_0, tile_1, ...], each through the CLIP steps (<see cref="ClipImageProcessor"/>: shortest-edge resize,
///      centre crop, rescale, normalise).
/// </summary>
internal sealed class LlavaNextImageProcessor
{
    /// <summary>The CLIP steps applied to each crop; its crop height is also the tile size.</summary>
    public required ClipImageProcessor Crop { get; init; }
    /// <summary>[n][2] (height, width).</summary>
    public required int[][] GridPinpoints { get; init; }

    int Tile => Crop.CropHeight;

    public static LlavaNextImageProcessor Load(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: preprocessor_config.json not found");
        return ConfigReader.Load(path, r =>
        {
            if (r.String("image_processor_type") is { } type && type is not ("LlavaNextImageProcessor" or "LlavaNextImageProcessorFast"))
                throw new ModelFormatException($"{path}: image_processor_type \"{type}\" is not a LLaVA-NeXT image processor (supported: LlavaNextImageProcessor)");
            var crop = ClipImageProcessor.FromConfig(r);
            var pinpoints = r.Has("image_grid_pinpoints") ? JsonNode.Parse(r.Raw("image_grid_pinpoints")) : null;
            return new LlavaNextImageProcessor
            {
                Crop = crop,
                GridPinpoints = LlavaNextConfig.Pinpoints(pinpoints, path, crop.CropHeight, "crop_size") ?? LlavaNextConfig.DefaultPinpoints,
            };
        });
    }

    public (int Height, int Width) BestResolution(RgbImage image) => AnyResolution.BestResolution(image.Height, image.Width, GridPinpoints);

    /// <summary>Step 2's resize: the image at the size that fits (bh, bw) with its aspect ratio kept.</summary>
    public RgbImage ResizeForPatching(RgbImage image, (int Height, int Width) best)
    {
        var (h, w) = AnyResolution.ResizeForPatching(image.Height, image.Width, best);
        return BicubicResize.Resize(image, w, h);
    }

    /// <summary>Step 2's padding of the resized image to (bh, bw) with black: (top, left) of the pasted image.</summary>
    public static (int Top, int Left) Padding(int height, int width, (int Height, int Width) best) =>
        ((best.Height - height) / 2, (best.Width - width) / 2);

    public static RgbImage Pad(RgbImage resized, (int Height, int Width) best)
    {
        var (top, left) = Padding(resized.Height, resized.Width, best);
        var padded = new RgbImage(best.Width, best.Height);   // [bh, bw, 3] zeros
        for (int y = 0; y < resized.Height; y++)
            resized.Pixels.AsSpan(y * resized.Width * 3, resized.Width * 3).CopyTo(padded.Pixels.AsSpan(((top + y) * best.Width + left) * 3));
        return padded;
    }

    /// <summary>Step 3: the c x c tiles of the padded image, row by row.</summary>
    public RgbImage[] Tiles(RgbImage padded)
    {
        int c = Tile, rows = padded.Height / c, cols = padded.Width / c;
        var tiles = new RgbImage[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int q = 0; q < cols; q++)
            {
                var tile = new RgbImage(c, c);   // [c, c, 3]
                for (int y = 0; y < c; y++)
                    padded.Pixels.AsSpan(((r * c + y) * padded.Width + q * c) * 3, c * 3).CopyTo(tile.Pixels.AsSpan(y * c * 3));
                tiles[r * cols + q] = tile;
            }
        return tiles;
    }

    /// <summary>Step 4: the whole image squashed to shortest_edge x shortest_edge.</summary>
    public RgbImage Base(RgbImage image) => BicubicResize.Resize(image, Crop.ShortestEdge, Crop.ShortestEdge);

    /// <summary>pixel_values [1 + nph npw, 3, c, c]: the base image, then the tiles.</summary>
    public float[] PixelValues(RgbImage image)
    {
        var best = BestResolution(image);
        RgbImage[] crops = [Base(image), .. Tiles(Pad(ResizeForPatching(image, best), best))];
        return crops.SelectMany(Crop.PixelValues).ToArray();
    }
}
