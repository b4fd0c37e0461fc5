namespace HeadPursuit.Cli;

/// <summary>
/// One image with its prompt: either text holding the "&lt;image&gt;" placeholder (needs the model's tokenizer) or
/// token ids holding the model's image token id where the image goes (once, or already n_img times).
/// </summary>
sealed record ImageSample(string ImagePath, string? Text, int[]? Ids)
{
    /// <summary>How the sample is shown in tables: the image's file name and the prompt.</summary>
    public string Label => $"{Path.GetFileName(ImagePath)}: {Text ?? string.Join(",", Ids!)}";
}
