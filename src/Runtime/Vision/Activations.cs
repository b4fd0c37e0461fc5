namespace HeadPursuit.Runtime.Vision;

/// <summary>Element-wise activations of the vision tower and the projector, in place on [rows * cols] buffers.</summary>
public static class Activations
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

    public static void Apply(ClipActivation act, Span<float> x)
    {
        if (act == ClipActivation.QuickGelu) QuickGelu(x); else Gelu(x);
    }
}
