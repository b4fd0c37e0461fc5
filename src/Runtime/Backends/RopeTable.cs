namespace HeadPursuit.Runtime.Backends;

/// <summary>
/// Rotary position tables in the Hugging Face rotate-half convention, for the first <see cref="RotaryDims"/> dimensions
/// of each head (all of them unless the family rotates only part, as GPT-NeoX does): with half = RotaryDims / 2,
/// angle(p, j) = p * InvFreq[j], and for j &lt; half
///   x'[j] = x[j] cos - x[j + half] sin,   x'[j + half] = x[j + half] cos + x[j] sin;
/// dimensions from RotaryDims on pass through. Angles and their cos/sin are computed in double and rounded once
/// (HF's float32 path differs by rounding). Rows are computed on demand (<see cref="EnsurePositions"/>), so a model
/// with a long context does not pay for positions it never reaches; a row's values never depend on when it was made.
/// Multimodal RoPE (Qwen2.5-VL) splits the frequencies into sections: j &lt; T use the row's temporal position, the next
/// H its height position, the last W its width position (the same position for all three with 1-D input).
/// </summary>
internal sealed class RopeTable
{
    /// <summary>[RotaryDims / 2] inverse frequencies, scaling already applied (see Models/RopeFrequencies).</summary>
    public double[] InvFreq { get; }
    public int RotaryDims => 2 * InvFreq.Length;
    /// <summary>Frequencies j &lt; SectionEnd1 rotate by the temporal position, j &lt; SectionEnd2 by the height position, the rest by the width position.</summary>
    public int SectionEnd1 { get; }
    public int SectionEnd2 { get; }
    /// <summary>Positions 0..Positions-1 have rows in <see cref="Cos"/> and <see cref="Sin"/>.</summary>
    public int Positions { get; private set; }
    public float[] Cos { get; private set; } = [];   // [Positions, RotaryDims / 2]
    public float[] Sin { get; private set; } = [];   // [Positions, RotaryDims / 2]

    public RopeTable(double[] invFreq, int positions = 0, (int T, int H, int W)? sections = null)
    {
        if (invFreq.Length == 0) throw new ArgumentException("a RoPE table needs at least one frequency");
        if (sections is var (t, h, w) && (t < 0 || h < 0 || w < 0 || t + h + w != invFreq.Length))
            throw new ArgumentException($"multimodal RoPE sections [{t}, {h}, {w}] must add up to the {invFreq.Length} frequencies");
        InvFreq = invFreq;
        (SectionEnd1, SectionEnd2) = sections is var (st, sh, _) ? (st, st + sh) : (invFreq.Length, invFreq.Length);
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

    /// <summary>
    /// Rotates one head vector x [d_head] in place for the rotary positions (t, h, w) of its row (all three the same
    /// for 1-D RoPE; each must have a table row).
    /// </summary>
    public void Apply(Span<float> x, int t, int h, int w)
    {
        int half = InvFreq.Length;
        for (int j = 0; j < half; j++)
        {
            int at = (j < SectionEnd1 ? t : j < SectionEnd2 ? h : w) * half + j;
            float a = x[j], b = x[j + half], c = Cos[at], s = Sin[at];
            x[j] = a * c - b * s;
            x[j + half] = b * c + a * s;
        }
    }
}
