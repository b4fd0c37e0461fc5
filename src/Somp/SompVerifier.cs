using System.Text.Json;
using HeadPursuit.Runtime;
using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Verification;

namespace HeadPursuit.Somp;

/// <summary>
/// Runs a SOMP fixture folder (cases.json with an "algorithm" block + a safetensors of inputs and expectations, the
/// tests/fixtures/somp format) through the production paths and compares with the MANIFEST's rules:
///  - plain cases (H, D): SompFast's selection order exact, EVR within 1e-9 relative, coefficients within 1e-9;
///  - head-ranking cases naming a model folder: pooled capture of the prompts on that model against the stored Zbar
///    (float32 forward: |a - e| &lt;= 1e-4 + 1e-4 |e|); then, fed the stored F32 per-head outputs H, HeadScorer's scores and
///    EVR curves within 1e-9, selections exact, rankings exact except swaps inside the listed near-tie pairs, and the
///    logit-lens scores within 1e-9 of the largest.
/// </summary>
internal static class SompVerifier
{
    const double EvrTol = 1e-9;

    public static bool IsSompFixture(string folder)
    {
        string cases = Path.Combine(folder, "cases.json");
        if (!File.Exists(cases)) return false;
        using var doc = Runtime.Input.JsonFile.Parse(cases);
        return doc.RootElement.TryGetProperty("algorithm", out _) && doc.RootElement.TryGetProperty("cases", out _);
    }

