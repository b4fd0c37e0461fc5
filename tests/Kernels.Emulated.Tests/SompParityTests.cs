using HeadPursuit.Somp;

namespace HeadPursuit.Kernels.Emulated.Tests;

public class SompParityTests
{
    [Fact]
    public void Cuda_somp_matches_the_cpu_reference_on_random_heads()
    {
        // Heads of a random model-like problem: H_h = Z_h W_O^(h)^T is formed only for the reference.
        int v = 300, dm = 48, dh = 8, n = 40, heads = 5, iterations = 12;
        var rng = new Random(11);
        float R() => (float)(rng.NextDouble() * 2 - 1);
        var atoms = Enumerable.Range(0, v * dm).Select(_ => R()).ToArray();
        var list = Enumerable.Range(0, heads).Select(_ => new CudaSompHead(
            Enumerable.Range(0, n * dh).Select(_ => R() + 0.5f).ToArray(), Enumerable.Range(0, dm * dh).Select(_ => R()).ToArray())).ToList();
        list.Add(new CudaSompHead(Enumerable.Repeat(0.25f, n * dh).ToArray(), list[0].OutputBlock));   // zero variance after centring
        using var cuda = Emulator.Backend();
        var results = new CudaSomp(cuda).Run(atoms, v, dm, list, n, dh, iterations);
        for (int h = 0; h < heads; h++)
        {
            var hm = new double[n * dm];
            for (int i = 0; i < n; i++)
                for (int k = 0; k < dm; k++)
                    for (int e = 0; e < dh; e++) hm[i * dm + k] += (double)list[h].Z[i * dh + e] * list[h].OutputBlock[k * dh + e];
            var reference = SompReference.Run(hm, n, dm, [.. atoms.Select(x => (double)x)], v, iterations, new SompOptions());
            Assert.Equal(reference.Selected, results[h].Selected);
            for (int t = 0; t < iterations; t++) Assert.Equal(reference.Evr[t], results[h].Evr[t], 1e-4);
        }
        Assert.Empty(results[heads].Selected);
        Assert.All(results[heads].Evr, e => Assert.Equal(0, e));
    }
}
