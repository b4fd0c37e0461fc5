using System.Diagnostics;
using System.Globalization;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Somp;

namespace HeadPursuit.Bench;

/// <summary>
/// Full-vocabulary SOMP at GPT-2-small shapes (d_model 768, d_head 64, vocab 50257, n = 1000 random samples,
/// random W_O and D, N = 50): SompFast seconds per head, SompReference on one head for a few iterations (scaled to
/// N; its cost per iteration is dominated by the same D R^T product every time), that the two select the same atoms,
/// and the time to rank all 144 heads for a 30-token concept.
/// Args: [fastHeads=2] [referenceIterations=2 (0: skip the reference)] [samples=1000] [headsPerCall=1 (as `decompose`
/// batches the heads of a layer: every pass over the vocabulary then serves all of them)]
/// </summary>
public sealed class SompBench : IBench
{
    public string Name => "somp";
    public string Description => "full-vocabulary SOMP (GPT-2 small shapes): fast vs reference, and ranking 144 heads";

    const int DModel = 768, DHead = 64, Vocab = 50257, Layers = 12, Heads = 12, Iterations = 50;

    public int Run(string[] args)
    {
        int fastHeads = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2;
        int referenceIterations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2;
        int n = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000;
        int headsPerCall = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
        var rng = new Random(0);
        Console.WriteLine($"SOMP bench: d_model {DModel}, d_head {DHead}, vocab {Vocab}, n {n}, N {Iterations}, {Environment.ProcessorCount} logical cores");
        var vocabulary = new AtomSet(Gaussian(rng, Vocab * DModel), Vocab, DModel);
        var heads = Enumerable.Range(0, fastHeads)
            .Select(_ => new SompHead(Gaussian(rng, n * DHead), Gaussian(rng, DModel * DHead), n, DHead, DModel)).ToArray();
        var options = new SompOptions();

        // Fast path, headsPerCall heads per call (one P [vocab, n] float64 = 402 MB per head in flight).
        // Wall and process CPU seconds are both printed: the machine may be shared.
        Console.WriteLine($"load average before: {GemmBench.LoadAverage()}");
        var fast = new SompResult[fastHeads];
        var sw = Stopwatch.StartNew();
        var cpu = Cpu();
        double warmWall = 0, warmCpu = 0;   // the calls after the first (JIT compiled, P buffers kept)
        for (int h = 0; h < fastHeads; h += headsPerCall)
        {
            var call = heads.Skip(h).Take(headsPerCall).ToArray();
            var t0 = Stopwatch.GetTimestamp();
            double cpu0 = Cpu();
            SompFast.RunHeads(call, vocabulary, Iterations, options).CopyTo(fast, h);
            double wall = Stopwatch.GetElapsedTime(t0).TotalSeconds, used = Cpu() - cpu0;
            if (h > 0) { warmWall += wall; warmCpu += used; }
            Console.WriteLine($"  heads {h}..{h + call.Length - 1}: {wall:F2} s wall, {used:F2} s CPU");
        }
        double fastPerHead = sw.Elapsed.TotalSeconds / fastHeads, fastCpu = (Cpu() - cpu) / fastHeads;
        Console.WriteLine($"SompFast: {fastPerHead:F2} s wall, {fastCpu:F2} s CPU per head ({fastHeads} heads, {headsPerCall} per call, N = {Iterations}); head 0 first atoms [{string.Join(", ", fast[0].Selected.Take(5))}], EVR {fast[0].Score:F4}");
        if (fastHeads > headsPerCall)
            Console.WriteLine($"  warm heads (after the first call): {warmWall / (fastHeads - headsPerCall):F2} s wall, {warmCpu / (fastHeads - headsPerCall):F2} s CPU per head");
        for (int h = 0; h < fastHeads; h++)
            Console.WriteLine($"  head {h}: atoms [{string.Join(", ", fast[h].Selected)}], EVR {fast[h].Score:R}");
        if (referenceIterations == 0)
        {
            Console.WriteLine($"SompReference skipped; load average after: {GemmBench.LoadAverage()}");
            return 0;
        }

        // Reference on head 0 for a few iterations.
        var h0 = heads[0];
        var hDense = new double[n * DModel]; // H = Z W_O^T [n, d_model]
        for (int i = 0; i < n; i++)
            for (int m = 0; m < DModel; m++)
            {
                double x = 0;
                for (int e = 0; e < DHead; e++) x += (double)h0.Z[i * DHead + e] * h0.OutputBlock[m * DHead + e];
                hDense[i * DModel + m] = x;
            }
        var dDense = vocabulary.Rows.Select(f => (double)f).ToArray();
        sw.Restart();
        cpu = Cpu();
        var reference = SompReference.Run(hDense, n, DModel, dDense, Vocab, referenceIterations, options);
        double referencePerIteration = sw.Elapsed.TotalSeconds / referenceIterations, referenceCpu = (Cpu() - cpu) / referenceIterations;
        bool same = reference.Selected.SequenceEqual(fast[0].Selected.Take(referenceIterations));
        Console.WriteLine($"SompReference: {referencePerIteration:F1} s wall, {referenceCpu:F1} s CPU per iteration ({referenceIterations} run) -> {referencePerIteration * Iterations:F0} s wall per head at N = {Iterations} (scaled); same selections as fast: {same}");
        Console.WriteLine($"speed-up fast vs reference: {referencePerIteration * Iterations / fastPerHead:F0}x wall, {referenceCpu * Iterations / fastCpu:F0}x CPU");

        // Ranking all 144 heads for a 30-token concept.
        var z = Gaussian(rng, Layers * Heads * n * DHead);
        var activations = new HeadActivations(Layers, Heads, n, DHead, z);
        var blocks = new OutputBlocks([.. Enumerable.Range(0, Layers).Select(_ => Enumerable.Range(0, Heads).Select(_ => Gaussian(rng, DModel * DHead)).ToArray())], DModel, DHead);
        var concept = Enumerable.Range(0, 30).Select(_ => rng.Next(Vocab)).Distinct().ToArray();
        var scorer = new HeadScorer(activations, blocks, vocabulary.Rows, options);
        sw.Restart();
        cpu = Cpu();
        var ranking = scorer.Rank("bench", concept);
        Console.WriteLine($"rank 144 heads, {concept.Length}-token concept, N = {ranking.Iterations}: {sw.Elapsed.TotalSeconds:F2} s wall, {Cpu() - cpu:F2} s CPU (top head {ranking.Entries[0].Head}, score {ranking.Entries[0].Score:F4})");
        return same ? 0 : 1;
    }

    static double Cpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    static float[] Gaussian(Random rng, int count)
    {
        var x = new float[count];
        for (int i = 0; i < count; i++)
            x[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        return x;
    }
}
