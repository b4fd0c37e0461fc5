using HeadPursuit.Runtime.Imaging;
using HeadPursuit.Runtime.Tokenizers;

namespace HeadPursuit.Runtime.Vision;

/// <summary>
/// An image prompt made ready for a LLaVA model, as HF LlavaProcessor does it: the image preprocessed to pixel_values,
/// and the prompt's image placeholder expanded to the image token repeated n_img times. Shared by the CLI and the
/// experiment harness.
/// </summary>
public static class LlavaPrompts
{
    public const string Placeholder = "<image>";

    /// <summary>
    /// Ids holding the image token once get it repeated n times in its place; ids holding it n times are kept.
    /// Any other count is left for <see cref="LlavaModel.MergeFeatures"/> to refuse with the counts.
    /// </summary>
    public static int[] Expand(int[] ids, int imageToken, int n)
    {
        int count = ids.Count(t => t == imageToken);
        if (count == 0) throw new ArgumentException($"the prompt ids hold no image token (id {imageToken}): put it where the image goes");
        if (count != 1) return ids;
        int at = Array.IndexOf(ids, imageToken);
        return [.. ids[..at], .. Enumerable.Repeat(imageToken, n), .. ids[(at + 1)..]];
    }

    /// <summary>
    /// Text with one "&lt;image&gt;": the text before it is encoded with the tokenizer's special tokens (BOS), the text
    /// after it without, and the image token id repeated n times between them. Encoding the two parts apart keeps the
    /// image token out of the tokenizer, which many checkpoints' tokenizer.json lack (the image token index can lie
    /// beyond the vocabulary).
    /// </summary>
    public static int[] FromText(Tokenizer tok, string text, int imageToken, int n)
    {
        var parts = text.Split(Placeholder);
        if (parts.Length != 2)
            throw new ArgumentException($"the prompt '{text}' must hold the image placeholder {Placeholder} exactly once (it holds it {parts.Length - 1} times)");
        return [.. tok.Encode(parts[0], addSpecialTokens: true), .. Enumerable.Repeat(imageToken, n), .. tok.Encode(parts[1])];
    }

    /// <summary>
    /// pixel_values [3, S, S] of an image file: decoded (PNG or JPEG), then preprocessed by the folder's
    /// preprocessor_config.json, or without one by CLIP's defaults at the vision tower's input size.
    /// </summary>
    public static float[] PixelValues(LlavaModel llava, string imagePath) => PixelValues(llava, ImageFile.Load(imagePath), imagePath);

    /// <summary>pixel_values [3, S, S] of a decoded image; <paramref name="source"/> names it in errors.</summary>
    public static float[] PixelValues(LlavaModel llava, RgbImage image, string source)
    {
        int size = llava.Config.Vision.ImageSize;
        var processor = llava.Preprocessor ?? new ClipImageProcessor { ShortestEdge = size, CropHeight = size, CropWidth = size };
        var pixels = processor.PixelValues(image);
        if (pixels.Length != 3 * size * size)
            throw new ModelFormatException($"{source}: preprocessing gives {pixels.Length} values, the vision tower takes [3, {size}, {size}] (check preprocessor_config.json's crop_size)");
        return pixels;
    }
}
