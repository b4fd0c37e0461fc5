namespace HeadPursuit.Somp.Tests;

/// <summary>The fast kernels of SompFast against plain loops.</summary>
public class KernelTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(4, 8, 8)]
    [InlineData(7, 13, 11)]
    [InlineData(64, 48, 100)]
    [InlineData(19, 30, 41)]
    public void Float64GemmEqualsTripleLoop(int m, int k, int n)
    {
        var rng = new Random(m * 10000 + k * 100 + n);
        double[] a = [.. RandomProblem.Gaussian(rng, m * k).Select(x => (double)x)];
        double[] b = [.. RandomProblem.Gaussian(rng, k * n).Select(x => (double)x)];
        var expected = new double[m * n];   // one FMA chain over k per element, as the tiles do
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++) expected[i * n + j] = Math.FusedMultiplyAdd(a[i * k + p], b[p * n + j], expected[i * n + j]);
        foreach (bool wide in System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? new[] { false, true } : [false])
        {
            var c = new double[m * n];
            Float64Gemm.Multiply(a, b, c, m, k, n, wide);
            Assert.Equal(expected, c);   // both tile widths give the plain loop's bits
        }
    }

    [Theory]
    [InlineData(5, true)]
    [InlineData(64, true)]
    [InlineData(67, false)]
    public void AtomRowDotEqualsPlainDot(int dim, bool normalize)
    {
        var rng = new Random(dim);
        var set = new AtomSet(RandomProblem.Gaussian(rng, 3 * dim), 3, dim);
        var atoms = new AtomRows(set, normalize);
        double[] q = [.. RandomProblem.Gaussian(rng, dim).Select(x => (double)x)];
        for (int j = 0; j < 3; j++)
        {
            double norm = normalize ? Math.Sqrt(set.Rows.Skip(j * dim).Take(dim).Sum(x => (double)x * x)) : 1;
            double expected = 0;
            for (int m = 0; m < dim; m++) expected += set.Rows[j * dim + m] / norm * q[m];
            Close.All([expected], [atoms.Dot(j, q)], 1e-13, 1e-14, $"row {j}");
        }
    }
}
