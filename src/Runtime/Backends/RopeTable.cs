namespace HeadPursuit.Runtime.Backends;

/// <summary>
/// Rotary position tables in the Hugging Face rotate-half convention, for the first <see cref="RotaryDims"/> dimensions
/// of each head (all of them unless the family rotates only part, as GPT-NeoX does): with half = RotaryDims / 2,
/// angle(p, j) = p * InvFreq[j], and for j &lt; half
///   x'[j] = x[j] cos - x[j + half] sin,   x'[j + half] = x[j + half] cos + x[j] sin;
/// dimensions from RotaryDims on pass through. Angles and their cos/sin are computed in double and rounded once
/// (HF's float32 path differs by rounding). Rows are computed on demand (<see cref="EnsurePositions"/>), so a model
/// with a long context does not pay for positions it never reaches; a row's values never depend on when it was made.
/// </summary>
public sealed class RopeTable
{
    /// <summary>[RotaryDims / 2] inverse frequencies, scaling already applied (see Models/RopeFrequencies).</summary>
    public double[] InvFreq { get; }
    public int RotaryDims => 2 * InvFreq.Length;
    /// <summary>Positions 0..Positions-1 have rows in <see cref="Cos"/> and <see cref="Sin"/>.</summary>
    public int Positions { get; private set; }
    public float[] Cos { get; private set; } = [];   // [Positions, RotaryDims / 2]
    public float[] Sin { get; private set; } = [];   // [Positions, RotaryDims / 2]

    public RopeTable(double[] invFreq, int positions = 0)
    {
        if (invFreq.Length == 0) throw new ArgumentException("a RoPE table needs at least one frequency");
        InvFreq = invFreq;
        EnsurePositions(positions);
    }

    /// <summary>Makes rows for positions 0..<paramref name="positions"/>-1 exist (growing by doubling).</summary>
    public void EnsurePositions(int positions)
    {
        if (positions <= Positions) return;
        int n = Math.Max(positions, 2 * Positions), half = InvFreq.Length;
        var cos = new float[(long)n * half];
        var sin = new float[(long)n * half];
        Cos.CopyTo(cos, 0);
        Sin.CopyTo(sin, 0);
        for (int p = Positions; p < n; p++)
            for (int j = 0; j < half; j++)
            {
                double a = p * InvFreq[j];
                cos[p * half + j] = (float)Math.Cos(a);
                sin[p * half + j] = (float)Math.Sin(a);
            }
        Cos = cos; Sin = sin; Positions = n;
    }

    /// <summary>Rotates one head vector x [d_head] in place for position <paramref name="pos"/> (which must have a row).</summary>
    public void Apply(Span<float> x, int pos)
    {
        int half = InvFreq.Length;
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
