using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// Measures the machine's float32 FMA throughput, the ceiling benchmarks report GEMM speed against.
/// Each thread runs 10 independent chains of 256-bit FMAs (enough to cover two FMA pipes with a latency
/// of 4 or 5 cycles), counting 2 FLOP x 8 lanes per FMA, for a fixed wall time.
/// </summary>
public static class FmaPeak
{
    const int Chains = 10;
    const int FmasPerRound = Chains * 1000;

    /// <summary>Peak GFLOP/s over <paramref name="threads"/> threads running at once, measured for about <paramref name="seconds"/>.</summary>
    public static double Measure(int threads, double seconds = 0.3)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "need at least one thread");
        if (!Fma.IsSupported) throw new PlatformNotSupportedException("FmaPeak needs a CPU with FMA");
        Burn(0.05);   // JIT the loop and wake the core up before the timed run

        long[] rounds = new long[threads];
        double[] elapsed = new double[threads];
        using var start = new Barrier(threads);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int id = t;
            workers[t] = new Thread(() =>
            {
                start.SignalAndWait();
                var clock = Stopwatch.StartNew();
                rounds[id] = Burn(seconds);
                elapsed[id] = clock.Elapsed.TotalSeconds;
            });
            workers[t].Start();
        }
        foreach (var w in workers) w.Join();

        double gflops = 0;
        for (int t = 0; t < threads; t++) gflops += rounds[t] * (double)FmasPerRound * 16 / elapsed[t] / 1e9;
        return gflops;
    }

    /// <summary>Runs rounds of FMAs until <paramref name="seconds"/> have passed; returns how many rounds ran.</summary>
    static long Burn(double seconds)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        long rounds = 0;
        var seed = Vector256.Create(1f);
        do
        {
            seed = Round(seed);
            rounds++;
        } while (Stopwatch.GetTimestamp() < deadline);
        if (Vector256.Sum(seed) == 0f) throw new InvalidOperationException("FMA chains collapsed to zero");   // consumes the result
        return rounds;
    }

    /// <summary>
    /// One round: <see cref="FmasPerRound"/> FMAs in 10 independent chains c = c * a + b. No calls inside,
    /// so the JIT keeps all chains in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static Vector256<float> Round(Vector256<float> seed)
    {
        var a = Vector256.Create(0.999999f);
        var b = Vector256.Create(1e-6f);
        Vector256<float> c0 = seed, c1 = seed, c2 = seed, c3 = seed, c4 = seed, c5 = seed, c6 = seed, c7 = seed, c8 = seed, c9 = seed;
        for (int i = 0; i < FmasPerRound / Chains; i++)
        {
            c0 = Fma.MultiplyAdd(c0, a, b); c1 = Fma.MultiplyAdd(c1, a, b);
            c2 = Fma.MultiplyAdd(c2, a, b); c3 = Fma.MultiplyAdd(c3, a, b);
            c4 = Fma.MultiplyAdd(c4, a, b); c5 = Fma.MultiplyAdd(c5, a, b);
            c6 = Fma.MultiplyAdd(c6, a, b); c7 = Fma.MultiplyAdd(c7, a, b);
            c8 = Fma.MultiplyAdd(c8, a, b); c9 = Fma.MultiplyAdd(c9, a, b);
        }
        return (c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9) * 0.1f;
    }
}
