using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Hub;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Tokenizers;

namespace HeadPursuit.Cli;

/// <summary>
/// A model named on the command line: a local folder or a Hugging Face hub id (downloaded into the standard
/// cache, with a progress line on a terminal), its weights on a backend, and its tokenizer when the folder has one.
/// </summary>
sealed class LoadedModel : IDisposable
{
    public required string Name { get; init; }
    public required string Folder { get; init; }
    public required Transformer Model { get; init; }
    public Tokenizer? Tokenizer { get; init; }

    public Tokenizer RequireTokenizer() =>
        Tokenizer ?? throw new ArgumentException($"{Folder} has no tokenizer.json: give token ids instead of text");

    public static LoadedModel Load(string modelOrFolder, IBackend backend)
    {
        string folder = ModelResolver.Resolve(modelOrFolder, HubOptions.FromEnvironment(), new ConsoleDownloadProgress());
        return new LoadedModel
        {
            Name = modelOrFolder,
            Folder = folder,
            Model = Transformer.Load(folder, backend),
            Tokenizer = File.Exists(Path.Combine(folder, "tokenizer.json")) ? Tokenizer.FromFolder(folder) : null,
        };
    }

    public void Dispose() => Model.Dispose();
}
