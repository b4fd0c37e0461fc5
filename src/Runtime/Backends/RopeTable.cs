namespace HeadPursuit.Runtime.Backends;

/// <summary>
/// Rotary position tables in the Hugging Face rotate-half convention: inv_freq_j = theta^(-2j/d_head),
/// angle = pos * inv_freq_j, and for each position the cos/sin of the d_head/2 angles.
/// x' = x * cos(emb) + rotate_half(x) * sin(emb), emb = [angles, angles], rotate_half(x) = [-x2, x1].
/// Angles are computed in double, as the float64 reference does; HF's float32 path differs by rounding.
/// </summary>
public sealed class RopeTable
{
    public int DHead { get; }
    public int MaxPositions { get; }
    public float[] Cos { get; }   // [MaxPositions, DHead/2]
    public float[] Sin { get; }   // [MaxPositions, DHead/2]

    public RopeTable(int dHead, int maxPositions, double theta)
    {
        DHead = dHead; MaxPositions = maxPositions;
        int half = dHead / 2;
        Cos = new float[maxPositions * half];
        Sin = new float[maxPositions * half];
        for (int j = 0; j < half; j++)
        {
            double invFreq = Math.Pow(theta, -2.0 * j / dHead);
            for (int p = 0; p < maxPositions; p++)
            {
                double a = p * invFreq;
                Cos[p * half + j] = (float)Math.Cos(a);
                Sin[p * half + j] = (float)Math.Sin(a);
            }
        }
    }

    /// <summary>Rotates one head vector x [DHead] in place for position <paramref name="pos"/>.</summary>
    public void Apply(Span<float> x, int pos)
    {
        int half = DHead / 2;
        var c = Cos.AsSpan(pos * half, half);
        var s = Sin.AsSpan(pos * half, half);
        for (int j = 0; j < half; j++)
        {
            float a = x[j], b = x[j + half];
            x[j] = a * c[j] - b * s[j];
            x[j + half] = b * c[j] + a * s[j];
        }
    }
}
