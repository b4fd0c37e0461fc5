namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// The blocked GEMM with bf16 dot products on the native VDPBF16PS kernels (<see cref="NativeBf16Kernels"/>; the
/// arithmetic is <see cref="Bf16Products"/>'s): the blocking of <see cref="BlockedGemm{TElem}"/> with k in pairs. x
/// is rounded and packed once (<see cref="PackedBf16Input"/>); one parallel index computes one block of output
/// columns for all m rows and the whole k, packing each k slice of its weight block into 64-column micro-panels of
/// pairs ([kp][64], 96 KiB at kc = 768: the kernel streams it from L2 while it sweeps the rows, 21 bytes a cycle at
/// most), so the result does not depend on the number of threads. Wide slices mean fewer passes over y: every slice
/// loads and stores each tile of y once (a 1024 x 3072 y is 12 MiB, beyond L2), and kc = 768 ran 1.05-1.2x kc = 256
/// per CPU-second on GPT-2's and Llama-GQA's shapes (1 thread, loaded machine; 1024 was no better).
/// </summary>
internal unsafe struct Bf16Gemm : IParallelBody
{
    public const int MR = 6, NR = 64;
    /// <summary>Most of k per slice (even, so every slice starts a pair): GPT-2's 768 and Llama-GQA's 1024 in one or two slices.</summary>
    public const int MaxKC = 768;
    /// <summary>Most rows per block (a multiple of 6): 288 x 768 bf16 = 432 KiB of packed x, in L2 with a micro-panel of B.</summary>
    public const int MaxMC = 288;
    /// <summary>Most columns per parallel index (a multiple of 64).</summary>
    public const int MaxNC = 512;

    public PackedBf16Input A;
    public float* Y;            // [M, N] row-major
    public float* Bias;         // [N] or null
    public ushort* W;           // the BF16 weight in its layout
    public WeightLayout Layout;
    public int M, N, K;
    public bool Accumulate;
    public int ColumnsPerItem;  // a multiple of 64
    public int KC, MC;

    /// <summary>Most pairs of packed weight one column block needs; its thread's scratch must hold this many.</summary>
    public readonly int PackedBPairs => (KC + 1) / 2 * ColumnsPerItem;

    /// <summary>Sets up the blocking for [m, k] x [k, n]; returns the number of parallel indices.</summary>
    public int Plan(int threads)
    {
        KC = Blocking.EvenSplit(K, MaxKC, 2);
        MC = Blocking.EvenSplit(M, MaxMC, MR);
        int tiles = (N + NR - 1) / NR;
        int items = Math.Min(tiles, Math.Max(4 * threads, (tiles + MaxNC / NR - 1) / (MaxNC / NR)));
        ColumnsPerItem = (tiles + items - 1) / items * NR;
        return (N + ColumnsPerItem - 1) / ColumnsPerItem;
    }

    public readonly void Run(int item)
    {
        int j0 = item * ColumnsPerItem, j1 = Math.Min(N, j0 + ColumnsPerItem);
        OutputColumns.Initialize(Y, M, N, Bias, Accumulate, j0, j1);
        uint* packedB = (uint*)ScratchBuffer.Get(ScratchBuffer.PackedB, PackedBPairs);   // [panels][kp][64]
        for (int p0 = 0; p0 < K; p0 += KC)
        {
            int kc = Math.Min(KC, K - p0), kp = (kc + 1) / 2;
            for (int jp = j0; jp < j1; jp += NR)
            {
                ushort* block = Layout == WeightLayout.InOut ? W + (long)p0 * N + jp : W + (long)jp * K + p0;
                NativeBf16Kernels.PackB(block, Layout == WeightLayout.OutIn ? 1 : 0, Layout == WeightLayout.InOut ? N : K,
                    kc, Math.Min(NR, j1 - jp), packedB + (long)(jp - j0) * kp);
            }
            for (int i0 = 0; i0 < M; i0 += MC)
                NativeBf16Kernels.Block(kp, A.Panel(p0, kc, i0), Math.Min(MC, M - i0), packedB, j1 - j0, Y + (long)i0 * N + j0, N);
        }
    }
}
