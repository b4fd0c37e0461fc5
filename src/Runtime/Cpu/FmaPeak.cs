using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// Measures the machine's float32 FMA throughput, the ceiling benchmarks report GEMM speed against.
/// Each thread runs 10 independent chains of FMAs of the widest width the CPU has (<see cref="CpuSimd.Best"/>:
/// 512-bit with AVX-512, else 256-bit; enough chains to cover two FMA pipes with a latency of 4 or 5 cycles),
/// counting 2 FLOP x 16 (or 8) lanes per FMA. All threads start a burst together and the burst
/// ends when the last one finishes; the fastest of many short bursts is kept, so other processes sharing
/// the cores lower the figure as little as possible (it is the ceiling, not a typical speed).
/// </summary>
internal static class FmaPeak
{
    const int Chains = 10;
    const int FmasPerRound = Chains * 1000;

    /// <summary>Peak GFLOP/s of <paramref name="threads"/> threads running at once: the best of <paramref name="bursts"/> bursts of <paramref name="roundsPerBurst"/> rounds (10,000 FMAs each) per thread.</summary>
    public static double Measure(int threads, int bursts = 40, int roundsPerBurst = 200)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "need at least one thread");
        if (!Fma.IsSupported) throw new PlatformNotSupportedException("FmaPeak needs a CPU with FMA");
        bool wide = CpuSimd.Best == SimdLevel.Avx512;
        int lanes = wide ? 16 : 8;

        double best = double.MaxValue;
        long burstStart = 0;
        // The post-phase action runs on the last thread to arrive: it closes one burst and opens the next.
        using var barrier = new Barrier(threads, b =>
        {
            long now = Stopwatch.GetTimestamp();
            if (b.CurrentPhaseNumber % 2 == 1) best = Math.Min(best, (now - burstStart) / (double)Stopwatch.Frequency);
            burstStart = Stopwatch.GetTimestamp();
        });
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() =>
            {
                var seed = Vector256.Create(1f);
                var wideSeed = Vector512.Create(1f);
                for (int burst = 0; burst <= bursts; burst++)   // burst 0 warms up (JIT, clocks)
                {
                    barrier.SignalAndWait();
                    if (wide)
                        for (int r = 0; r < roundsPerBurst; r++) wideSeed = Round512(wideSeed);
                    else
                        for (int r = 0; r < roundsPerBurst; r++) seed = Round(seed);
                    barrier.SignalAndWait();
                }
                if (Vector256.Sum(seed) == 0f || Vector512.Sum(wideSeed) == 0f)   // consumes the results
                    throw new InvalidOperationException("FMA chains collapsed to zero");
            });
            workers[t].Start();
        }
        foreach (var w in workers) w.Join();
        return threads * (double)roundsPerBurst * FmasPerRound * 2 * lanes / best / 1e9;
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

    /// <summary><see cref="Round"/> with 512-bit FMAs (AVX-512).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static Vector512<float> Round512(Vector512<float> seed)
    {
        var a = Vector512.Create(0.999999f);
        var b = Vector512.Create(1e-6f);
        Vector512<float> c0 = seed, c1 = seed, c2 = seed, c3 = seed, c4 = seed, c5 = seed, c6 = seed, c7 = seed, c8 = seed, c9 = seed;
        for (int i = 0; i < FmasPerRound / Chains; i++)
        {
            c0 = Avx512F.FusedMultiplyAdd(c0, a, b); c1 = Avx512F.FusedMultiplyAdd(c1, a, b);
            c2 = Avx512F.FusedMultiplyAdd(c2, a, b); c3 = Avx512F.FusedMultiplyAdd(c3, a, b);
            c4 = Avx512F.FusedMultiplyAdd(c4, a, b); c5 = Avx512F.FusedMultiplyAdd(c5, a, b);
            c6 = Avx512F.FusedMultiplyAdd(c6, a, b); c7 = Avx512F.FusedMultiplyAdd(c7, a, b);
            c8 = Avx512F.FusedMultiplyAdd(c8, a, b); c9 = Avx512F.FusedMultiplyAdd(c9, a, b);
        }
        return (c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9) * 0.1f;
    }
}
