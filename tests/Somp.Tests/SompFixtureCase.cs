using System.Text.Json;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Tests;

namespace HeadPursuit.Somp.Tests;

/// <summary>One of the plain SOMP cases of tests/fixtures/somp (random_centered, random_raw, planted).</summary>
sealed record SompFixtureCase(string Name, int N, int D, int V, int Iterations, SompOptions Options,
    float[] H, float[] Dictionary, int[] Selected, double[] Evr, double[] Coef, int[] PlantedAtoms)
{
    public static JsonElement Cases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("somp", "cases.json")));
        return doc.RootElement.GetProperty("cases").Clone();
    }

    public static JsonElement CaseJson(string name) => Cases().EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    public static SompFixtureCase Load(string name)
    {
        var c = CaseJson(name);
        using var f = SafeTensorsFile.Open(Fixtures.Path("somp", "somp.safetensors"));
        int n = c.GetProperty("n").GetInt32(), d = c.GetProperty("d").GetInt32(), v = c.GetProperty("v").GetInt32();
        int iters = c.GetProperty("n_iter").GetInt32();
        return new SompFixtureCase(name, n, d, v, iters,
            new SompOptions(c.GetProperty("center").GetBoolean(), c.GetProperty("normalize").GetBoolean()),
            f.Get(name + ".H").ExpectShape(n, d).ToFloatArray(),
            f.Get(name + ".D").ExpectShape(v, d).ToFloatArray(),
            [.. c.GetProperty("selected").EnumerateArray().Select(x => x.GetInt32())],
            f.Get(name + ".evr").ExpectShape(iters).ToDoubleArray(),
            f.Get(name + ".coef").ExpectShape(n, iters).ToDoubleArray(),
            c.TryGetProperty("planted_atoms", out var planted) ? [.. planted.EnumerateArray().Select(x => x.GetInt32())] : []);
    }

    public static double[] ToDouble(float[] x) => [.. x.Select(f => (double)f)];
}
