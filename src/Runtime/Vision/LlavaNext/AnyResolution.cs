using System.Numerics;

namespace HeadPursuit.Runtime.Vision.LlavaNext;

/// <summary>
/// LLaVA-NeXT's "anyres" arithmetic, shared by its image processor, its text processor (how many image tokens) and the
/// model (how the crops' features are packed), in Hugging Face's double-precision evaluation order. Sizes are
/// (height, width); a pinpoint is a resolution (height, width) the image may be resized and padded to.
/// </summary>
internal static class AnyResolution
{
    /// <summary>
    /// select_best_resolution's score of one pinpoint for an image: scale = min(pw / W, ph / H) in double,
    /// effective = min(int(W scale) * int(H scale), W H), wasted = ph pw - effective.
    /// </summary>
    public static (long Effective, long Wasted) Fit(int height, int width, int[] pinpoint)
    {
        int ph = pinpoint[0], pw = pinpoint[1];
        double scale = Math.Min((double)pw / width, (double)ph / height);
        long downWidth = (long)(width * scale), downHeight = (long)(height * scale);   // Python int(): truncation
        long effective = Math.Min(downWidth * downHeight, (long)width * height);
        return (effective, (long)pw * ph - effective);
    }

    /// <summary>
    /// select_best_resolution: the pinpoint with the largest effective resolution, ties to the smaller wasted area, then to
    /// the earlier pinpoint (float rounding matters: 49 * (32 / 49) is 31.999999999999996, so int() gives 31).
    /// </summary>
    public static (int Height, int Width) BestResolution(int height, int width, int[][] pinpoints)
    {
        int[]? best = null;
        long maxEffective = 0, minWasted = long.MaxValue;
        foreach (var p in pinpoints)
        {
            var (effective, wasted) = Fit(height, width, p);
            if (effective > maxEffective || (effective == maxEffective && wasted < minWasted))
            {
                maxEffective = effective; minWasted = wasted; best = p;
            }
        }
        return best is null ? throw new ArgumentException("no image_grid_pinpoints to choose from") : (best[0], best[1]);
    }

    /// <summary>
    /// get_patch_output_size: the size the image is resized to before padding to <paramref name="target"/>, its aspect
    /// ratio kept: the side with the smaller scale fills the target, the other is ceil(side * scale), at most the target.
    /// </summary>
    public static (int Height, int Width) ResizeForPatching(int height, int width, (int Height, int Width) target)
    {
        double scaleW = (double)target.Width / width, scaleH = (double)target.Height / height;
        return scaleW < scaleH
            ? (Math.Min((int)Math.Ceiling(height * scaleW), target.Height), target.Width)
            : (target.Height, Math.Min((int)Math.Ceiling(width * scaleH), target.Width));
    }

    /// <summary>The rows and columns of a feature map that unpadding keeps: [Top, Top + Rows) x [Left, Left + Cols).</summary>
    public readonly record struct Kept(int Top, int Rows, int Left, int Cols);

    /// <summary>
    /// unpad_image on a rows x cols feature map of an image of the ORIGINAL size height x width: when the image is wider
    /// than the map (W / H &gt; cols / rows, double division) new_rows = int(round(H * (cols / W), 7)) and
    /// (rows - new_rows) // 2 rows go at the top and at the bottom; otherwise the same with columns on each side.
    /// </summary>
    public static Kept Unpad(int height, int width, int rows, int cols)
    {
        if ((double)width / height > (double)cols / rows)
        {
            int pad = (rows - IntOfRound7(height * ((double)cols / width))) / 2;
            return new Kept(pad, rows - 2 * pad, 0, cols);
        }
        int side = (cols - IntOfRound7(width * ((double)rows / height))) / 2;
        return new Kept(0, rows, side, cols - 2 * side);
    }

    /// <summary>
    /// An image's feature map: the grid of crops (best resolution / tile), each crop side x side patches, so the map is
    /// (GridRows side) x (GridCols side) before unpadding and <see cref="Kept"/> after.
    /// </summary>
    public readonly record struct FeatureMap(int GridRows, int GridCols, int Side, Kept Kept)
    {
        public int Rows => GridRows * Side;
        public int Cols => GridCols * Side;
        /// <summary>The base image and the grid crops.</summary>
        public int Crops => 1 + GridRows * GridCols;
    }

    /// <summary>The feature map of an image of the original size height x width (tile = the tower's image_size, side = its patches per side).</summary>
    public static FeatureMap Map(int height, int width, int[][] pinpoints, int tile, int side)
    {
        var (bh, bw) = BestResolution(height, width, pinpoints);
        int gridRows = bh / tile, gridCols = bw / tile;
        return new FeatureMap(gridRows, gridCols, side, Unpad(height, width, gridRows * side, gridCols * side));
    }

    /// <summary>
    /// LlavaNextProcessor's count of the image tokens one "&lt;image&gt;" becomes (strategy default, so no CLS): the base
    /// crop's side^2 patches, then each kept row of the map followed by one image_newline.
    /// </summary>
    public static int TokenCount(FeatureMap map) => map.Side * map.Side + map.Kept.Rows * (map.Kept.Cols + 1);

    /// <summary>
    /// pack_image_features' order, as rows of the crops' features [Crops * side^2] (crop k, patch j = row k side^2 + j;
    /// -1 = image_newline): the base crop's patches in order, then the kept map row by row, each row followed by a
    /// newline, where map row r, column c is grid crop (r / side) GridCols + c / side (1 + that in pixel_values), patch
    /// (r % side) side + c % side.
    /// </summary>
    public static int[] PackedRows(FeatureMap map)
    {
        int side = map.Side, patches = side * side;
        var rows = new List<int>(Enumerable.Range(0, patches));
        var k = map.Kept;
        for (int r = k.Top; r < k.Top + k.Rows; r++)
        {
            for (int c = k.Left; c < k.Left + k.Cols; c++)
                rows.Add((1 + r / side * map.GridCols + c / side) * patches + r % side * side + c % side);
            rows.Add(-1);
        }
        return [.. rows];
    }

    /// <summary>
    /// Python's int(round(x, 7)) for x &gt;= 0. CPython rounds the exact binary value of x to 7 decimals, so the result is
    /// floor(x) + 1 exactly when x &gt; floor(x) + 1 - 5e-8 (no double equals that point: it is not a dyadic fraction).
    /// The comparison is made exactly, on x = m 2^e: 2e7 (floor(x) + 1) - 2e7 x &lt; 1.
    /// </summary>
    public static int IntOfRound7(double x)
    {
        if (!(x >= 0) || double.IsInfinity(x)) throw new ArgumentOutOfRangeException(nameof(x), $"{x} is not a finite non-negative number");
        long floor = (long)Math.Floor(x);
        long bits = BitConverter.DoubleToInt64Bits(x);
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent = 1; else mantissa |= 1L << 52;
        int e = exponent - 1075;                                                   // x = mantissa * 2^e
        // Both sides of the comparison times scale = 2^max(0, -e), so that every term is an integer.
        var scale = BigInteger.Pow(2, Math.Max(0, -e));
        var twiceE7X = 20_000_000 * (BigInteger)mantissa * BigInteger.Pow(2, Math.Max(0, e));   // 2e7 x scale
        var twiceE7Next = 20_000_000 * (BigInteger)(floor + 1) * scale;                          // 2e7 (floor + 1) scale
        return (int)(twiceE7Next - twiceE7X < scale ? floor + 1 : floor);
    }
}
