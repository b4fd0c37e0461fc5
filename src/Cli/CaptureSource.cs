using HeadPursuit.Runtime.Models;
using HeadPursuit.Eval.Data;
using HeadPursuit.Runtime.Vision;
using System.Security.Cryptography;
using System.Text;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Input;

namespace HeadPursuit.Cli;

/// <summary>
/// What `capture` runs over: text prompts pooled by a position policy, or image samples pooled over their image
/// tokens (the paper's pooling for vision-language models). <see cref="Capture"/> runs samples [first, first + count).
/// </summary>
/// <param name="Kind">"prompts" or "images": the metadata key naming the input file and its hash.</param>
/// <param name="Capture">(first, count, progress(done, count)) -> pooled z of those samples.</param>
sealed record CaptureSource(string Kind, string InputName, string InputSha256, int Samples, string Positions,
                            Func<int, int, Action<int, int>, HeadActivations> Capture)
{
    public static CaptureSource FromPrompts(LoadedModel loaded, string promptsPath, EncodingErrors encodingErrors, CapturePositions positions,
                                            bool chat, string? chatFamily, int batch)
    {
        var texts = PromptLines.Read(promptsPath, encodingErrors);
        var tok = loaded.RequireTokenizer();
        var prompts = PromptEncoding.Encode(tok, texts, chat, chatFamily);
        PromptFit.Check(prompts, loaded.Model.Config, newTokens: 0, i => $"prompt {i + 1} of {promptsPath}");
        var masks = CapturePositionMasks.For(tok, prompts, positions);
        var capture = new HeadCapture(loaded.Model);
        return new CaptureSource("prompts", Path.GetFileName(promptsPath), Sha256(texts), texts.Length, CapturePositionMasks.Describe(positions),
            (first, count, progress) => capture.Run(prompts[first..(first + count)], masks[first..(first + count)], batch, progress: progress));
    }

    /// <summary>Image samples: every prompt is encoded up front, so a bad prompt fails before any work.</summary>
    public static CaptureSource FromImages(LoadedModel loaded, string imagesPath, ImageSample[] samples, int batch)
    {
        var vlm = loaded.RequireVlm("--images");
        var prompts = samples.Select(s => ImagePrompts.Ids(vlm, loaded.Tokenizer, s)).ToArray();
        string identity = string.Join("\n", samples.Select((s, i) => $"{Path.GetFullPath(s.ImagePath)}\t{string.Join(",", prompts[i])}"));
        return new CaptureSource("images", Path.GetFileName(Path.GetFullPath(imagesPath).TrimEnd('/')), Sha256([identity]), samples.Length,
            "mean over the image tokens",
            (first, count, progress) => vlm.CaptureImages(prompts[first..(first + count)],
                                                          i => [vlm.Preprocess(samples[first + i].ImagePath)], batch, progress: progress));
    }

    static string Sha256(IEnumerable<string> lines) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", lines))));
}
