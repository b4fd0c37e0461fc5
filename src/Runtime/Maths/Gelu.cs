namespace HeadPursuit.Runtime.Maths;

/// <summary>The two GELUs in double precision, rounded once (the references the CPU's activation lanes are tested against).</summary>
internal static class Gelu
{
    /// <summary>The exact GELU, 0.5 x (1 + erf(x / sqrt 2)) (torch's default "gelu").</summary>
    public static float Exact(float x) => (float)(0.5 * x * (1 + Erf.Of(x / Math.Sqrt(2))));

    /// <summary>
    /// The tanh GELU ("gelu_new", "gelu_pytorch_tanh"), 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3), written as
    /// x / (1 + exp(-2u)) (the same function: 1 + tanh(u) = 2 / (1 + exp(-2u))), which keeps its relative accuracy in the
    /// negative tail, where 1 + tanh(u) cancels to 0 in double below x = -5 while the result stays a normal float down to
    /// x = -10. At -inf both forms give NaN (-inf * 0), as torch does; at +inf, +inf.
    /// </summary>
    public static float Tanh(float x)
    {
        double v = x, u = Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v);
        return (float)(v / (1 + Math.Exp(-2 * u)));
    }
}
