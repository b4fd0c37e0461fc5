using HeadPursuit.Kernels.Native;
using HeadPursuit.Somp;

namespace HeadPursuit.Kernels;

/// <summary>
/// SOMP head ranking on the GPU: the algorithm of the CPU fast path (<see cref="SompFast"/>), with the large
/// products on cuBLAS and the scans in kernels/somp.cu. For a head with atoms D [v, d_model] (rows normalised),
/// output block W_O [d_model, d_head] and centred pooled outputs Zc [n, d_head]:
///   A = D W_O [v, d_head]; P = A Zc^T [v, n] (correlations of every atom with every sample; H = Zc W_O^T is never formed)
///   per iteration t: j_t = argmax over untaken atoms of sum_i |P[j, i]| (first index on ties);
///     q_t = atom j_t orthonormalised against q_0..q_{t-1} (Gram-Schmidt twice, float64, on the host; an atom already
///           in their span gets q_t = 0: it explains nothing and its coefficient is 0, as on the CPU);
///     s_t = Zc (W_O^T q_t) [n]; EVR_t = sum_{u&lt;=t} ||s_u||^2 / ||Zc W_O^T||_F^2;
///     P -= c s_t^T with c = D q_t [v] (rank-one update, fused with the new scores).
/// ||Zc W_O^T||_F^2 = sum(W_O^T W_O .* Zc^T Zc). The heads of one call share D and are batched (strided-batched GEMMs);
/// heads go in chunks that fit in half the device memory. What comes back per iteration: the selections and s_t
/// [heads, n], from which the host forms the EVR and, at the end, the coefficients (<see cref="SompResult.Coefficients"/>).
/// P is fp32 on the device (the CPU path keeps float64), so selections can differ where two scores nearly tie, and the
/// CPU's rule that scores below 1e-10 of the first best are noise (which only matters once the selected atoms span
/// every remaining one) is not applied.
/// </summary>
public sealed unsafe class CudaSomp(CudaBackend backend) : ISompSolver
{
    const int Threads = 256;

    readonly CudaDevice _device = backend.Device;

    public string Name => backend.Name;

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
        long perHead = 4L * ((long)v * n + (long)v * dh + 2L * v + dm * dh + n * dh + 2L * dh * dh + dm + dh + n) + v;
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

    /// <summary>Zc [n, dh]: z minus its column means (in float64), or z as is.</summary>
    static float[] Centred(float[] z, int n, int dh, bool center)
    {
        if (!center) return z;
        var zc = new float[z.Length];
        for (int e = 0; e < dh; e++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += z[i * dh + e];
            mean /= n;
            for (int i = 0; i < n; i++) zc[i * dh + e] = (float)(z[i * dh + e] - mean);
        }
        return zc;
    }

