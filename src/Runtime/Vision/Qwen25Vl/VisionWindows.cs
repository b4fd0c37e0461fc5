namespace HeadPursuit.Runtime.Vision.Qwen25Vl;

/// <summary>
/// The order the vision tower processes merge units in, and the row ranges its attention stays within (HF
/// get_window_index and cu_seqlens), for the images of one call:
///   each frame's merged grid lh x lw (lh = H / m, lw = W / m) is padded by wu - lh % wu rows and wu - lw % wu columns
///   (wu = window units; a whole empty row or column of windows when already divisible), cut into wu x wu windows taken
///   row-major with the units inside each row-major; empty windows and padding are dropped. <see cref="WindowIndex"/>
///   lists the unit indices (units of later images offset by earlier images' units) in that order.
/// Rows (merge_size^2 per unit, kept together) are attended within their window (<see cref="CuWindowSeqlens"/>:
/// cumulative rows at each window's end, from 0) in window-attention blocks, and within their frame of their image
/// (<see cref="CuSeqlens"/>) in full-attention blocks. Both are ranges of rows in window order.
/// </summary>
internal sealed class VisionWindows
{
    /// <summary>[units]: the unit at each window-order position.</summary>
    public int[] WindowIndex { get; }
    /// <summary>[windows + 1]: 0, then the cumulative row count at the end of each non-empty window.</summary>
    public int[] CuWindowSeqlens { get; }
    /// <summary>[frames + 1]: 0, then the cumulative row count at the end of each frame of each image.</summary>
    public int[] CuSeqlens { get; }
    /// <summary>[rows]: the row (in the processor's order) at each window-order row.</summary>
    public int[] RowOrder { get; }

    VisionWindows(int[] windowIndex, int[] cuWindowSeqlens, int[] cuSeqlens, int unit)
    {
        WindowIndex = windowIndex; CuWindowSeqlens = cuWindowSeqlens; CuSeqlens = cuSeqlens;
        RowOrder = new int[windowIndex.Length * unit];
        for (int k = 0; k < windowIndex.Length; k++)
            for (int s = 0; s < unit; s++) RowOrder[k * unit + s] = windowIndex[k] * unit + s;
    }

    public static VisionWindows Of(IReadOnlyList<ImageGrid> grids, int mergeSize, int windowUnits)
    {
        int unit = mergeSize * mergeSize, wu = windowUnits;
        var index = new List<int>();
        var cuWindow = new List<int> { 0 };
        var cuFrames = new List<int> { 0 };
        int offset = 0;
        foreach (var g in grids)
        {
            int lh = g.H / mergeSize, lw = g.W / mergeSize;
            int windowsH = (lh + wu - lh % wu) / wu, windowsW = (lw + wu - lw % wu) / wu;
            for (int t = 0; t < g.T; t++)
            {
                for (int wy = 0; wy < windowsH; wy++)
                    for (int wx = 0; wx < windowsW; wx++)
                    {
                        int before = index.Count;
                        for (int y = wy * wu; y < Math.Min(lh, (wy + 1) * wu); y++)
                            for (int x = wx * wu; x < Math.Min(lw, (wx + 1) * wu); x++)
                                index.Add(offset + (t * lh + y) * lw + x);
                        if (index.Count > before) cuWindow.Add(index.Count * unit);
                    }
                cuFrames.Add(cuFrames[^1] + lh * lw * unit);
            }
            offset += g.T * lh * lw;
        }
        return new VisionWindows([.. index], [.. cuWindow], [.. cuFrames], unit);
    }
}
