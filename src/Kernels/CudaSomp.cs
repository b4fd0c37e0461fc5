using HeadPursuit.Kernels.Native;
using HeadPursuit.Somp;

namespace HeadPursuit.Kernels;

/// <summary>
/// SOMP head ranking on the GPU: the algorithm of the CPU fast path (<see cref="SompFast"/>), with the products on
/// cuBLAS and the rest in kernels/somp.cu. For a head with atoms D [v, d_model] (rows normalised), output block
/// W_O [d_model, d_head] and centred pooled outputs Zc [n, d_head]:
///   A = D W_O [v, d_head]; P = A Zc^T [v, n] (correlations of every atom with every sample; H = Zc W_O^T is never formed)
///   per iteration t: j_t = argmax over untaken atoms of sum_i |P[j, i]| (first index on ties);
///     q_t = atom j_t orthonormalised against q_0..q_{t-1} (classical Gram-Schmidt twice, as batched GEMVs; an atom
///           already in their span gets q_t = 0: it explains nothing and its coefficient is 0, as on the CPU);
///     s_t = Zc (W_O^T q_t) [n]; EVR_t = sum_{u&lt;=t} ||s_u||^2 / ||Zc W_O^T||_F^2;
///     P -= c s_t^T with c = D q_t [v] (rank-one update, fused with the new scores).
/// ||Zc W_O^T||_F^2 = sum(W_O^T W_O .* Zc^T Zc). The heads of one call share D and are batched (strided-batched GEMMs,
/// one block per head in the kernels); heads go in chunks that fit in half the device memory. The iterations run
/// without the host; at the end only the selections and EVR curves come back, unless coefficients are wanted: then also
/// S and R (the incremental QR), from which the host forms them when first read (<see cref="SompResult.Coefficients"/>).
/// Everything on the device is fp32 (the CPU path keeps float64), so selections can differ where two scores nearly
/// tie; the CPU's tolerances for a dependent atom and for a noise-level score are scaled to fp32 rounding (below).
/// </summary>
/// <param name="withCoefficients">also bring back S and R so that <see cref="SompResult.Coef"/> can be formed (a ranking
/// needs only selections and EVR curves; without this, reading Coef throws)</param>
internal sealed unsafe class CudaSomp(CudaContext context, bool withCoefficients = false) : ISompSolver
{
    const int Threads = 256;
    // An atom whose residual after Gram-Schmidt is at most this is in the span of the selected ones. The CPU uses 1e-10
    // in float64; in fp32 a dependent unit atom leaves rounding of about sqrt(d_model) eps (1e-5 at d_model 4096).
    const float DependenceTolerance = 1e-4f;
    // Scores at most this fraction of the first best are rounding noise (the CPU's SompChecks.NoiseScoreFraction, 1e-10
    // in float64): fp32 updates leave about 1e-7 to 1e-6 of it on atoms the selected ones already span.
    const float NoiseScoreFraction = 1e-5f;

    readonly CudaDevice _device = context.Device;

    public string Name => $"cuda ({context.Device})";

