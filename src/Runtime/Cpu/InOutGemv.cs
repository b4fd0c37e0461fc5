using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// The small-m path (decode: 1 to <see cref="Gemm.GemvRows"/> rows of x) for an InOut weight (stored [k, n], as
/// GPT-2's Conv1D): y[r, :] = sum_p x[r, p] W[p, :]. A row of the weight is contiguous, so the weight is cut by rows:
/// chunk c covers rows [c R, (c + 1) R) and the columns of one column block, a stretch the hardware prefetcher streams
/// front to back (cutting by columns instead made each thread read short pieces of every row, at half the DRAM
/// bandwidth). Two passes:
///   1. <see cref="Run"/>: each (chunk, column block) adds its rows into its own partial sums, Partials[c, r, j], by
///      fused multiply-adds in order of p, one weight row at a time (reading four rows at once, each from its own place,
///      streamed BF16 weights from DRAM at 0.7x the speed), the weight widened in registers;
///   2. <see cref="ChunkSums"/>: y[r, j] = ((Partials[0, r, j] + Partials[1, r, j]) + ...) (+ bias) (+ y), in chunk order.
/// R depends only on the shape (about <see cref="ChunkBytes"/> of weight per chunk), never on the thread count, so the
/// result does not depend on it either. With <see cref="Wide"/> the inner loops run 16 lanes of AVX-512, with the same
/// operations per output as the 8-lane AVX2 ones: both give the same bits. Needs AVX2 + FMA.
/// </summary>
internal unsafe struct InOutGemv<TElem> : IParallelBody where TElem : struct, IWeightElement
{
    /// <summary>
    /// About this many bytes of weight per chunk. Each chunk adds its partial sums to y's traffic (4 bytes per column per
    /// chunk, twice) and starts a new stream: on GPT-2 small's 48 block matrices (BF16, 2 threads, weights from DRAM)
    /// chunks of 1 MiB streamed 43-46 GB/s, of 512 KiB 39-41, of 128 KiB 28-33 (best of 5, decode-stream's shapes).
    /// </summary>
    const int ChunkBytes = 1 << 20;
    /// <summary>Most columns per column block, which bounds the partial sums at chunks x 4 rows x 4096 floats per block.</summary>
    const int MaxBlockColumns = 4096;

    public float* X;            // [M, K] row-major
    public float* Y;            // [M, N] row-major
    public float* Bias;         // [N] or null
    public byte* W;             // [K, N] in TElem
    public int M, N, K;
    public bool Accumulate;
    public bool Wide;           // AVX-512 inner loops
    public float* Partials;     // [Chunks, M, N]: chunk c's sums for every row of x
    public int ChunkRows, Chunks, BlockColumns, ColumnBlocks;

    /// <summary>Cuts the weight into chunks of rows and blocks of columns; returns the number of parallel indices of pass 1, and the partial sums' size in floats.</summary>
    public (int Items, long PartialFloats) Plan()
    {
        BlockColumns = Math.Min(N, MaxBlockColumns);
        ColumnBlocks = (N + BlockColumns - 1) / BlockColumns;
        long blockBytes = (long)K * BlockColumns * TElem.Size;
        int chunks = (int)Math.Min((blockBytes + ChunkBytes - 1) / ChunkBytes, K);
        ChunkRows = (K + chunks - 1) / chunks;
        Chunks = (K + ChunkRows - 1) / ChunkRows;
        return (Chunks * ColumnBlocks, (long)Chunks * M * N);
    }

    /// <summary>Pass 1 for item = (chunk, column block): Partials[chunk, r, block] = sum over the chunk's rows p of x[r, p] W[p, block].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly void Run(int item)
    {
        int chunk = item / ColumnBlocks, j0 = item % ColumnBlocks * BlockColumns;
        int width = Math.Min(BlockColumns, N - j0), vectorWidth = width / 8 * 8;
        int p0 = chunk * ChunkRows, p1 = Math.Min(K, p0 + ChunkRows);
        float* sums = Partials + (long)chunk * M * N + j0;   // row r at sums + r * N
        for (int r = 0; r < M; r++) new Span<float>(sums + (long)r * N, width).Clear();
        long rowBytes = (long)N * TElem.Size;
        byte* w = W + ((long)p0 * N + j0) * TElem.Size;
        for (int p = p0; p < p1; p++, w += rowBytes)   // one weight row after the other: a single stream through memory
            for (int r = 0; r < M; r++)
            {
                float* s = sums + (long)r * N;
                float xp = X[(long)r * K + p];
                int c = 0;
                if (Wide)
                    for (Vector512<float> xw = Vector512.Create(xp); c + 16 <= vectorWidth; c += 16)
                        Avx512F.FusedMultiplyAdd(xw, TElem.Load16(w, c), Vector512.Load(s + c)).Store(s + c);
                Vector256<float> xv = Vector256.Create(xp);
                for (; c < vectorWidth; c += 8)
                    Fma.MultiplyAdd(xv, TElem.Load8(w, c), Vector256.Load(s + c)).Store(s + c);
                for (c = vectorWidth; c < width; c++)
                    s[c] = MathF.FusedMultiplyAdd(xp, TElem.Load1(w, c), s[c]);
            }
    }

    /// <summary>Pass 2: the chunks' partial sums added in chunk order, then bias and y, for blocks of <see cref="Columns"/> output columns.</summary>
    public struct ChunkSums : IParallelBody
    {
        public const int Columns = 256;

        public float* Partials;     // [Chunks, M, N]
        public float* Y;            // [M, N]
        public float* Bias;         // [N] or null
        public int M, N, Chunks;
        public bool Accumulate;

        public readonly int Items => (N + Columns - 1) / Columns;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run(int item)
        {
            int j0 = item * Columns, j1 = Math.Min(N, j0 + Columns);
            long chunkStride = (long)M * N;
            for (int r = 0; r < M; r++)
            {
                float* y = Y + (long)r * N;
                float* first = Partials + (long)r * N;
                int j = j0;
                for (; j + 8 <= j1; j += 8)   // elementwise adds: the same bits at any width
                {
                    Vector256<float> sum = Vector256.Load(first + j);
                    for (int c = 1; c < Chunks; c++) sum += Vector256.Load(first + c * chunkStride + j);
                    if (Bias != null) sum += Vector256.Load(Bias + j);
                    if (Accumulate) sum += Vector256.Load(y + j);
                    sum.Store(y + j);
                }
                for (; j < j1; j++)
                {
                    float sum = first[j];
                    for (int c = 1; c < Chunks; c++) sum += first[c * chunkStride + j];
                    if (Bias != null) sum += Bias[j];
                    if (Accumulate) sum += y[j];
                    y[j] = sum;
                }
            }
        }
    }
}
