using System.Numerics.Tensors;

namespace HeadPursuit.Somp;

/// <summary>
/// The state of one head inside <see cref="SompFast"/>. Works in the d_head space (H = Zc W_O^T is never formed):
///   P = atoms R^T [v, n] is kept and updated by one rank-one term per iteration,
///   the selected atoms are orthonormalised incrementally (Q, R of a QR factorisation, classical Gram-Schmidt
///   applied twice), and the EVR comes from the running sum of the explained squared norms.
/// </summary>
sealed class SompFastHead
{
    readonly int _n, _dh, _dm, _v, _iterations;
    readonly double[] _zc;      // Zc [n, dh]: centred pooled z
    readonly double[] _zcT;     // Zc^T [dh, n]
    readonly double[] _wo;      // W_O [dm, dh]
    readonly double _total;     // ||Zc W_O^T||_F^2
    readonly double[] _p;       // P [v, n] = atoms R_t^T
    readonly double[] _scores;  // [v]: sum_i |P[j, i]|
    readonly bool[] _taken;     // [v]
    readonly double[] _q;       // Q^T [iterations, dm]: orthonormal basis of the selected atoms, one per row
    readonly double[] _r;       // R [iterations, iterations] upper triangular: atom_c = sum_u R[u, c] q_u
    readonly double[] _s;       // S^T [iterations, n]: s_t = Hc q_t (= R_{t-1} q_t)
    readonly List<int> _selected = [];
    readonly double[] _evr;     // [iterations]
    double _explained;
    double _firstBest;          // the best score of iteration 0, the scale of SompChecks.NoiseScoreFraction

    public bool ZeroVariance => _total == 0;
    public int DHead => _dh;
    public bool Done => ZeroVariance || _selected.Count == _iterations;
    /// <summary>The newest basis vector q_t [dm] (valid after <see cref="Select"/>).</summary>
    public ReadOnlySpan<double> NewestDirection => _q.AsSpan((_selected.Count - 1) * _dm, _dm);
    /// <summary>The newest s_t = Hc q_t [n].</summary>
    ReadOnlySpan<double> NewestSamples => _s.AsSpan((_selected.Count - 1) * _n, _n);

    /// <param name="withCorrelations">false when only <see cref="ExplainedFraction"/> is needed (no P is allocated)</param>
    public SompFastHead(SompHead head, int atoms, int iterations, bool center, bool withCorrelations = true)
    {
        _n = head.Samples; _dh = head.DHead; _dm = head.DModel; _v = atoms; _iterations = iterations;
        if ((long)_v * _n > Array.MaxLength)
            throw new ArgumentException($"P [v={_v}, n={_n}] is too large for one array; split the samples");
        _zc = new double[_n * _dh];
        for (int i = 0; i < _zc.Length; i++) _zc[i] = head.Z[i];
        if (center)
            for (int e = 0; e < _dh; e++)
            {
                double mean = 0;
                for (int i = 0; i < _n; i++) mean += _zc[i * _dh + e];
                mean /= _n;
                for (int i = 0; i < _n; i++) _zc[i * _dh + e] -= mean;
            }
        _zcT = new double[_dh * _n];
        for (int i = 0; i < _n; i++)
            for (int e = 0; e < _dh; e++) _zcT[e * _n + i] = _zc[i * _dh + e];
        _wo = new double[_dm * _dh];
        for (int i = 0; i < _wo.Length; i++) _wo[i] = head.OutputBlock[i];
        _total = SquaredNormOfOutputs();
        _evr = new double[iterations];
        _p = ZeroVariance || !withCorrelations ? [] : new double[_v * _n];
        _scores = new double[_v];
        _taken = new bool[_v];
        _q = new double[iterations * _dm];
        _r = new double[iterations * iterations];
        _s = new double[iterations * _n];
    }

    /// <summary>||Zc W_O^T||_F^2 = sum_i z_i^T (W_O^T W_O) z_i.</summary>
    double SquaredNormOfOutputs()
    {
        var m = new double[_dh * _dh]; // W_O^T W_O [dh, dh]
        for (int k = 0; k < _dm; k++)
        {
            var row = _wo.AsSpan(k * _dh, _dh);
            for (int e = 0; e < _dh; e++) TensorPrimitives.MultiplyAdd(row, row[e], m.AsSpan(e * _dh, _dh), m.AsSpan(e * _dh, _dh));
        }
        var mz = new double[_dh]; // [dh]
        double total = 0;
        for (int i = 0; i < _n; i++)
        {
            var z = _zc.AsSpan(i * _dh, _dh);
            for (int e = 0; e < _dh; e++) mz[e] = TensorPrimitives.Dot(m.AsSpan(e * _dh, _dh), z);
            total += TensorPrimitives.Dot(z, mz);
        }
        return total;
    }

