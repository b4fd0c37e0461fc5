// How the CPU matrix multiply works
// ---------------------------------
// MatMul computes y[m, n] = x[m, k] · W[k, n] (+ bias) (+ y) with x and y row-major float32 and W a weight
// kept in its file dtype (F32, BF16, F16) and layout (InOut = stored [k, n], OutIn = stored [n, k]).
//
// Large m (prefill, m > 4) takes the blocked path (BlockedGemm.cs), the classic Goto/BLIS scheme:
//   * The output columns are cut into blocks of at most 512 (a multiple of 16, about 4 per thread for
//     load balance); each block is one parallel index, computed by one thread for all m rows and the whole k, so no two threads write the same output
//     and the summation order never depends on the thread count (results are bitwise reproducible).
//   * Within a column block, k is walked in slices of KC <= 256. For each slice the thread packs the
//     weight block W[kc, columns] into 16-column micro-panels ([kc][16] floats, widened from BF16/F16 while
//     packing). One micro-panel is 16 KiB at kc = 256: it sits in the 32 KiB L1 while the kernel sweeps it
//     against every row panel of A.
//   * x is packed once per call, before the column blocks start (PackedInput.cs), into 6-row micro-panels
//     ([kc][6] floats per k slice), shared read-only by all threads. Rows are walked in blocks of MC <= 144:
//     one block of packed x (<= 144 KiB) stays in the 512 KiB L2 while it is reread once per 16-column
//     micro-panel of B.
//   * The micro-kernel (MicroKernel.cs) keeps a 6 x 16 tile of y in 12 AVX2 registers and, per k step,
//     broadcasts 6 values of A against two 8-wide vectors of B: 12 independent FMAs. With AVX-512 it keeps
//     a 6 x 32 tile (two adjacent micro-panels) in 12 zmm registers: twice the work per instruction. Tiles
//     cut by the edge of the matrix run the same kernel on a zero-padded copy.
//   * Before the k loop the column block of y is set to bias (or zero), or has bias added when
//     accumulating; every k slice then adds its product into y.
// Small m (decode, m <= 4) takes a streaming path: no packing, the weight is read once, front to back, and widened in
// registers. OutIn weights (OutInGemv.cs): each output is the dot product of a stored row; threads split the output
// columns. InOut weights (InOutGemv.cs): threads take chunks of stored rows into partial sums, added up in chunk order.
// Without AVX2/FMA both cases run the blocked path with a scalar kernel that performs the same fused
// multiply-adds in the same order as the vector one.
// The kernel family (SimdLevel.cs: scalar, AVX2, AVX-512) is the widest the CPU has, chosen at run time;
// all of them add the same products in the same order into each output, so the family never changes a result.
// Packing buffers are per thread and reused (ScratchBuffer.cs); a steady-state call allocates nothing.

using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.Cpu;

internal static unsafe class Gemm
{
    /// <summary>Matmuls of at most this many rows of x take the streaming (GEMV) path.</summary>
    public const int GemvRows = 4;

    /// <summary>
    /// Off by default. When on, matmuls of more than <see cref="Gemm.GemvRows"/> rows with a BF16 weight round x
    /// to bf16 and multiply in bf16 pairs (<see cref="Bf16Products"/>, within its documented tolerance of the exact
    /// product): on the native VDPBF16PS kernels where the CPU has AVX512-BF16 (about twice the FMA rate), else on their
    /// managed twin, which gives the same bits. Decode-sized matmuls keep float32 activations (they are bound by memory,
    /// not arithmetic). Set it at startup.
    /// </summary>
    public static bool Bf16DotProducts { get; set; }

    /// <summary>Which kernels a bf16 dot-product matmul runs here, in words.</summary>
    public static string Bf16DotProductKernels =>
        NativeBf16Kernels.IsAvailable && CpuSimd.Level == SimdLevel.Avx512 ? NativeBf16Kernels.Status : $"the managed twin ({CpuSimd.Level}): {NativeBf16Kernels.Status}";

    /// <summary>y[m, n] = x[m, k] · W (+ bias[n] if given) (+ y if accumulate), with k = W.In and n = W.Out; x and y row-major float32.</summary>
    public static void MatMul(ReadOnlySpan<float> x, int m, WeightMatrix w, Span<float> y, ReadOnlySpan<float> bias = default, bool accumulate = false) =>
        MatMul(x, m, w, y, bias, accumulate, CpuSimd.Level, Bf16DotProducts);

    /// <summary>
    /// <see cref="MatMul(ReadOnlySpan{float}, int, WeightMatrix, Span{float}, ReadOnlySpan{float}, bool)"/> with the kernel
    /// family and the bf16 dot-product setting chosen (tests run each); the native bf16 kernels need the AVX-512 family.
    /// </summary>
    internal static void MatMul(ReadOnlySpan<float> x, int m, WeightMatrix w, Span<float> y, ReadOnlySpan<float> bias, bool accumulate, SimdLevel simd, bool bf16Dot = false)
    {
        if (simd > CpuSimd.Best) throw new ArgumentOutOfRangeException(nameof(simd), simd, $"this process can run at most {CpuSimd.Best}");
        Validate(x, m, w, y, bias);
        if (m == 0) return;
        switch (w.DType)
        {
            case DType.F32: Run<F32Element>(x, m, w, y, bias, accumulate, simd); break;
            case DType.BF16 when bf16Dot && m > GemvRows:
                if (simd == SimdLevel.Avx512 && NativeBf16Kernels.IsAvailable) RunBf16Dot(x, m, w, y, bias, accumulate);
                else RunBlocked<BF16Element>(x, m, w, y, bias, accumulate, simd, bf16Pairs: true);
                break;
            case DType.BF16: Run<BF16Element>(x, m, w, y, bias, accumulate, simd); break;
            default: Run<F16Element>(x, m, w, y, bias, accumulate, simd); break;
        }
    }