    SompResult[] RunChunk(AtomRows atoms, DeviceBuffer dDevice, SompHead[] heads, int iterations, bool center)
    {
        int hs = heads.Length, v = atoms.Count, dm = atoms.Dim, n = heads[0].Samples, dh = heads[0].DHead;
        var wo = new float[hs * dm * dh];   // [hs, dm, dh]
        var zc = new float[hs * n * dh];    // [hs, n, dh]
        for (int h = 0; h < hs; h++)
        {
            heads[h].OutputBlock.CopyTo(wo, h * dm * dh);
            Centred(heads[h].Z, n, dh, center).CopyTo(zc, h * n * dh);
        }
        using var woD = _device.Allocate(wo.Length * 4L);
        using var zcD = _device.Allocate(zc.Length * 4L);
        using var a = _device.Allocate(4L * hs * v * dh);      // A [hs, v, dh]
        using var p = _device.Allocate(4L * hs * v * n);       // P [hs, v, n]
        using var scores = _device.Allocate(4L * hs * v);      // [hs, v]
        using var taken = _device.Allocate((long)hs * v);      // [hs, v] bytes, zero = free
        using var best = _device.Allocate(4L * hs);            // [hs]
        using var q = _device.Allocate(4L * hs * dm);          // Q [hs, dm]: each head's newest direction
        using var y = _device.Allocate(4L * hs * dh);          // Y [hs, dh] = W_O^T q
        using var s = _device.Allocate(4L * hs * n);           // S [hs, n] = Zc y
        using var c = _device.Allocate(4L * hs * v);           // C [hs, v] = D q
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
        var total = new double[hs];   // ||Zc W_O^T||_F^2 per head
        for (int h = 0; h < hs; h++)
            for (int e = 0; e < dh * dh; e++) total[h] += (double)grams[h * dh * dh + e] * grams[(hs + h) * dh * dh + e];
        // A head whose centred outputs are exactly zero explains nothing (its G is zero).
        var live = Enumerable.Range(0, hs).Select(h => zc.AsSpan(h * n * dh, n * dh).ContainsAnyExcept(0f)).ToArray();

        _device.Launch(backend.Kernel("somp.cu", "somp_l1"), new(v, hs), Threads, 0, p, v, n, scores);
        var selected = new int[hs][];
        var evr = new double[hs][];
        var basis = new double[hs][];   // Q^T [iterations, dm] per head: q_0, q_1, ...
        var r = new double[hs][];       // R [iterations, iterations] per head (see SompResult.Coefficients)
        var sAll = new double[hs][];    // S^T [iterations, n] per head: s_t = Zc W_O^T q_t
        var explained = new double[hs];
        for (int h = 0; h < hs; h++)
        {
            selected[h] = new int[iterations]; evr[h] = new double[iterations]; basis[h] = new double[iterations * dm];
            r[h] = new double[iterations * iterations]; sAll[h] = new double[iterations * n];
        }
        var bestHost = new int[hs];
        var qHost = new float[hs * dm];
        var sHost = new float[hs * n];
        for (int t = 0; t < iterations; t++)
        {
            _device.Launch(backend.Kernel("somp.cu", "somp_select"), new(hs), Threads, 0, scores, taken, v, best);
            _device.Download<int>(best, bestHost);
            Parallel.For(0, hs, h =>
            {
                if (!live[h]) return;
                selected[h][t] = bestHost[h];
                Orthonormalise(atoms, bestHost[h], basis[h], r[h], t, iterations);
                for (int k = 0; k < dm; k++) qHost[h * dm + k] = (float)basis[h][t * dm + k];
            });
            _device.Upload<float>(qHost, q);
            Batched(Cublas.OpN, Cublas.OpN, dh, 1, dm, woD.Address, dh, (long)dm * dh, q.Address, dm, dm, y.Address, dh, dh, hs);          // y = W_O^T q
            Batched(Cublas.OpT, Cublas.OpN, n, 1, dh, zcD.Address, dh, (long)n * dh, y.Address, dh, dh, s.Address, n, n, hs);             // s = Zc y
            _device.Download<float>(s, sHost);
            for (int h = 0; h < hs; h++)
            {
                if (!live[h]) continue;
                for (int i = 0; i < n; i++)
                {
                    double x = sHost[h * n + i];
                    sAll[h][t * n + i] = x;
                    explained[h] += x * x;
                }
                evr[h][t] = explained[h] / total[h];
            }
            if (t == iterations - 1) break;
            Gemm(Cublas.OpT, Cublas.OpN, v, hs, dm, dDevice.Address, dm, q.Address, dm, c.Address, v);                                   // C^T = D Q^T
            _device.Launch(backend.Kernel("somp.cu", "somp_update"), new(v, hs), Threads, 0, p, c, s, v, n, scores);
        }
        return [.. Enumerable.Range(0, hs).Select(h => live[h]
            ? new SompResult(selected[h], evr[h], SompResult.Coefficients(sAll[h], r[h], n, iterations))
            : SompResult.ZeroVariance(iterations))];
    }

    /// <summary>
    /// q_t = atom j minus its projections on q_0..q_{t-1}, twice (classical Gram-Schmidt re-applied), normalised, with
    /// R[u, t] the projections and R[t, t] the norm; an atom already in their span (norm at most
    /// <see cref="SompChecks.DependenceTolerance"/>) gets q_t = 0 and R[t, t] = 0.
    /// </summary>
    static void Orthonormalise(AtomRows atoms, int j, double[] basis, double[] r, int t, int iterations)
    {
        int dm = atoms.Dim;
        var qt = basis.AsSpan(t * dm, dm);
        atoms.CopyRows(j, 1, qt);
        for (int pass = 0; pass < 2; pass++)
            for (int u = 0; u < t; u++)
            {
                var qu = basis.AsSpan(u * dm, dm);
                double dot = 0;
                for (int k = 0; k < dm; k++) dot += qu[k] * qt[k];
                for (int k = 0; k < dm; k++) qt[k] -= dot * qu[k];
                r[u * iterations + t] += dot;
            }
        double norm = 0;
        foreach (double x in qt) norm += x * x;
        norm = Math.Sqrt(norm);
        if (norm <= SompChecks.DependenceTolerance) { qt.Clear(); return; }
        r[t * iterations + t] = norm;
        for (int k = 0; k < dm; k++) qt[k] /= norm;
    }

    void Gemm(int ta, int tb, int m, int n, int k, ulong a, int lda, ulong b, int ldb, ulong c, int ldc)
    {
        float one = 1, zero = 0;
        Cublas.Check(Cublas.cublasGemmEx(backend.CublasHandle, ta, tb, m, n, k, &one, a, Cublas.R32F, lda, b, Cublas.R32F, ldb, &zero,
                                         c, Cublas.R32F, ldc, Cublas.Compute32F, Cublas.GemmDefault), $"cublasGemmEx(SOMP {m}x{n}x{k})");
    }

    void Batched(int ta, int tb, int m, int n, int k, ulong a, int lda, long sa, ulong b, int ldb, long sb, ulong c, int ldc, long sc, int batch)
    {
        float one = 1, zero = 0;
        Cublas.Check(Cublas.cublasGemmStridedBatchedEx(backend.CublasHandle, ta, tb, m, n, k, &one, a, Cublas.R32F, lda, sa, b, Cublas.R32F, ldb, sb,
                                                       &zero, c, Cublas.R32F, ldc, sc, batch, Cublas.Compute32F, Cublas.GemmDefault),
                     $"cublasGemmStridedBatchedEx(SOMP {m}x{n}x{k} x {batch})");
    }
}
