namespace HeadPursuit.Somp;

/// <summary>
/// SOMP's centring of a head's pooled outputs (DESIGN.md section 3): z [n, d] minus each column's mean over the samples,
/// in double. The CPU fast path and the CUDA solver share it; <see cref="SompReference"/> keeps its own plain copy, as the
/// independent reference.
/// </summary>
internal static class Centring
{
    /// <returns>[n, d] z in double, its column means removed when <paramref name="center"/> is set.</returns>
    public static double[] Of(ReadOnlySpan<float> z, int n, int d, bool center)
    {
        var zc = new double[n * d];
        for (int i = 0; i < zc.Length; i++) zc[i] = z[i];
        if (!center) return zc;
        for (int e = 0; e < d; e++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += zc[i * d + e];
            mean /= n;
            for (int i = 0; i < n; i++) zc[i * d + e] -= mean;
        }
        return zc;
    }
}