    /// <summary>
    /// Rows first..first+count-1 of P0 = (atoms W_O) Zc^T and their scores.
    /// atoms: those atoms in float64 [count, dm]; a: scratch [count, dh].
    /// </summary>
    public void InitBlock(int first, int count, ReadOnlySpan<double> atoms, Span<double> a)
    {
        BlockedGemm.Multiply(atoms, _wo, a, count, _dm, _dh);
        BlockedGemm.Multiply(a, _zcT, _p.AsSpan(first * _n, count * _n), count, _dh, _n);
        for (int j = first; j < first + count; j++)
            _scores[j] = TensorPrimitives.SumOfMagnitudes((ReadOnlySpan<double>)_p.AsSpan(j * _n, _n));
    }

    /// <summary>P[j, :] -= c_j s_t (c_j = atom_j . q_t) and the new score.</summary>
    public void UpdateRow(int j, double c)
    {
        var row = _p.AsSpan(j * _n, _n);
        TensorPrimitives.MultiplyAdd(NewestSamples, -c, row, row);
        _scores[j] = TensorPrimitives.SumOfMagnitudes((ReadOnlySpan<double>)row);
    }

    /// <summary>
    /// Picks the best unselected atom (first index on ties), orthonormalises it against the selected ones,
    /// computes s_t = Zc (W_O^T q_t) and the EVR.
    /// </summary>
    public void Select(AtomRows atoms)
    {
        int best = -1;
        double bestScore = double.NegativeInfinity;
        double noise = SompChecks.NoiseScoreFraction * _firstBest;
        for (int j = 0; j < _v; j++)
        {
            if (_taken[j]) continue;
            double score = _scores[j] <= noise ? 0 : _scores[j];
            if (score > bestScore) { bestScore = score; best = j; }
        }
        int t = _selected.Count;
        if (t == 0) _firstBest = bestScore;
        _selected.Add(best);
        _taken[best] = true;

        var q = _q.AsSpan(t * _dm, _dm);
        atoms.CopyRows(best, 1, q);
        for (int pass = 0; pass < 2; pass++)
            for (int u = 0; u < t; u++)
            {
                var qu = _q.AsSpan(u * _dm, _dm);
                double dot = TensorPrimitives.Dot(qu, q);
                TensorPrimitives.MultiplyAdd(qu, -dot, q, q);
                _r[u * _iterations + t] += dot;
            }
        double norm = TensorPrimitives.Norm((ReadOnlySpan<double>)q);
        if (norm <= SompChecks.DependenceTolerance)
        {
            // Already in the span of the selected atoms (a duplicate row, or every independent atom is taken):
            // it explains nothing more, gets coefficient 0, and the residual and EVR stay as they are.
            q.Clear();
            _evr[t] = _explained / _total;
            return;
        }
        _r[t * _iterations + t] = norm;
        TensorPrimitives.Divide(q, norm, q);

        var y = new double[_dh]; // W_O^T q [dh]
        for (int k = 0; k < _dm; k++) TensorPrimitives.MultiplyAdd(_wo.AsSpan(k * _dh, _dh), q[k], y, y);
        var s = _s.AsSpan(t * _n, _n);
        for (int i = 0; i < _n; i++) s[i] = TensorPrimitives.Dot(_zc.AsSpan(i * _dh, _dh), y);
        _explained += TensorPrimitives.Dot((ReadOnlySpan<double>)s, s);
        _evr[t] = _explained / _total;
    }

    /// <summary>||Hc q||^2 / ||Hc||^2 summed over orthonormal directions q (rows of basis [k, dm]); 0 for a zero-variance head.</summary>
    public double ExplainedFraction(double[] basis, int k)
    {
        if (ZeroVariance) return 0;
        var y = new double[_dh]; // W_O^T q [dh]
        double explained = 0;
        for (int u = 0; u < k; u++)
        {
            Array.Clear(y);
            for (int m = 0; m < _dm; m++) TensorPrimitives.MultiplyAdd(_wo.AsSpan(m * _dh, _dh), basis[u * _dm + m], y, y);
            for (int i = 0; i < _n; i++)
            {
                double si = TensorPrimitives.Dot(_zc.AsSpan(i * _dh, _dh), y);
                explained += si * si;
            }
        }
        return explained / _total;
    }

    public SompResult Result()
    {
        if (ZeroVariance) return SompResult.ZeroVariance(_iterations);
        return new SompResult([.. _selected], (double[])_evr.Clone(), SompResult.Coefficients(_s, _r, _n, _iterations));
    }
}
