using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Runtime.Vision;

namespace HeadPursuit.Cli;

/// <summary>
/// A CLI image sample (an image with text or ids) made ready for a LLaVA model through <see cref="LlavaPrompts"/>.
/// </summary>
static class ImagePrompts
{
    public const string Placeholder = LlavaPrompts.Placeholder;
    public const string DefaultText = Placeholder + "\nDescribe the image.";

    /// <summary>The sample's prompt ids with n_img image tokens (the count is checked again where features are merged).</summary>
    public static int[] Ids(LlavaModel llava, Tokenizer? tokenizer, ImageSample sample)
    {
        int imageToken = llava.Config.ImageTokenIndex, n = llava.Config.ImageTokens;
        if (sample.Ids != null) return LlavaPrompts.Expand(sample.Ids, imageToken, n);
        var tok = tokenizer ?? throw new ArgumentException(
            $"the model has no tokenizer.json, so prompts must be token ids holding the image token {imageToken} (e.g. --ids), not text");
        return LlavaPrompts.FromText(tok, sample.Text!, imageToken, n);
    }

    /// <summary>Everything generation needs for one sample: ids, pixels, and the features merged into the prompt.</summary>
    public static ImagePrompt Prepare(LlavaModel llava, Tokenizer? tokenizer, ImageSample sample) =>
        llava.PrepareImagePrompt(Ids(llava, tokenizer, sample), LlavaPrompts.PixelValues(llava, sample.ImagePath));
}