    public static IEnumerable<Comparison> Run(string folder, IBackend backend)
    {
        using var doc = Runtime.Input.JsonFile.Parse(Path.Combine(folder, "cases.json"));
        string tensorsFile = Directory.GetFiles(folder, "*.safetensors").SingleOrDefault()
            ?? throw new ModelFormatException($"{folder}: expected exactly one .safetensors file with the SOMP inputs");
        using var f = SafeTensorsFile.Open(tensorsFile);
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var results = c.TryGetProperty("model", out _) ? HeadRankingCase(folder, c, f, backend) : PlainCase(c, f);
            foreach (var r in results) yield return r;
        }
    }

    static IEnumerable<Comparison> PlainCase(JsonElement c, SafeTensorsFile f)
    {
        string name = c.GetProperty("name").GetString()!;
        var t = c.GetProperty("tensors");
        int n = c.GetProperty("n").GetInt32(), d = c.GetProperty("d").GetInt32(), v = c.GetProperty("v").GetInt32();
        int iterations = c.GetProperty("n_iter").GetInt32();
        var options = new SompOptions(c.GetProperty("center").GetBoolean(), c.GetProperty("normalize").GetBoolean());
        var h = f.Get(t.GetProperty("H").GetString()!).ExpectShape(n, d).ToFloatArray();
        var atoms = new AtomSet(f.Get(t.GetProperty("D").GetString()!).ExpectShape(v, d).ToFloatArray(), v, d);
        var result = SompFast.Run(h, n, d, atoms, iterations, options);
        yield return Comparison.Exact(name, "selected", result.Selected, Ints(c.GetProperty("selected")));
        yield return Relative(name, "evr", result.Evr, f.Get(t.GetProperty("evr").GetString()!).ToDoubleArray(), EvrTol);
        if (t.TryGetProperty("coef", out var coef))
            yield return Relative(name, "coef", result.Coef, f.Get(coef.GetString()!).ToDoubleArray(), EvrTol);
        if (c.TryGetProperty("planted_atoms", out var planted))
        {
            var want = Ints(planted);
            yield return Comparison.Exact(name, "planted", result.Selected.Take(want.Length).Order().ToArray(), want.Order().ToArray());
        }
    }

    static IEnumerable<Comparison> HeadRankingCase(string folder, JsonElement c, SafeTensorsFile f, IBackend backend)
    {
        string name = c.GetProperty("name").GetString()!;
        var t = c.GetProperty("tensors");
        string modelFolder = Path.GetFullPath(Path.Combine(folder, c.GetProperty("model").GetString()!));
        using var model = Transformer.Load(modelFolder, backend);
        var cfg = model.Config;
        var prompts = c.GetProperty("prompts").EnumerateArray().Select(Ints).ToArray();
        var conceptIds = Ints(c.GetProperty("concept_ids"));
        int n = prompts.Length, L = cfg.Layers, H = cfg.Heads, d = cfg.DModel;

        // The runtime: pooled z over positions 1..T-1 (BOS excluded), against the stored Zbar.
        var masks = prompts.Select(p => p.Select((_, i) => i > 0).ToArray()).ToArray();
        var captured = new HeadCapture(model).Run(prompts, masks);
        yield return Comparison.Of(name, "Zbar", captured.Z, f.Get(t.GetProperty("Zbar").GetString()!).ToFloatArray(), 1e-4, 1e-4);

        // SOMP and the logit lens, fed the stored float32 per-head outputs H [L, H, n, d] (identity output blocks).
        var stored = new HeadActivations(L, H, n, d, f.Get(t.GetProperty("H").GetString()!).ExpectShape(L, H, n, d).ToFloatArray());
        var identity = new float[d * d];
        for (int i = 0; i < d; i++) identity[i * d + i] = 1;
        var blocks = new OutputBlocks([.. Enumerable.Range(0, L).Select(_ => Enumerable.Repeat(identity, H).ToArray())], d, d);
        var scorer = new HeadScorer(stored, blocks, ModelReadout.From(model).Unembedding, new SompOptions(c.GetProperty("center").GetBoolean(), c.GetProperty("normalize").GetBoolean()));
        var somp = scorer.Rank(name, conceptIds);
        var lens = scorer.LogitLens(name, conceptIds);
        var byHead = somp.Entries.ToDictionary(e => e.Head);
        var heads = Enumerable.Range(0, L * H).Select(i => new HeadId(i / H, i % H)).ToArray();
        var sorted = conceptIds.Order().ToArray();
        yield return Relative(name, "scores", heads.Select(h => byHead[h].Score).ToArray(), f.Get(t.GetProperty("scores").GetString()!).ToDoubleArray(), EvrTol);
        yield return Relative(name, "evr_curves", heads.SelectMany(h => byHead[h].EvrCurve).ToArray(), f.Get(t.GetProperty("evr_curves").GetString()!).ToDoubleArray(), EvrTol);
        yield return Comparison.Exact(name, "selected", heads.SelectMany(h => byHead[h].SelectedTokenIds).ToArray(),
                                      f.Get(t.GetProperty("selected").GetString()!).ToInt64Array().Select(i => sorted[i]).ToArray());
        yield return Ranking(name, "ranking", somp, c.GetProperty("ranking"), c.TryGetProperty("ranking_near_ties", out var nt) ? nt : default);
        var lensByHead = lens.Entries.ToDictionary(e => e.Head);
        yield return Relative(name, "ll_scores", heads.Select(h => lensByHead[h].Score).ToArray(), f.Get(t.GetProperty("ll_scores").GetString()!).ToDoubleArray(), EvrTol);
        yield return Ranking(name, "ll_ranking", lens, c.GetProperty("ll_ranking"), c.TryGetProperty("ll_ranking_near_ties", out var lt) ? lt : default);
    }

    /// <summary>Ranking order exact, except that the two heads of a listed near-tie pair [i, i+1] may swap.</summary>
    static Comparison Ranking(string name, string quantity, HeadRanking ranking, JsonElement expected, JsonElement nearTies)
    {
        var want = expected.EnumerateArray().Select(p => new HeadId(p[0].GetInt32(), p[1].GetInt32())).ToArray();
        var got = ranking.Entries.Select(e => e.Head).ToArray();
        if (nearTies.ValueKind == JsonValueKind.Array)
            foreach (var pair in nearTies.EnumerateArray())
            {
                int i = pair[0].GetInt32();
                if (i + 1 < got.Length && got[i] == want[i + 1] && got[i + 1] == want[i]) (got[i], got[i + 1]) = (got[i + 1], got[i]);
            }
        return Comparison.Exact(name, quantity, got.Select(h => h.ToString()).ToArray(), want.Select(h => h.ToString()).ToArray());
    }

    /// <summary>Float64 comparison: every |a - e| within tol * max|e| (the MANIFEST's "within 1e-9" for EVR and scores).</summary>
    static Comparison Relative(string name, string quantity, double[] actual, double[] expected, double tol)
    {
        if (actual.Length != expected.Length)
            return new Comparison(name, quantity, double.NaN, double.NaN, false, $"length {actual.Length} != expected {expected.Length}");
        double scale = expected.Max(Math.Abs), maxAbs = 0;
        for (int i = 0; i < actual.Length; i++) maxAbs = Math.Max(maxAbs, Math.Abs(actual[i] - expected[i]));
        double rel = scale > 0 ? maxAbs / scale : maxAbs;
        return new Comparison(name, quantity, maxAbs, rel, rel <= tol);
    }

    static int[] Ints(JsonElement a) => a.EnumerateArray().Select(x => x.GetInt32()).ToArray();
}
