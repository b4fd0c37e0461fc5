using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Kernels.Tests;

public class GemmPlanTests
{
    [Theory]
    [InlineData(nameof(WeightLayout.OutIn), 3, 5, 4)]
    [InlineData(nameof(WeightLayout.InOut), 3, 5, 4)]
    [InlineData(nameof(WeightLayout.OutIn), 1, 7, 2)]
    [InlineData(nameof(WeightLayout.InOut), 6, 2, 9)]
    public void Column_major_plan_computes_the_row_major_product(string layoutName, int rows, int inDim, int outDim)
    {
        var layout = Enum.Parse<WeightLayout>(layoutName);
        var rng = new Random(rows * 100 + inDim * 10 + outDim);
        var x = Enumerable.Range(0, rows * inDim).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();     // [rows, in]
        var w = Enumerable.Range(0, inDim * outDim).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();   // [out, in] or [in, out]
        var expected = new float[rows * outDim];   // [rows, out] = x W^T (OutIn) or x W (InOut)
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outDim; o++)
            {
                double s = 0;
                for (int i = 0; i < inDim; i++) s += (double)x[r * inDim + i] * (layout == WeightLayout.OutIn ? w[o * inDim + i] : w[i * outDim + o]);
                expected[r * outDim + o] = (float)s;
            }
        var plan = GemmPlan.For(layout, rows, inDim, outDim);
        var y = new float[rows * outDim];
        plan.Reference(w, x, y);
        Assert.Equal(expected, y);
    }
}