    /// <summary>All heads must share n and d_head (the heads of one model's capture do).</summary>
    public SompResult[] RunHeads(IReadOnlyList<SompHead> heads, AtomSet dictionary, int iterations, SompOptions options)
    {
        SompChecks.Heads(heads, dictionary);
        SompChecks.Iterations(iterations, dictionary.Count, dictionary.Dim);
        if (heads.Count == 0) return [];
        int v = dictionary.Count, dm = dictionary.Dim, n = heads[0].Samples, dh = heads[0].DHead;
        for (int h = 0; h < heads.Count; h++)
            if (heads[h].Samples != n || heads[h].DHead != dh)
                throw new ArgumentException($"head {h} has [n, d_head] = [{heads[h].Samples}, {heads[h].DHead}], head 0 [{n}, {dh}]: the CUDA SOMP batches heads of one shape");
        var atoms = new AtomRows(dictionary, options.Normalize);
        var d = new float[(long)v * dm];   // [v, dm] the atoms the device multiplies with
        var row = new double[dm];
        for (int j = 0; j < v; j++)
        {
            atoms.CopyRows(j, 1, row);
            for (int k = 0; k < dm; k++) d[(long)j * dm + k] = (float)row[k];
        }
        using var dDevice = _device.Allocate(d.Length * 4L);
        _device.Upload<float>(d, dDevice);
        long perHead = 4L * ((long)v * n + (long)v * dh + 2L * v + dm * dh + n * dh + 2L * dh * dh + dh + 2L * iterations + 1   // see RunChunk
                             + (long)iterations * (dm + iterations) + (long)SampleRows(iterations) * n + dm) + 8L * (2 + iterations) + v;
        int chunk = (int)Math.Clamp((_device.TotalMemory / 2 - d.Length * 4L) / perHead, 1, heads.Count);
        var results = new SompResult[heads.Count];
        for (int start = 0; start < heads.Count; start += chunk)
        {
            int count = Math.Min(chunk, heads.Count - start);
            var part = RunChunk(atoms, dDevice, [.. heads.Skip(start).Take(count)], iterations, options.Center);
            part.CopyTo(results, start);
        }
        return results;
    }

