namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// The packed, cache-blocked GEMM (see the comment at the top of Gemm.cs). One parallel index computes
/// one block of output columns, all m rows, with the whole k: it never shares an output with another
/// index, so the result is the same bit for bit whatever the number of threads.
/// </summary>
internal unsafe struct BlockedGemm<TElem> : IParallelBody where TElem : struct, IWeightElement
{
    /// <summary>Most of k per packed block: a 16-column B micro-panel (kc x 16 floats = 16 KiB) stays in L1.</summary>
    public const int MaxKC = 256;
    /// <summary>Most rows per packed A block: 144 x 256 floats = 144 KiB stays in L2 while B panels stream past.</summary>
    public const int MaxMC = 144;
    /// <summary>Most columns per parallel index (a multiple of 32).</summary>
    public const int MaxNC = 512;

    public PackedInput A;       // x, packed once for all column blocks
    public float* Y;            // [M, N] row-major
    public float* Bias;         // [N] or null
    public byte* W;             // the weight in its file dtype and layout
    public WeightLayout Layout;
    public int M, N, K;
    public bool Accumulate;
    public SimdLevel Level;     // the kernel family
    public bool Bf16Pairs;      // bf16 dot products (Bf16Products): the managed twin of Bf16Gemm, packing in pair order
    public int ColumnsPerItem;  // a multiple of the tile width (16, or 32 for AVX-512)
    public int KC, MC;          // block sizes for this call (MC a multiple of 6)

    /// <summary>Most floats of packed B one column block needs; its thread's scratch must hold this many.</summary>
    public readonly int PackedBFloats => KC * ColumnsPerItem;

    /// <summary>Sets up the blocking for [m, k] x [k, n]; returns the number of parallel indices.</summary>
    public int Plan(int threads)
    {
        KC = Blocking.EvenSplit(K, MaxKC, Bf16Pairs ? 2 : 1);   // bf16 pairs must not straddle two slices
        MC = Blocking.EvenSplit(M, MaxMC, MicroKernel.MR);
        int width = TileWidth(Level);
        int tiles = (N + width - 1) / width;
        int maxTiles = MaxNC / width;
        // About 4 blocks per thread, so a thread slowed by another process hands work to the others;
        // narrower blocks cost little since x is packed once and shared.
        int items = Math.Min(tiles, Math.Max(4 * threads, (tiles + maxTiles - 1) / maxTiles));
        ColumnsPerItem = (tiles + items - 1) / items * width;
        return (N + ColumnsPerItem - 1) / ColumnsPerItem;
    }

    public readonly void Run(int item)
    {
        const int MR = MicroKernel.MR, NR = MicroKernel.NR;
        int j0 = item * ColumnsPerItem, j1 = Math.Min(N, j0 + ColumnsPerItem);
        OutputColumns.Initialize(Y, M, N, Bias, Accumulate, j0, j1);

        float* packedB = ScratchBuffer.Get(ScratchBuffer.PackedB, PackedBFloats);   // [panels][kc][16]
        float* edge = ScratchBuffer.Get(ScratchBuffer.EdgeTile, MR * 2 * NR);        // [6, 32]
        int tileWidth = TileWidth(Level);
        for (int p0 = 0; p0 < K; p0 += KC)
        {
            int kc = Math.Min(KC, K - p0);
            Packing.PackB<TElem>(W, Layout, K, N, p0, kc, j0, j1, packedB, Level != SimdLevel.Scalar, Bf16Pairs);
            for (int i0 = 0; i0 < M; i0 += MC)
            {
                int mc = Math.Min(MC, M - i0);
                for (int jr = j0; jr < j1; jr += tileWidth)
                {
                    float* b = packedB + (long)(jr - j0) * kc;
                    int cols = Math.Min(tileWidth, j1 - jr);
                    int width = cols > NR ? 2 * NR : NR;   // a lone last panel runs the 16-wide kernel
                    for (int ir = 0; ir < mc; ir += MR)
                    {
                        float* a = A.Panel(p0, kc, i0 + ir);
                        float* c = Y + (long)(i0 + ir) * N + jr;
                        int rows = Math.Min(MR, mc - ir);
                        if (rows == MR && cols == width)
                            Kernel(kc, a, b, c, N, width);
                        else
                            EdgeTile(kc, a, b, c, rows, cols, width, edge);
                    }
                }
            }
        }
    }

    /// <summary>Output columns one kernel call covers: two 16-column panels for AVX-512, one otherwise.</summary>
    static int TileWidth(SimdLevel level) => level == SimdLevel.Avx512 ? 2 * MicroKernel.NR : MicroKernel.NR;

    /// <summary>A tile cut by the matrix edge: run the full kernel on a copy, then copy back the part that exists.</summary>
    readonly void EdgeTile(int kc, float* a, float* b, float* c, int rows, int cols, int width, float* tile)
    {
        const int MR = MicroKernel.MR;
        new Span<float>(tile, MR * width).Clear();
        for (int r = 0; r < rows; r++)
            new ReadOnlySpan<float>(c + (long)r * N, cols).CopyTo(new Span<float>(tile + r * width, cols));
        Kernel(kc, a, b, tile, width, width);
        for (int r = 0; r < rows; r++)
            new ReadOnlySpan<float>(tile + r * width, cols).CopyTo(new Span<float>(c + (long)r * N, cols));
    }

    /// <summary>C[6, width] += A · B for width 16 (one panel at b) or 32 (the panels at b and b + kc * 16, AVX-512 only).</summary>
    readonly void Kernel(int kc, float* a, float* b, float* c, nint ldc, int width)
    {
        if (width > MicroKernel.NR) MicroKernel.Avx512Fma6x32(kc, a, b, b + kc * MicroKernel.NR, c, ldc);
        else if (Level == SimdLevel.Scalar) MicroKernel.Scalar6x16(kc, a, b, c, ldc);
        else MicroKernel.Fma6x16(kc, a, b, c, ldc);
    }
}
