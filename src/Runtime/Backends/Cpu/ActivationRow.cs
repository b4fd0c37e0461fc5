using System.Numerics.Tensors;

namespace HeadPursuit.Runtime.Backends.Cpu;

/// <summary>
/// One row of an <see cref="Activation"/> on the CPU: y = act(x) (x and y may be the same span). The tanh GELU and SiLU
/// are vectorised (TensorPrimitives); the exact GELU evaluates erf in double per element (Maths.Gelu).
/// </summary>
static class ActivationRow
{
    [ThreadStatic] static float[]? t_scratch;

    public static void Apply(Activation act, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (act)
        {
            case Activation.GeluTanh: GeluTanh(x, y); break;
            case Activation.GeluErf:
                for (int i = 0; i < x.Length; i++) y[i] = Maths.Gelu.Exact(x[i]);
                break;
            case Activation.Silu:
                // silu(x) = x * sigmoid(x); a scratch row keeps x intact when y aliases it.
                var s = Scratch(x.Length);
                TensorPrimitives.Sigmoid(x, s);
                TensorPrimitives.Multiply(s, x, y);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(act), act, "unknown activation");
        }
    }

    /// <summary>t = tanh(c (x + 0.044715 x^3)), y = 0.5 x (1 + t), c = sqrt(2/pi).</summary>
    static void GeluTanh(ReadOnlySpan<float> x, Span<float> y)
    {
        var t = Scratch(x.Length);
        const float c = 0.7978845608028654f; // sqrt(2/pi)
        TensorPrimitives.Multiply(x, x, t);                  // x^2
        TensorPrimitives.Multiply(t, 0.044715f, t);
        TensorPrimitives.Add(t, 1f, t);                      // 1 + 0.044715 x^2
        TensorPrimitives.Multiply(t, x, t);                  // x + 0.044715 x^3
        TensorPrimitives.Multiply(t, c, t);
        TensorPrimitives.Tanh(t, t);
        TensorPrimitives.Add(t, 1f, t);
        TensorPrimitives.Multiply(t, x, y);
        TensorPrimitives.Multiply(y, 0.5f, y);
    }

    static Span<float> Scratch(int n)
    {
        if (t_scratch == null || t_scratch.Length < n) t_scratch = new float[n];
        return t_scratch.AsSpan(0, n);
    }
}
