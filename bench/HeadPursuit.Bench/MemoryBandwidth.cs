using System.Diagnostics;
using System.Runtime.Intrinsics;
using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Bench;

/// <summary>
/// The machine's DRAM read bandwidth, the ceiling of a batch-1 decode: threads sum disjoint shares of a 512 MiB buffer
/// (far larger than any cache) with 4 independent vector chains; the fastest of several passes is kept.
/// </summary>
static unsafe class MemoryBandwidth
{
    const long Bytes = 512L << 20;

    /// <summary>Read GB/s with <paramref name="threads"/> threads (via CpuParallel, as the kernels run).</summary>
    public static double Measure(int threads, int passes = 5)
    {
        float* buffer = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)Bytes, 64);
        try
        {
            new Span<byte>(buffer, (int)Bytes).Fill(1);                // touch every page
            int saved = CpuParallel.Threads;
            CpuParallel.Threads = threads;
            var body = new ReadShare { Data = buffer, Floats = Bytes / 4, Shares = threads * 8 };
            double best = double.MaxValue;
            for (int pass = 0; pass <= passes; pass++)                 // pass 0 warms up
            {
                long t0 = Stopwatch.GetTimestamp();
                CpuParallel.For(body.Shares, ref body);
                if (pass > 0) best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds);
            }
            CpuParallel.Threads = saved;
            return Bytes / best / 1e9;
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(buffer);
        }
    }

    struct ReadShare : IParallelBody
    {
        public float* Data;
        public long Floats;
        public int Shares;
        public static float Sink;

        public readonly void Run(int index)
        {
            long share = Floats / Shares, start = index * share;
            float* p = Data + start, end = p + share;
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; p + 32 <= end; p += 32)
            {
                a0 += Vector256.Load(p); a1 += Vector256.Load(p + 8);
                a2 += Vector256.Load(p + 16); a3 += Vector256.Load(p + 24);
            }
            Sink = Vector256.Sum(a0 + a1 + a2 + a3);   // keeps the loads alive
        }
    }
}
