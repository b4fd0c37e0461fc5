using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Tokenizers;

namespace HeadPursuit.Cli;

/// <summary>Prompts to pooled head activations in memory, with a progress line: what `capture` does in chunks and `rank --prompts` does at once.</summary>
static class PromptCapture
{
    /// <summary>Which positions each prompt pools; special tokens are the tokenizer's (BOS, template markers).</summary>
    public static bool[][] Masks(Tokenizer tok, int[][] prompts, CapturePositions positions)
    {
        var special = Enumerable.Range(0, tok.VocabSize).Where(tok.IsSpecial).ToHashSet();
        return prompts.Select(p => CapturePositionMasks.For(p, positions, special)).ToArray();
    }

    public static HeadActivations Run(LoadedModel loaded, IReadOnlyList<string> texts, CapturePositions positions, int batch)
    {
        var tok = loaded.RequireTokenizer();
        var prompts = PromptEncoding.Encode(tok, texts, chat: false, chatFamily: null);
        var progress = new ConsoleProgress("capture", "samples");
        var acts = new HeadCapture(loaded.Model).Run(prompts, Masks(tok, prompts, positions), batch, progress: progress.Report);
        return new HeadActivations(acts.Layers, acts.Heads, acts.Samples, acts.DHead, acts.Z)
        {
            Model = loaded.Name, Positions = CapturePositionMasks.Describe(positions),
            Metadata = { ["config_sha256"] = ModelIdentity.ConfigHash(loaded.Folder) },
        };
    }

    /// <summary>
    /// The pooled activations a ranking command works on: read from <paramref name="activationsPath"/> (checked to be
    /// of this model), or captured now from <paramref name="promptsPath"/> (all positions but special tokens).
    /// </summary>
    public static HeadActivations LoadOrRun(LoadedModel loaded, string modelName, string? activationsPath, string? promptsPath, int batch)
    {
        if (activationsPath == null) return Run(loaded, PromptFile.Read(promptsPath!), CapturePositions.AllButSpecial, batch);
        var acts = HeadActivations.Load(activationsPath);
        ModelIdentity.Check(acts, activationsPath, loaded.Folder, modelName);
        return acts;
    }
}
