using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Eval.Experiments;

/// <summary>
/// What an image experiment adds to <see cref="ExperimentSpec"/> (whose Prompts then name the images and whose Golds
/// hold each image's class, as a one-element array, or its reference captions). Paths are absolute.
/// </summary>
public sealed record ImageTaskSpec
{
    /// <summary>Where the image goes in a prompt.</summary>
    public const string Placeholder = Runtime.Vision.VisionLanguageModel.Placeholder;
    /// <summary>Replaced by the class names, comma-separated, in a classification prompt.</summary>
    public const string ClassesPlaceholder = "{classes}";
    /// <summary>The prompt of a classification task that gives none.</summary>
    public const string DefaultClassificationPrompt = Placeholder + "\nWhat is shown in this image? Answer with one of: " + ClassesPlaceholder + ".";
    /// <summary>The prompt of a captioning task that gives none.</summary>
    public const string DefaultCaptioningPrompt = Placeholder + "\nDescribe the image.";

    /// <summary>The dataset's images, one per sample.</summary>
    public required Data.ImageInput[] Images { get; init; }
    /// <summary>The class names a classification prompt lists and its answers are matched against (empty for captioning).</summary>
    public required string[] Classes { get; init; }
    /// <summary>The prompt with one <see cref="Placeholder"/> (classes already filled in), or null when <see cref="PromptIds"/> is given.</summary>
    public string? PromptText { get; init; }
    /// <summary>The prompt as token ids holding the model's image token once (for models without a tokenizer).</summary>
    public int[]? PromptIds { get; init; }
    /// <summary>The images captured (pooled over the image tokens) to rank the heads.</summary>
    public required Data.ImageInput[] CaptureImages { get; init; }
    /// <summary>The concept as token ids instead of words; its "words" are then the ids, matched in generated ids.</summary>
    public int[]? ConceptIds { get; init; }

    /// <summary>Refuses a model folder whose config.json is not a vision-language model.</summary>
    public static void CheckModelFolder(string folder, string source)
    {
        string config = Path.Combine(folder, "config.json");
        if (!File.Exists(config)) return;   // the model loader says what is missing
        string type = ModelConfig.ModelTypeIn(config);
        if (!Runtime.Vision.VisionLanguageModel.IsVisionLanguage(type))
            throw new ArgumentException($"{source}: \"dataset.format\" is an image task, but \"model\" {folder} is a text-only model (model_type \"{type}\"); image tasks need a vision-language model");
    }
}
