using System.Text.Json;
using HeadPursuit.Runtime;
using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Hub;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Runtime.Vision;

namespace HeadPursuit.Cli;

/// <summary>
/// A model named on the command line: a local folder or a Hugging Face hub id (downloaded into the standard
/// cache, with progress lines on a terminal), its weights on a backend, and its tokenizer when the folder has one.
/// A vision-language folder (config.json model_type "llava", ...) loads as such: <see cref="Model"/> is then its
/// language model, which is what rank and decompose read (W_O blocks, unembedding), and <see cref="Vlm"/> the whole.
/// </summary>
sealed class LoadedModel : IDisposable
{
    public required string Name { get; init; }
    public required string Folder { get; init; }
    public required Transformer Model { get; init; }
    public Tokenizer? Tokenizer { get; init; }
    /// <summary>The vision-language model when the folder is one, else null.</summary>
    public VisionLanguageModel? Vlm { get; init; }

    public Tokenizer RequireTokenizer() =>
        Tokenizer ?? throw new ArgumentException($"{Folder} has no tokenizer.json: give token ids instead of text");

    /// <summary>The vision-language model, or an error naming the option that needs one.</summary>
    public VisionLanguageModel RequireVlm(string option) =>
        Vlm ?? throw new ArgumentException($"{option} needs a vision-language model, but {Name} is a text-only model (model_type \"{ModelType(Folder)}\")");

    public static LoadedModel Load(string modelOrFolder, IBackend backend, StatusOutput status)
    {
        string folder = Resolve(modelOrFolder, status);
        var tokenizer = File.Exists(Path.Combine(folder, "tokenizer.json")) ? Tokenizer.FromFolder(folder) : null;
        if (VisionLanguageModel.IsVisionLanguage(ModelType(folder)))
        {
            var vlm = VisionLanguageModel.Load(folder, backend);
            return new LoadedModel { Name = modelOrFolder, Folder = folder, Model = vlm.Text, Tokenizer = tokenizer, Vlm = vlm };
        }
        return new LoadedModel { Name = modelOrFolder, Folder = folder, Model = Transformer.Load(folder, backend), Tokenizer = tokenizer };
    }

    /// <summary>A sequence classifier (e.g. an experiment's toxicity classifier), from a folder or the hub as <see cref="Load"/> takes a model.</summary>
    public static SequenceClassifier LoadClassifier(string modelOrFolder, IBackend backend, StatusOutput status) => SequenceClassifier.Load(Resolve(modelOrFolder, status), backend);

    /// <summary>The model's folder: a local one as is, a hub id's from the cache or a download; a hub failure says how to do without.</summary>
    static string Resolve(string modelOrFolder, StatusOutput status)
    {
        using var downloads = status.Downloads();
        try { return ModelResolver.Resolve(modelOrFolder, HubOptions.FromEnvironment(), downloads); }
        catch (Exception e) when (e is ModelFormatException or HttpRequestException)
        {
            throw new ModelFormatException(e.Message + "\n  without the hub: HF_HUB_OFFLINE=1 uses only models already in the cache, --model also takes a local " +
                                           "folder (config.json, model.safetensors, tokenizer.json), and leaving out --model runs the built-in TinyWorld GPT-2");
        }
    }

    /// <summary>config.json's "model_type", or "" when the file has none (the model loaders then say what is wrong).</summary>
    static string ModelType(string folder)
    {
        string path = Path.Combine(folder, "config.json");
        return File.Exists(path) ? ModelConfig.ModelTypeIn(path) : "";
    }

    public void Dispose()
    {
        if (Vlm != null) Vlm.Dispose();   // disposes its language model too
        else Model.Dispose();
    }
}
