using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Tests;

namespace HeadPursuit.Eval.Tests;

/// <summary>The Span position policy scales heads only at prompt positions [start, end).</summary>
public class SpanPolicyTests
{
    static readonly int[][] Prompts = [[1, 403, 407, 261, 378, 275], [1, 88, 300, 410]];
    static readonly SamplingOptions Greedy = new() { MaxNewTokens = 5 };

    static float[][][] StepLogits(Transformer model, PositionPolicy policy, int start = 0, int end = 0)
    {
        var scales = new HeadScales(model.Config.Layers, model.Config.Heads) { Policy = policy, SpanStart = start, SpanEnd = end };
        scales[0, 1] = -1; scales[1, 2] = 5; scales[2, 3] = 0;
        return new Generator(model).Generate(Prompts, Greedy, scales, keepStepLogits: true).StepLogits!;
    }

    [Fact]
    public void SpanOverTheWholePromptIsThePromptPolicyAndASpanPastItIsTheUnmodifiedModel()
    {
        using var model = Transformer.Load(Fixtures.Path("stories260K"), new CpuBackend());
        var unmodified = new Generator(model).Generate(Prompts, Greedy, keepStepLogits: true).StepLogits!;
        var prompt = StepLogits(model, PositionPolicy.Prompt);
        Assert.Equal(prompt, StepLogits(model, PositionPolicy.Span, 0, 6));
        Assert.Equal(unmodified, StepLogits(model, PositionPolicy.Span, 6, 100));   // beyond both prompts: nothing scaled

        var middle = StepLogits(model, PositionPolicy.Span, 1, 3);
        Assert.NotEqual(unmodified[0][0], middle[0][0]);
        Assert.NotEqual(prompt[0][0], middle[0][0]);
        Assert.Throws<ArgumentException>(() => StepLogits(model, PositionPolicy.Span, 3, 3));
    }
}