    static void Run<TElem>(ReadOnlySpan<float> x, int m, WeightMatrix w, Span<float> y, ReadOnlySpan<float> bias, bool accumulate, SimdLevel simd)
        where TElem : struct, IWeightElement
    {
        if (simd == SimdLevel.Scalar || m > GemvRows)
        {
            RunBlocked<TElem>(x, m, w, y, bias, accumulate, simd, bf16Pairs: false);
            return;
        }
        fixed (float* px = x, py = y, pb = bias)
        {
            if (w.Layout == WeightLayout.InOut)
            {
                var rows = new InOutGemv<TElem>
                {
                    X = px, Y = py, Bias = pb, W = w.Data, M = m, N = w.Out, K = w.In, Accumulate = accumulate, Wide = simd == SimdLevel.Avx512,
                };
                var (items, partialFloats) = rows.Plan();
                // the partial sums live in the calling thread's scratch (so concurrent callers do not collide)
                rows.Partials = ScratchBuffer.Get(ScratchBuffer.GemvPartials, checked((int)partialFloats));
                CpuParallel.For(items, ref rows);
                var sums = new InOutGemv<TElem>.ChunkSums
                {
                    Partials = rows.Partials, Y = py, Bias = pb, M = m, N = w.Out, Chunks = rows.Chunks, Accumulate = accumulate,
                };
                CpuParallel.For(sums.Items, ref sums);
                return;
            }
            var gemv = new OutInGemv<TElem> { X = px, Y = py, Bias = pb, W = w.Data, M = m, N = w.Out, K = w.In, Accumulate = accumulate };
            int columnItems = gemv.Plan(CpuParallel.Threads);
            CpuParallel.For(columnItems, ref gemv);
        }
    }

    static void RunBlocked<TElem>(ReadOnlySpan<float> x, int m, WeightMatrix w, Span<float> y, ReadOnlySpan<float> bias, bool accumulate, SimdLevel simd, bool bf16Pairs)
        where TElem : struct, IWeightElement
    {
        fixed (float* px = x, py = y, pb = bias)
        {
            var gemm = new BlockedGemm<TElem>
            {
                Y = py, Bias = pb, W = w.Data, Layout = w.Layout,
                M = m, N = w.Out, K = w.In, Accumulate = accumulate, Level = simd, Bf16Pairs = bf16Pairs,
            };
            int items = gemm.Plan(CpuParallel.Threads);
            // x is packed once, into the calling thread's scratch (so concurrent callers do not collide).
            gemm.A = new PackedInput { X = px, M = m, K = w.In, KC = gemm.KC, MC = gemm.MC, Bf16Pairs = bf16Pairs };
            gemm.A.Data = ScratchBuffer.Get(ScratchBuffer.PackedA, checked((int)gemm.A.Floats));
            CpuParallel.For(gemm.A.Items, ref gemm.A);
            CpuParallel.For(items, ref gemm);
        }
    }

    static void RunBf16Dot(ReadOnlySpan<float> x, int m, WeightMatrix w, Span<float> y, ReadOnlySpan<float> bias, bool accumulate)
    {
        fixed (float* px = x, py = y, pb = bias)
        {
            var gemm = new Bf16Gemm
            {
                Y = py, Bias = pb, W = (ushort*)w.Data, Layout = w.Layout,
                M = m, N = w.Out, K = w.In, Accumulate = accumulate,
            };
            int items = gemm.Plan(CpuParallel.Threads);
            gemm.A = new PackedBf16Input { X = px, M = m, K = w.In, KC = gemm.KC, MC = gemm.MC };
            gemm.A.Data = (uint*)ScratchBuffer.Get(ScratchBuffer.PackedA, checked((int)gemm.A.Pairs));
            CpuParallel.For(gemm.A.Items, ref gemm.A);
            CpuParallel.For(items, ref gemm);
        }
    }

    /// <summary>
    /// Same contract as <see cref="MatMul(ReadOnlySpan{float}, int, WeightMatrix, Span{float}, ReadOnlySpan{float}, bool)"/>:
    /// a plain triple loop accumulating in double, rounded once at the end. The reference the tests compare against.
    /// </summary>
    public static void MatMulReference(ReadOnlySpan<float> x, int m, WeightMatrix w, Span<float> y, ReadOnlySpan<float> bias = default, bool accumulate = false)
    {
        Validate(x, m, w, y, bias);
        int k = w.In, n = w.Out;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++) sum += (double)x[i * k + p] * w[p, j];
                if (!bias.IsEmpty) sum += bias[j];
                if (accumulate) sum += y[i * n + j];
                y[i * n + j] = (float)sum;
            }
    }

    internal static void Validate(ReadOnlySpan<float> x, int m, WeightMatrix w, Span<float> y, ReadOnlySpan<float> bias)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, "row count must be non-negative");
        if (x.Length != (long)m * w.In)
            throw new ArgumentException($"x holds {x.Length} floats, expected m * in = {m} * {w.In} for weight '{w.View.Name}'", nameof(x));
        if (y.Length != (long)m * w.Out)
            throw new ArgumentException($"y holds {y.Length} floats, expected m * out = {m} * {w.Out} for weight '{w.View.Name}'", nameof(y));
        if (!bias.IsEmpty && bias.Length != w.Out)
            throw new ArgumentException($"bias holds {bias.Length} floats, expected out = {w.Out} for weight '{w.View.Name}'", nameof(bias));
    }
}
