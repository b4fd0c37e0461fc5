using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Runtime.Vision;

namespace HeadPursuit.Cli;

/// <summary>A CLI image sample (an image with text or ids) made ready for a vision-language model.</summary>
static class ImagePrompts
{
    public const string Placeholder = VisionLanguageModel.Placeholder;
    public const string DefaultText = Placeholder + "\nDescribe the image.";

    /// <summary>The sample's prompt ids with the image token once (or as given); the count is checked where the image is merged.</summary>
    public static int[] Ids(VisionLanguageModel vlm, Tokenizer? tokenizer, ImageSample sample)
    {
        int imageToken = vlm.ImageTokenId;
        if (sample.Ids != null)
            return sample.Ids.Contains(imageToken) ? sample.Ids
                : throw new ArgumentException($"the prompt ids hold no image token (id {imageToken}): put it where the image goes");
        var tok = tokenizer ?? throw new ArgumentException(
            $"the model has no tokenizer.json, so prompts must be token ids holding the image token {imageToken} (e.g. --ids), not text");
        return vlm.Encode(tok, sample.Text!, images: 1);
    }

    /// <summary>Everything generation needs for one sample: the image prepared and merged into the prompt.</summary>
    public static ImagePrompt Prepare(VisionLanguageModel vlm, Tokenizer? tokenizer, ImageSample sample) =>
        vlm.Prepare(Ids(vlm, tokenizer, sample), [vlm.Preprocess(sample.ImagePath)]);
}
