using System.Text.Json;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Tests;

namespace HeadPursuit.Somp.Tests;

/// <summary>The heads_llama_tiny case of tests/fixtures/somp with the llama-tiny weights it refers to.</summary>
sealed class LlamaTinyHeadsCase
{
    public const int L = 2, Heads = 4, N = 16, DModel = 64, DHead = 16, Vocab = 1024;
    public int[] ConceptIds { get; }
    public HeadActivations Zbar { get; }
    public float[] H { get; }            // [L, H, n, d_model]
    public float[] D { get; }            // [12, d_model]: lm_head rows at ConceptIds
    public OutputBlocks Blocks { get; }
    public float[] LmHead { get; }       // [vocab, d_model]
    public double[] Scores { get; }      // [L, H]
    public double[] EvrCurves { get; }   // [L, H, 12]
    public long[] Selected { get; }      // [L, H, 12]: indices into D's rows
    public double[] LlScores { get; }    // [L, H]
    public HeadId[] Ranking { get; }
    public HeadId[] LlRanking { get; }

    public LlamaTinyHeadsCase()
    {
        var c = SompFixtureCase.CaseJson("heads_llama_tiny");
        ConceptIds = [.. c.GetProperty("concept_ids").EnumerateArray().Select(x => x.GetInt32())];
        Ranking = Heads_(c.GetProperty("ranking"));
        LlRanking = Heads_(c.GetProperty("ll_ranking"));
        int v = ConceptIds.Length;
        using (var f = SafeTensorsFile.Open(Fixtures.Path("somp", "somp.safetensors")))
        {
            Zbar = new HeadActivations(L, Heads, N, DHead, f.Get("heads_llama_tiny.Zbar").ExpectShape(L, Heads, N, DHead).ToFloatArray());
            H = f.Get("heads_llama_tiny.H").ExpectShape(L, Heads, N, DModel).ToFloatArray();
            D = f.Get("heads_llama_tiny.D").ExpectShape(v, DModel).ToFloatArray();
            Scores = f.Get("heads_llama_tiny.scores").ExpectShape(L, Heads).ToDoubleArray();
            EvrCurves = f.Get("heads_llama_tiny.evr_curves").ExpectShape(L, Heads, v).ToDoubleArray();
            Selected = f.Get("heads_llama_tiny.selected").ExpectShape(L, Heads, v).ToInt64Array();
            LlScores = f.Get("heads_llama_tiny.ll_scores").ExpectShape(L, Heads).ToDoubleArray();
        }
        // The model's own W_O blocks and lm_head, as `rank` reads them.
        using var model = Transformer.Load(Fixtures.Path("llama-tiny"), new CpuBackend());
        var readout = ModelReadout.From(model);
        LmHead = readout.Unembedding;
        Blocks = readout.Blocks;
    }

    static HeadId[] Heads_(JsonElement pairs) =>
        [.. pairs.EnumerateArray().Select(p => new HeadId(p[0].GetInt32(), p[1].GetInt32()))];
}
