using System.Text.Json;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Tests;

namespace HeadPursuit.Kernels.Tests;

public class SompTests
{
    [Theory]
    [InlineData("random_centered")]
    [InlineData("random_raw")]
    [InlineData("planted")]
    public void Plain_reference_reproduces_the_somp_fixture(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("somp", "cases.json")));
        var c = doc.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        int n = c.GetProperty("n").GetInt32(), d = c.GetProperty("d").GetInt32(), v = c.GetProperty("v").GetInt32(), iters = c.GetProperty("n_iter").GetInt32();
        using var file = SafeTensorsFile.Open(Fixtures.Path("somp", "somp.safetensors"));
        var (selected, evr) = SompPlain.Run(file.Get(name + ".H").ToDoubleArray(), n, d, file.Get(name + ".D").ToDoubleArray(), v, iters,
                                            c.GetProperty("center").GetBoolean(), c.GetProperty("normalize").GetBoolean());
        Assert.Equal(c.GetProperty("selected").EnumerateArray().Select(e => e.GetInt32()), selected);
        var expected = c.GetProperty("evr").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (int t = 0; t < iters; t++) Assert.Equal(expected[t], evr[t], 1e-9);
    }

    [GpuFact]
    public void Cuda_somp_matches_the_plain_reference_on_random_heads()
    {
        // Heads of a random model-like problem: H_h = Z_h W_O^(h)^T is formed only for the reference.
        int v = 300, dm = 48, dh = 8, n = 40, heads = 5, iterations = 12;
        var rng = new Random(11);
        float R() => (float)(rng.NextDouble() * 2 - 1);
        var atoms = Enumerable.Range(0, v * dm).Select(_ => R()).ToArray();
        var list = Enumerable.Range(0, heads).Select(_ => new CudaSompHead(
            Enumerable.Range(0, n * dh).Select(_ => R() + 0.5f).ToArray(), Enumerable.Range(0, dm * dh).Select(_ => R()).ToArray())).ToList();
        list.Add(new CudaSompHead(Enumerable.Repeat(0.25f, n * dh).ToArray(), list[0].OutputBlock));   // zero variance after centring
        using var cuda = new CudaBackend();
        var results = new CudaSomp(cuda).Run(atoms, v, dm, list, n, dh, iterations);
        for (int h = 0; h < heads; h++)
        {
            var hm = new double[n * dm];
            for (int i = 0; i < n; i++)
                for (int k = 0; k < dm; k++)
                    for (int e = 0; e < dh; e++) hm[i * dm + k] += (double)list[h].Z[i * dh + e] * list[h].OutputBlock[k * dh + e];
            var (selected, evr) = SompPlain.Run(hm, n, dm, [.. atoms.Select(x => (double)x)], v, iterations, center: true, normalize: true);
            Assert.Equal(selected, results[h].Selected);
            for (int t = 0; t < iterations; t++) Assert.Equal(evr[t], results[h].Evr[t], 1e-4);
        }
        Assert.Empty(results[heads].Selected);
        Assert.All(results[heads].Evr, e => Assert.Equal(0, e));
    }
}
