using System.Globalization;
using System.Numerics.Tensors;
using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Maths;

namespace HeadPursuit.Bench;

/// <summary>
/// The CPU row ops with their own SIMD lanes, one thread, for each SIMD family, against a baseline: the code they replaced.
/// LayerNorm and RMSNorm over 1024 rows of 768 / 1024 and the exact GELU over 1024 rows of 3072 against their plain
/// references; the tanh GELU and SiLU over 1024 rows of 3072, and their gated forms over 1024 rows of [gate | up]
/// [2 x 3072], against the TensorPrimitives sequences (with a scratch row) the CPU backend ran before. Interleaved
/// rounds, medians. Arguments: [rounds = 3].
/// </summary>
public sealed class RowOpBench : IBench
{
    public string Name => "rowops";
    public string Description => "norm and activation rows: each SIMD family against the code it replaced, ms per 1024 rows";

    public int Run(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        var rng = new Random(5);
        float[] Random(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
        const int rows = 1024;
        var families = CpuSimd.Available;
        (string Name, Action<int> Fast, Action<int> Reference)[] ops =
        [
            Norm("LayerNorm d 768", 768, bias: true),
            Norm("RMSNorm d 1024", 1024, bias: false),
            GeluRows(3072),
            Activate("tanh GELU d 3072 (baseline: TensorPrimitives)", Activation.GeluTanh, 3072, gated: false),
            Activate("SiLU d 3072 (baseline: TensorPrimitives)", Activation.Silu, 3072, gated: false),
            Activate("gated tanh GELU f 3072 (baseline: TensorPrimitives)", Activation.GeluTanh, 3072, gated: true),
            Activate("gated SiLU f 3072 (baseline: TensorPrimitives)", Activation.Silu, 3072, gated: true),
        ];
        Console.WriteLine($"load average before: {GemmBench.LoadAverage()}; 1 thread; medians of {rounds} interleaved rounds; ms per {rows} rows");
        Console.WriteLine($"| op | baseline ms | {string.Join(" | ", families.Select(f => $"{f} ms"))} | speed-up ({families[^1]}) |");
        Console.WriteLine("|---|---|" + string.Concat(Enumerable.Repeat("---|", families.Count + 1)));
        var saved = CpuSimd.Level;
        foreach (var (name, fast, reference) in ops)
        {
            List<double> plain = [];
            var timed = families.ToDictionary(f => f, _ => new List<double>());
            for (int round = 0; round < rounds; round++)
            {
                plain.Add(GemmBench.BestSeconds(() => { for (int r = 0; r < rows; r++) reference(r); }, 0.2));
                foreach (var family in families)
                {
                    CpuSimd.Level = family;
                    timed[family].Add(GemmBench.BestSeconds(() => { for (int r = 0; r < rows; r++) fast(r); }, 0.2));
                }
            }
            CpuSimd.Level = saved;
            double p = GemmBench.Median(plain);
            Console.WriteLine(FormattableString.Invariant($"| {name} | {1e3 * p:F2} | {string.Join(" | ", families.Select(f => (1e3 * GemmBench.Median(timed[f])).ToString("F2", CultureInfo.InvariantCulture)))} | {p / GemmBench.Median(timed[families[^1]]):F1}x |"));
        }
        Console.WriteLine($"load average after: {GemmBench.LoadAverage()}");
        return 0;

        (string, Action<int>, Action<int>) Norm(string name, int d, bool bias)
        {
            float[] x = Random(rows * d), y = new float[rows * d], w = Random(d), b = bias ? Random(d) : [];   // x, y [rows, d]
            return (name, r => NormRow.Apply(x.AsSpan(r * d, d), w, b, 1e-5f, y.AsSpan(r * d, d)),
                             r => NormRow.Reference(x.AsSpan(r * d, d), w, b, 1e-5f, y.AsSpan(r * d, d)));
        }

        (string, Action<int>, Action<int>) GeluRows(int d)
        {
            float[] x = Random(rows * d), y = new float[rows * d];   // [rows, d]
            return ("exact GELU d 3072 (baseline: plain double)", r => ActivationRow.Apply(Activation.GeluErf, x.AsSpan(r * d, d), y.AsSpan(r * d, d)),
                                                              r => { for (int i = r * d; i < (r + 1) * d; i++) y[i] = Gelu.Exact(x[i]); });
        }

        // y = act(x), or act(gate) * up from [gate | up] rows (out of place, so that every round sees the same inputs).
        (string, Action<int>, Action<int>) Activate(string name, Activation act, int d, bool gated)
        {
            int width = gated ? 2 * d : d;
            float[] x = Random(rows * width), y = new float[rows * d], scratch = new float[d];   // x [rows, width], y [rows, d]
            if (gated)
                return (name, r => ActivationRow.ApplyGated(act, x.AsSpan(r * width, d), x.AsSpan(r * width + d, d), y.AsSpan(r * d, d)),
                              r => { var o = y.AsSpan(r * d, d); TensorPrimitivesRow(act, x.AsSpan(r * width, d), o, scratch); TensorPrimitives.Multiply(o, x.AsSpan(r * width + d, d), o); });
            return (name, r => ActivationRow.Apply(act, x.AsSpan(r * d, d), y.AsSpan(r * d, d)),
                          r => TensorPrimitivesRow(act, x.AsSpan(r * d, d), y.AsSpan(r * d, d), scratch));
        }
    }

    /// <summary>The CPU backend's activation rows before they had their own lanes: TensorPrimitives calls and a scratch row [d].</summary>
    static void TensorPrimitivesRow(Activation act, ReadOnlySpan<float> x, Span<float> y, Span<float> t)
    {
        if (act == Activation.Silu)
        {
            TensorPrimitives.Sigmoid(x, t);
            TensorPrimitives.Multiply(t, x, y);
            return;
        }
        TensorPrimitives.Multiply(x, x, t);              // 0.5 x (1 + tanh(c (x + 0.044715 x^3)))
        TensorPrimitives.Multiply(t, 0.044715f, t);
        TensorPrimitives.Add(t, 1f, t);
        TensorPrimitives.Multiply(t, x, t);
        TensorPrimitives.Multiply(t, 0.7978845608028654f, t);
        TensorPrimitives.Tanh(t, t);
        TensorPrimitives.Add(t, 1f, t);
        TensorPrimitives.Multiply(t, x, y);
        TensorPrimitives.Multiply(y, 0.5f, y);
    }
}
