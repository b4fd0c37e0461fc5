using HeadPursuit.Runtime.Models;
using HeadPursuit.Eval.Data;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Input;
using HeadPursuit.Runtime.Tokenizers;

namespace HeadPursuit.Cli;

/// <summary>Prompts to pooled head activations in memory, with a progress line: what `capture` does in chunks and `rank --prompts` does at once.</summary>
static class PromptCapture
{
    static HeadActivations Run(LoadedModel loaded, string promptsPath, EncodingErrors encodingErrors, CapturePositions positions, int batch, StatusOutput status)
    {
        var tok = loaded.RequireTokenizer();
        var prompts = PromptEncoding.Encode(tok, PromptLines.Read(promptsPath, encodingErrors), chat: false, chatFamily: null);
        PromptFit.Check(prompts, loaded.Model.Config, newTokens: 0, i => $"prompt {i + 1} of {promptsPath}");
        var progress = status.Progress("capture", ProgressUnit.Of("samples"));
        var acts = new HeadCapture(loaded.Model).Run(prompts, CapturePositionMasks.For(tok, prompts, positions), batch, progress: (d, n) => progress.Report(d, n));
        return new HeadActivations(acts.Layers, acts.Heads, acts.Samples, acts.DHead, acts.Z)
        {
            Model = loaded.Name, Positions = CapturePositionMasks.Describe(positions),
            Metadata = { [ModelIdentity.MetadataKey] = ModelIdentity.ConfigHash(loaded.Folder) },
        };
    }

    /// <summary>
    /// The pooled activations a ranking command works on: read from <paramref name="activationsPath"/> (checked to be
    /// of this model), or captured now from <paramref name="promptsPath"/> (all positions but special tokens).
    /// </summary>
    public static HeadActivations LoadOrRun(LoadedModel loaded, string modelName, string? activationsPath, string? promptsPath, EncodingErrors encodingErrors,
                                            int batch, StatusOutput status)
    {
        if (activationsPath == null) return Run(loaded, promptsPath!, encodingErrors, CapturePositions.AllButSpecial, batch, status);
        var acts = HeadActivations.Load(activationsPath);
        ModelIdentity.Check(acts, activationsPath, loaded.Folder, modelName);
        return acts;
    }
}