    SompResult[] RunChunk(AtomRows atoms, DeviceBuffer dDevice, SompHead[] heads, int iterations, bool center)
    {
        int hs = heads.Length, v = atoms.Count, dm = atoms.Dim, n = heads[0].Samples, dh = heads[0].DHead, N = iterations;
        var wo = new float[hs * dm * dh];   // [hs, dm, dh]
        var zc = new float[hs * n * dh];    // [hs, n, dh]
        for (int h = 0; h < hs; h++)
        {
            heads[h].OutputBlock.CopyTo(wo, h * dm * dh);
            Array.ConvertAll(Centring.Of(heads[h].Z, n, dh, center), x => (float)x).CopyTo(zc, h * n * dh);
        }
        using var woD = _device.Allocate(wo.Length * 4L);
        using var zcD = _device.Allocate(zc.Length * 4L);
        using var a = _device.Allocate(4L * hs * v * dh);      // A [hs, v, dh]
        using var p = _device.Allocate(4L * hs * v * n);       // P [hs, v, n]
        using var scores = _device.Allocate(4L * hs * v);      // [hs, v]
        using var taken = _device.Allocate((long)hs * v);      // [hs, v] bytes, zero = free
        using var best = _device.Allocate(4L * hs);            // [hs]
        using var selected = _device.Allocate(4L * hs * N);    // [hs, N]
        using var firstBest = _device.Allocate(4L * hs);       // [hs]: the best score of iteration 0
        using var x = _device.Allocate(4L * hs * dm);          // X [hs, dm]: the atom being orthonormalised
        using var dots2 = _device.Allocate(4L * hs * N);       // [hs, N]: the second Gram-Schmidt pass's projections
        using var q = _device.Allocate(4L * hs * N * dm);      // Q [hs, N, dm]
        using var rt = _device.Allocate(4L * hs * N * N);      // R^T [hs, N, N]
        using var y = _device.Allocate(4L * hs * dh);          // Y [hs, dh] = W_O^T q_t
        int sRows = SampleRows(N);
        using var s = _device.Allocate(4L * hs * sRows * n);   // S [hs, sRows, n]: s_t = Zc y in row t (or the one row)
        using var c = _device.Allocate(4L * hs * v);           // C [hs, v] = D q_t
        using var explained = _device.Allocate(8L * hs);       // [hs] double
        using var total = _device.Allocate(8L * hs);           // [hs] double
        using var evr = _device.Allocate(8L * hs * N);         // [hs, N] double
        using var gram = _device.Allocate(4L * hs * 2 * dh * dh);   // [hs, dh, dh] W_O^T W_O, then [hs, dh, dh] Zc^T Zc
        _device.Upload<float>(wo, woD);
        _device.Upload<float>(zc, zcD);

        // Column-major reading of row-major buffers (see GemmPlan): row-major [r, c] is column-major [c, r].
        Batched(Cublas.OpN, Cublas.OpN, dh, v, dm, woD.Address, dh, (long)dm * dh, dDevice.Address, dm, 0, a.Address, dh, (long)v * dh, hs);      // A^T = W_O^T D^T
        Batched(Cublas.OpT, Cublas.OpN, n, v, dh, zcD.Address, dh, (long)n * dh, a.Address, dh, (long)v * dh, p.Address, n, (long)v * n, hs);     // P^T = Zc A^T
        Batched(Cublas.OpN, Cublas.OpT, dh, dh, dm, woD.Address, dh, (long)dm * dh, woD.Address, dh, (long)dm * dh, gram.Address, dh, (long)dh * dh, hs);
        Batched(Cublas.OpN, Cublas.OpT, dh, dh, n, zcD.Address, dh, (long)n * dh, zcD.Address, dh, (long)n * dh, gram.At(4L * hs * dh * dh), dh, (long)dh * dh, hs);
        var grams = new float[hs * 2 * dh * dh];
        _device.Download<float>(gram, grams);
        var totals = new double[hs];   // ||Zc W_O^T||_F^2 per head = sum(W_O^T W_O .* Zc^T Zc)
        for (int h = 0; h < hs; h++)
            for (int e = 0; e < dh * dh; e++) totals[h] += (double)grams[h * dh * dh + e] * grams[(hs + h) * dh * dh + e];
        _device.Upload<double>(totals, total);
        _device.Launch(context.Kernel("somp.cu", "somp_l1"), new(v, hs), Threads, 0, p, v, n, scores);

        // The iterations never wait for the host: everything below is queued on the stream.
        for (int t = 0; t < N; t++)
        {
            ulong qt = q.At(4L * t * dm), rtRow = rt.At(4L * t * N), st = s.At(4L * (t % sRows) * n);   // head 0's q_t, R^T row t, s_t
            _device.Launch(context.Kernel("somp.cu", "somp_select"), new(hs), Threads, 0, scores, taken, v, best, selected, firstBest, t, N, NoiseScoreFraction);
            _device.Launch(context.Kernel("rows.cu", "gather_rows"), new(hs), Threads, 0, dDevice, best, x, dm);             // x = atom j_t
            if (t > 0)
            {
                // Gram-Schmidt twice: R^T[t, :t] = Q[:t] x, x -= Q[:t]^T R^T[t, :t]; then dots2 = Q[:t] x, x -= Q[:t]^T dots2.
                Batched(Cublas.OpT, Cublas.OpN, t, 1, dm, q.Address, dm, (long)N * dm, x.Address, dm, dm, rtRow, N, (long)N * N, hs);
                Batched(Cublas.OpN, Cublas.OpN, dm, 1, t, q.Address, dm, (long)N * dm, rtRow, N, (long)N * N, x.Address, dm, dm, hs, alpha: -1, beta: 1);
                Batched(Cublas.OpT, Cublas.OpN, t, 1, dm, q.Address, dm, (long)N * dm, x.Address, dm, dm, dots2.Address, N, N, hs);
                Batched(Cublas.OpN, Cublas.OpN, dm, 1, t, q.Address, dm, (long)N * dm, dots2.Address, N, N, x.Address, dm, dm, hs, alpha: -1, beta: 1);
            }
            _device.Launch(context.Kernel("somp.cu", "somp_orthonormalise"), new(hs), Threads, 0, x, dots2, rt, q, dm, t, N, DependenceTolerance);
            Batched(Cublas.OpN, Cublas.OpN, dh, 1, dm, woD.Address, dh, (long)dm * dh, qt, dm, (long)N * dm, y.Address, dh, dh, hs);    // y = W_O^T q_t
            Batched(Cublas.OpT, Cublas.OpN, n, 1, dh, zcD.Address, dh, (long)n * dh, y.Address, dh, dh, st, n, (long)sRows * n, hs);     // s_t = Zc y
            _device.Launch(context.Kernel("somp.cu", "somp_explained"), new(hs), Threads, 0, st, (long)sRows * n, n, explained, total, evr, t, N);
            if (t == N - 1) break;
            Gemm(Cublas.OpT, Cublas.OpN, v, hs, dm, dDevice.Address, dm, qt, N * dm, c.Address, v);                                     // C^T = D Q_t^T
            _device.Launch(context.Kernel("somp.cu", "somp_update"), new(v, hs), Threads, 0, p, c, st, (long)sRows * n, v, n, scores);
        }

        // Back to the host: selections and EVR curves; S and R^T too when coefficients were asked for.
        var selectedHost = new int[hs * N];
        var evrHost = new double[hs * N];
        _device.Download<int>(selected, selectedHost);
        _device.Download<double>(evr, evrHost);
        var rtHost = withCoefficients ? new float[hs * N * N] : [];
        if (withCoefficients) _device.Download<float>(rt, rtHost);
        var results = new SompResult[hs];
        for (int h = 0; h < hs; h++)
        {
            // A head whose centred outputs are exactly zero explains nothing (as on the CPU).
            if (!zc.AsSpan(h * n * dh, n * dh).ContainsAnyExcept(0f)) { results[h] = SompResult.ZeroVariance(N); continue; }
            int[] picks = selectedHost.AsSpan(h * N, N).ToArray();
            double[] curve = evrHost.AsSpan(h * N, N).ToArray();
            if (!withCoefficients)
            {
                results[h] = new SompResult(picks, curve, () => throw new InvalidOperationException(
                    "this CUDA SOMP run kept no coefficients: create CudaSomp with withCoefficients: true"));
                continue;
            }
            var sHead = new float[N * n];   // [N, n]
            _device.Download<float>(s, sHead, 4L * h * N * n);
            var r = new double[N * N];      // R [N, N] upper triangular
            for (int t = 0; t < N; t++)
                for (int u = 0; u <= t; u++) r[u * N + t] = rtHost[(h * N + t) * N + u];
            results[h] = new SompResult(picks, curve, () => SompResult.Coefficients([.. sHead.Select(f => (double)f)], r, n, N));
        }
        return results;
    }

