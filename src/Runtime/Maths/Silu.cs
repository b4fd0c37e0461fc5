namespace HeadPursuit.Runtime.Maths;

/// <summary>SiLU ("silu", "swish") in double precision, rounded once (the reference the CPU's activation lanes are tested against).</summary>
internal static class Silu
{
    /// <summary>x * sigmoid(x), sigmoid(x) = 1 / (1 + exp(-x)): NaN at -inf (-inf * 0), as torch's x / (1 + exp(-x)).</summary>
    public static float Of(float x) => (float)(x * (1 / (1 + Math.Exp(-(double)x))));
}
