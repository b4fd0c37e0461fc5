using HeadPursuit.Runtime;
using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Hub;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Cli;

/// <summary>
/// A model named by --model: a local folder or a hub id (downloaded into the standard cache, with a progress line per
/// file on a terminal); a hub failure says how to do without the hub.
/// </summary>
static class ModelArgument
{
    public static LoadedModel Load(string modelOrFolder, IBackend backend, StatusOutput status) =>
        LoadedModel.Open(Resolve(modelOrFolder, status), backend, name: modelOrFolder);

    /// <summary>A sequence classifier (e.g. an experiment's toxicity classifier), from a folder or the hub as <see cref="Load"/> takes a model.</summary>
    public static SequenceClassifier LoadClassifier(string modelOrFolder, IBackend backend, StatusOutput status) =>
        SequenceClassifier.Load(Resolve(modelOrFolder, status), backend);

    /// <summary>The model's folder: a local one as is, a hub id's from the cache or a download.</summary>
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
}
