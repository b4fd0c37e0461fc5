namespace HeadPursuit.Runtime.Maths;

/// <summary>The exact GELU, 0.5 x (1 + erf(x / sqrt 2)) (torch's default "gelu"), evaluated in double and rounded once.</summary>
internal static class Gelu
{
    public static float Exact(float x) => (float)(0.5 * x * (1 + Erf.Of(x / Math.Sqrt(2))));
}
