using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Backends.Cpu;

namespace HeadPursuit.Runtime.Vision;

/// <summary>Element-wise activations of the vision tower and the projector, in place on [rows * cols] buffers.</summary>
internal static class Activations
{
    /// <summary>CLIP's quick_gelu: x * sigmoid(1.702 x).</summary>
    public static void QuickGelu(Span<float> x)
    {
        for (int i = 0; i < x.Length; i++) x[i] = x[i] / (1f + MathF.Exp(-1.702f * x[i]));
    }

    /// <summary>Exact GELU: 0.5 x (1 + erf(x / sqrt 2)) (LLaVA's projector, torch's default "gelu").</summary>
    public static void Gelu(Span<float> x)
    {
        for (int i = 0; i < x.Length; i++) x[i] = Maths.Gelu.Exact(x[i]);
    }

    /// <summary>The tanh GELU (SigLIP's gelu_pytorch_tanh), the language models' CPU kernel.</summary>
    public static void GeluTanh(Span<float> x) => ActivationRow.Apply(Activation.GeluTanh, x, x);

    public static void Apply(ClipActivation act, Span<float> x)
    {
        switch (act)
        {
            case ClipActivation.QuickGelu: QuickGelu(x); break;
            case ClipActivation.Gelu: Gelu(x); break;
            case ClipActivation.GeluTanh: GeluTanh(x); break;
            default: throw new ArgumentOutOfRangeException(nameof(act), act, "unknown activation");
        }
    }
}