    /// <summary>Rows of S kept per head: every s_t when coefficients are wanted, else only the newest.</summary>
    int SampleRows(int iterations) => withCoefficients ? iterations : 1;

    void Gemm(int ta, int tb, int m, int n, int k, ulong a, int lda, ulong b, int ldb, ulong c, int ldc)
    {
        float one = 1, zero = 0;
        Cublas.Check(Cublas.cublasGemmEx(context.Cublas, ta, tb, m, n, k, &one, a, Cublas.R32F, lda, b, Cublas.R32F, ldb, &zero,
                                         c, Cublas.R32F, ldc, Cublas.Compute32F, Cublas.GemmDefault), $"cublasGemmEx(SOMP {m}x{n}x{k})");
    }

    void Batched(int ta, int tb, int m, int n, int k, ulong a, int lda, long sa, ulong b, int ldb, long sb, ulong c, int ldc, long sc, int batch,
                 float alpha = 1, float beta = 0)
    {
        Cublas.Check(Cublas.cublasGemmStridedBatchedEx(context.Cublas, ta, tb, m, n, k, &alpha, a, Cublas.R32F, lda, sa, b, Cublas.R32F, ldb, sb,
                                                       &beta, c, Cublas.R32F, ldc, sc, batch, Cublas.Compute32F, Cublas.GemmDefault),
                     $"cublasGemmStridedBatchedEx(SOMP {m}x{n}x{k} x {batch})");
    }
}
