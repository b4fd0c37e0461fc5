using HeadPursuit.Somp;

namespace HeadPursuit.Kernels.Emulated.Tests;

/// <summary>The on-device SOMP (host code, cuBLAS calls and kernels/somp.cu) against the CPU solvers.</summary>
public class SompParityTests
{
    static readonly Random Rng = new(11);
    static float R() => (float)(Rng.NextDouble() * 2 - 1);

    [Fact]
    public void Cuda_somp_matches_the_cpu_reference_on_random_heads()
    {
        // Heads of a random model-like problem: H_h = Z_h W_O^(h)^T is formed only for the reference.
        int v = 300, dm = 48, dh = 8, n = 40, heads = 5, iterations = 12;
        var atoms = new AtomSet([.. Enumerable.Range(0, v * dm).Select(_ => R())], v, dm);
        var list = Enumerable.Range(0, heads).Select(_ => new SompHead(
            [.. Enumerable.Range(0, n * dh).Select(_ => R() + 0.5f)], [.. Enumerable.Range(0, dm * dh).Select(_ => R())], n, dh, dm)).ToList();
        list.Add(new SompHead([.. Enumerable.Repeat(0.25f, n * dh)], list[0].OutputBlock, n, dh, dm));   // zero variance after centring
        using var cuda = Emulator.Backend();
        var results = new CudaSomp(cuda.Context, withCoefficients: true).RunHeads(list, atoms, iterations, new SompOptions());
        SompResult[] reversed = [];
        Emulator.InReverseThreadOrder(() => reversed = new CudaSomp(cuda.Context).RunHeads(list, atoms, iterations, new SompOptions()));
        for (int h = 0; h <= heads; h++) Assert.Equal(results[h].Selected, reversed[h].Selected);
        for (int h = 0; h < heads; h++)
        {
            var hm = new double[n * dm];
            for (int i = 0; i < n; i++)
                for (int k = 0; k < dm; k++)
                    for (int e = 0; e < dh; e++) hm[i * dm + k] += (double)list[h].Z[i * dh + e] * list[h].OutputBlock[k * dh + e];
            var reference = SompReference.Run(hm, n, dm, [.. atoms.Rows.Select(x => (double)x)], v, iterations, new SompOptions());
            Assert.Equal(reference.Selected, results[h].Selected);
            for (int t = 0; t < iterations; t++) Assert.Equal(reference.Evr[t], results[h].Evr[t], 1e-4);
            Assert.Equal(reference.Coef.Length, results[h].Coef.Length);
            double scale = reference.Coef.Max(Math.Abs);
            for (int i = 0; i < reference.Coef.Length; i++) Assert.True(Math.Abs(reference.Coef[i] - results[h].Coef[i]) <= 1e-3 * scale,
                $"head {h} coefficient {i}: {results[h].Coef[i]} vs the reference's {reference.Coef[i]}");
        }
        Assert.Empty(results[heads].Selected);
        Assert.All(results[heads].Evr, e => Assert.Equal(0, e));
    }

    [Fact]
    public void Once_the_outputs_are_explained_noise_picks_the_first_free_atoms_and_a_duplicate_explains_nothing()
    {
        // H lies along atom 0, and atom 3 is a copy of it. After the first pick the residual is rounding noise: both
        // solvers then take the first free indices 1, 2 and 3, and atom 3 is in the span (coefficient 0, EVR flat).
        int v = 5, dm = 4, n = 10, iterations = 4;
        var rows = Enumerable.Range(0, v * dm).Select(_ => R()).ToArray();
        float[] along = [1, 2, -2, 4];   // small integers: H is exactly along atom 0, with no float rounding
        for (int k = 0; k < dm; k++) rows[k] = rows[3 * dm + k] = along[k];
        var atoms = new AtomSet(rows, v, dm);
        var h = new float[n * dm];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < dm; k++) h[i * dm + k] = (i % 5 - 2) * along[k];
        var head = SompHead.Direct(h, n, dm);
        using var cuda = Emulator.Backend();
        var gpu = new CudaSomp(cuda.Context, withCoefficients: true).RunHeads([head], atoms, iterations, new SompOptions())[0];
        var cpu = SompFast.RunHeads([head], atoms, iterations, new SompOptions())[0];
        Assert.Equal([0, 1, 2, 3], cpu.Selected);
        Assert.Equal(cpu.Selected, gpu.Selected);
        for (int t = 0; t < iterations; t++) Assert.Equal(cpu.Evr[t], gpu.Evr[t], 1e-5);
        Assert.Equal(1, cpu.Evr[0], 1e-12);
        for (int i = 0; i < cpu.Coef.Length; i++) Assert.Equal(cpu.Coef[i], gpu.Coef[i], 1e-4);
        for (int i = 0; i < n; i++) Assert.Equal(0, gpu.Coef[i * iterations + 3]);
    }

    [Fact]
    public void Without_coefficients_asked_for_reading_them_is_an_error_not_zeros()
    {
        int v = 20, dm = 8, n = 12, iterations = 3;
        var atoms = new AtomSet([.. Enumerable.Range(0, v * dm).Select(_ => R())], v, dm);
        var head = SompHead.Direct([.. Enumerable.Range(0, n * dm).Select(_ => R())], n, dm);
        using var cuda = Emulator.Backend();
        var result = new CudaSomp(cuda.Context).RunHeads([head], atoms, iterations, new SompOptions())[0];
        Assert.Equal(SompFast.RunHeads([head], atoms, iterations, new SompOptions())[0].Selected, result.Selected);
        var e = Assert.Throws<InvalidOperationException>(() => result.Coef);
        Assert.Contains("withCoefficients", e.Message);
    }

    [Fact]
    public void Heads_of_different_shapes_are_refused_with_both_shapes_named()
    {
        var atoms = new AtomSet([.. Enumerable.Range(0, 8 * 4).Select(_ => R())], 8, 4);
        SompHead[] heads = [new(new float[10 * 2], new float[4 * 2], 10, 2, 4), new(new float[12 * 2], new float[4 * 2], 12, 2, 4)];
        using var cuda = Emulator.Backend();
        var e = Assert.Throws<ArgumentException>(() => new CudaSomp(cuda.Context).RunHeads(heads, atoms, 2, new SompOptions()));
        Assert.Contains("[12, 2]", e.Message);
        Assert.Contains("[10, 2]", e.Message);
    }
}
