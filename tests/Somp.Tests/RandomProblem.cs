namespace HeadPursuit.Somp.Tests;

/// <summary>A seeded random SOMP problem in the d_head space: Z [n, dh], W_O [dm, dh], D [v, dm].</summary>
sealed record RandomProblem(int N, int DHead, int DModel, int V, float[] Z, float[] WO, float[] D)
{
    public static RandomProblem Create(Random rng, int n, int dHead, int dModel, int v)
    {
        return new RandomProblem(n, dHead, dModel, v, Gaussian(rng, n * dHead), Gaussian(rng, dModel * dHead), Gaussian(rng, v * dModel));
    }

    public static float[] Gaussian(Random rng, int count)
    {
        var x = new float[count];
        for (int i = 0; i < count; i++)
            x[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        return x;
    }

    /// <summary>H = Z W_O^T [n, dm] in float64, what SompReference takes.</summary>
    public double[] H()
    {
        var h = new double[N * DModel];
        for (int i = 0; i < N; i++)
            for (int m = 0; m < DModel; m++)
            {
                double x = 0;
                for (int e = 0; e < DHead; e++) x += (double)Z[i * DHead + e] * WO[m * DHead + e];
                h[i * DModel + m] = x;
            }
        return h;
    }

    public SompHead Head => new(Z, WO, N, DHead, DModel);
    public AtomSet Atoms => new(D, V, DModel);
    public double[] DictionaryAsDouble => SompFixtureCase.ToDouble(D);
}
