using System.Text.Json;
using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Hub;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Runtime.Vision;

namespace HeadPursuit.Runtime.Models;

/// <summary>
/// A model named by a local folder or a Hugging Face hub id (downloaded into the standard cache), its weights on a
/// backend, and its tokenizer when the folder has one. A vision-language folder (config.json model_type "llava", ...)
/// loads as such: <see cref="Model"/> is then its language model, which is what ranking reads (W_O blocks,
/// unembedding), and <see cref="Vlm"/> the whole.
/// </summary>
public sealed class LoadedModel : IDisposable
{
    /// <summary>The folder or hub id the model was loaded from, as given.</summary>
    public required string Name { get; init; }
    /// <summary>The local folder holding config.json and the weights (a hub id's snapshot folder in the cache).</summary>
    public required string Folder { get; init; }
    /// <summary>The language model (of a vision-language model, its language half).</summary>
    public required Transformer Model { get; init; }
    /// <summary>The folder's tokenizer.json, or null when it has none (prompts are then token ids).</summary>
    public Tokenizer? Tokenizer { get; init; }
    /// <summary>The vision-language model when the folder is one, else null.</summary>
    public VisionLanguageModel? Vlm { get; init; }

    /// <summary>The tokenizer, or an error saying that the folder has none.</summary>
    public Tokenizer RequireTokenizer() =>
        Tokenizer ?? throw new ArgumentException($"{Folder} has no tokenizer.json: give token ids instead of text");

    /// <summary>The vision-language model, or an error naming the option (or use) that needs one.</summary>
    public VisionLanguageModel RequireVlm(string option) =>
        Vlm ?? throw new ArgumentException($"{option} needs a vision-language model, but {Name} is a text-only model (model_type \"{ModelType(Folder)}\")");

    /// <summary>
    /// Loads <paramref name="modelOrFolder"/>: a local folder as is, a hub id from the cache or a download with
    /// <paramref name="hub"/> (default: the HF_* environment variables), reporting each file's download to <paramref name="downloads"/>.
    /// </summary>
    public static LoadedModel Load(string modelOrFolder, IBackend backend, HubOptions? hub = null, IProgress<DownloadProgress>? downloads = null) =>
        Open(ModelResolver.Resolve(modelOrFolder, hub ?? HubOptions.FromEnvironment(), downloads), backend, name: modelOrFolder);

    /// <summary>Loads the model in the local <paramref name="folder"/>; <paramref name="name"/> (default: the folder) is what messages and captures call it.</summary>
    public static LoadedModel Open(string folder, IBackend backend, string? name = null)
    {
        name ??= folder;
        var tokenizer = File.Exists(Path.Combine(folder, "tokenizer.json")) ? Tokenizer.FromFolder(folder) : null;
        if (VisionLanguageModel.IsVisionLanguage(ModelType(folder)))
        {
            var vlm = VisionLanguageModel.Load(folder, backend);
            return new LoadedModel { Name = name, Folder = folder, Model = vlm.Text, Tokenizer = tokenizer, Vlm = vlm };
        }
        return new LoadedModel { Name = name, Folder = folder, Model = Transformer.Load(folder, backend), Tokenizer = tokenizer };
    }

    /// <summary>config.json's "model_type", or "" when the file has none (the model loaders then say what is wrong).</summary>
    static string ModelType(string folder)
    {
        string path = Path.Combine(folder, "config.json");
        return File.Exists(path) ? ModelConfig.ModelTypeIn(path) : "";
    }

    /// <summary>Frees the weights (of a vision-language model, both halves).</summary>
    public void Dispose()
    {
        if (Vlm != null) Vlm.Dispose();   // disposes its language model too
        else Model.Dispose();
    }
}
