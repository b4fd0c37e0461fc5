namespace HeadPursuit.Runtime.Vision.Qwen25Vl;

/// <summary>
/// An image's size in patches as the processor reports it (HF image_grid_thw): T temporal patches (1 for an image),
/// H x W patches per frame. Its rows of pixel_values are T H W; its image tokens (merge units) T H W / merge_size^2.
/// </summary>
internal readonly record struct ImageGrid(int T, int H, int W)
{
    public int Patches => T * H * W;

    public int Tokens(int mergeSize) => Patches / (mergeSize * mergeSize);

    public override string ToString() => $"[{T}, {H}, {W}]";
}
