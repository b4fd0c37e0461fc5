using HeadPursuit.Eval.Data;
using HeadPursuit.Eval.Metrics;
using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Tests;

namespace HeadPursuit.Eval.Tests;

public class ConceptMassTests
{
    [Fact]
    public void MassIsTheSoftmaxShareOfTheIds()
    {
        float[] logits = [1, 2, 3, 1000];
        Assert.Equal(0, ConceptMass.Of(logits, [0, 1]), 12);                     // swamped by 1000, no overflow
        Assert.Equal(1, ConceptMass.Of(logits, [0, 1, 2, 3]), 12);
        float[] small = [0, (float)Math.Log(3)];
        Assert.Equal(0.75, ConceptMass.Of(small, [1]), 6);
    }

    /// <summary>Slow reference: one forward per position, of the prefix up to it alone, with the same scales.</summary>
    static double Reference(Transformer model, int[] sequence, int position, HeadScales? scales, int[] ids)
    {
        var prefix = sequence[..(position + 1)];
        using var cache = model.NewCache(1, prefix.Length);
        var logits = model.Forward(new ForwardRequest
        {
            Tokens = prefix, Layout = new BatchLayout([0], [0], [prefix.Length]), Scales = scales,
        }, cache);
        return ConceptMass.Of(logits, ids);
    }

    [Fact]
    public void PackedScorerAgreesWithOneForwardPerPositionUnderScales()
    {
        string folder = Fixtures.Path("tinyworld-gpt2");
        using var model = Transformer.Load(folder, new CpuBackend());
        var tok = Tokenizer.FromFolder(folder);
        int[] colours = [.. LexiconFile.Read(Path.Combine(folder, "lexicon.json"), "colours").Select(w => tok.Encode(" " + w).Single())];
        var prompts = new[] { "Once upon a time, Mia saw a", "Yesterday, Hugo made a", "One day, Tom felt" }.Select(p => tok.Encode(p)).ToArray();
        var scales = new HeadScales(6, 8);
        scales[1, 7] = -1; scales[2, 6] = 3;
        var generated = new Generator(model).Generate(prompts, new SamplingOptions { MaxNewTokens = 5, Temperature = 1, Seed = 3 }, scales).NewTokens;

        var masses = new ConceptMassScorer(model, colours, batchSize: 2).Score(prompts, generated, scales);
        for (int i = 0; i < prompts.Length; i++)
        {
            int[] sequence = [.. prompts[i], .. generated[i]];
            int p = prompts[i].Length;
            Assert.Equal(Reference(model, sequence, p - 1, scales, colours), masses[i].Next, 5);
            double mean = Enumerable.Range(p - 1, sequence.Length - p + 1).Average(t => Reference(model, sequence, t, scales, colours));
            Assert.Equal(mean, masses[i].Generated, 5);
        }
        // the unmodified model puts nearly all its mass on a colour after "saw a" (fixture README), the scaled one differs
        var plain = new ConceptMassScorer(model, colours).Score(prompts, generated, null);
        Assert.True(plain[0].Next > 0.9, $"mass {plain[0].Next}");
        Assert.NotEqual(plain[0].Next, masses[0].Next);
    }
}
