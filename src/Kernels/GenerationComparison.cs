using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Tokenizers;

namespace HeadPursuit.Kernels;

/// <summary>One greedy generation case: the new tokens per prompt on the reference and the tested backend.</summary>
internal sealed record GenerationCase(string Name, int[][] Reference, int[][] Tested)
{
    public bool Passed => Reference.Length == Tested.Length && Reference.Zip(Tested).All(p => p.First.SequenceEqual(p.Second));

    public override string ToString()
    {
        if (Passed) return $"ok   greedy {Name}: {Reference.Length} prompts, {Reference.Sum(t => t.Length)} tokens identical";
        if (Reference.Length != Tested.Length) return $"FAIL greedy {Name}: {Reference.Length} prompts vs {Tested.Length}";
        int first = Enumerable.Range(0, Reference.Length).First(i => !Reference[i].SequenceEqual(Tested[i]));
        return $"FAIL greedy {Name}: prompt {first} differs: [{string.Join(",", Reference[first])}] vs [{string.Join(",", Tested[first])}]";
    }
}

/// <summary>
/// Greedy generations of a model folder (with tokenizer.json) on two backends, without and with an intervention
/// (alpha = -1 on the first head of every layer, all positions): the token streams must be identical.
/// </summary>
internal static class GenerationComparison
{
    public static readonly string[] Prompts = ["Once upon a time, there was a little girl", "Tom had a red ball", "The sun was"];

    public static IReadOnlyList<GenerationCase> Run(string modelFolder, IBackend reference, IBackend tested, int maxNewTokens = 40)
    {
        var tokenizer = Tokenizer.FromFolder(modelFolder);
        var prompts = Prompts.Select(p => tokenizer.Encode(p, addSpecialTokens: true)).ToList();
        var options = new SamplingOptions { MaxNewTokens = maxNewTokens };
        using var a = Transformer.Load(modelFolder, reference);
        using var b = Transformer.Load(modelFolder, tested);
        var scales = new HeadScales(a.Config.Layers, a.Config.Heads);
        for (int l = 0; l < a.Config.Layers; l++) scales[l, 0] = -1f;
        return
        [
            new("without intervention", new Generator(a).Generate(prompts, options).NewTokens, new Generator(b).Generate(prompts, options).NewTokens),
            new("with alpha = -1 on L*H0", new Generator(a).Generate(prompts, options, scales).NewTokens,
                new Generator(b).Generate(prompts, options, scales).NewTokens),
        ];
    }
}
