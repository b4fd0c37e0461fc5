using System.Numerics.Tensors;

namespace HeadPursuit.Runtime.Cpu;

/// <summary>The start of a blocked matmul's column block: the kernels then add x·W into it.</summary>
internal static unsafe class OutputColumns
{
    /// <summary>y[:, j0..j1] = bias (or 0), or += bias when accumulating (y [m, n] row-major, bias [n] or null).</summary>
    public static void Initialize(float* y, int m, int n, float* bias, bool accumulate, int j0, int j1)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(y + (long)i * n + j0, j1 - j0);
            if (bias == null)
            {
                if (!accumulate) row.Clear();
            }
            else
            {
                var b = new ReadOnlySpan<float>(bias + j0, j1 - j0);
                if (accumulate)
                    TensorPrimitives.Add(row, b, row);
                else
                    b.CopyTo(row);
            }
        }
    }
}
