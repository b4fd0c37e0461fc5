using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// A read-only weight matrix in its file dtype (F32, BF16 or F16), usually a view into a memory-mapped
/// safetensors file (which must stay open while this is used). Logically it maps In inputs to Out outputs.
/// </summary>
internal sealed unsafe class WeightMatrix
{
    public TensorView View { get; }
    public WeightLayout Layout { get; }
    public DType DType => View.DType;
    /// <summary>Input features (the k of a matmul).</summary>
    public int In { get; }
    /// <summary>Output features (the n of a matmul).</summary>
    public int Out { get; }

    /// <summary>The first stored element.</summary>
    internal byte* Data => View.Data;

    /// <summary>Keeps a managed array alive (and pinned) for matrices built from floats.</summary>
    readonly float[]? _owned;

    public WeightMatrix(TensorView view, WeightLayout layout)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (view.Rank != 2)
            throw new ModelFormatException($"tensor '{view.Name}' in {view.Source} has shape {view.ShapeText}, expected a rank-2 weight matrix");
        if (view.DType is not (DType.F32 or DType.BF16 or DType.F16))
            throw new ModelFormatException($"tensor '{view.Name}' in {view.Source} is {view.DType}, expected F32, BF16 or F16 for a weight matrix");
        if (view.Shape[0] == 0 || view.Shape[1] == 0)
            throw new ModelFormatException($"tensor '{view.Name}' in {view.Source} has shape {view.ShapeText}, a weight matrix needs both sides non-empty");
        if (!Enum.IsDefined(layout)) throw new ArgumentOutOfRangeException(nameof(layout), layout, "unknown weight layout");
        View = view;
        Layout = layout;
        (Out, In) = layout == WeightLayout.OutIn ? (view.Shape[0], view.Shape[1]) : (view.Shape[1], view.Shape[0]);
    }

    /// <summary>An F32 matrix over a copy of <paramref name="values"/>, stored as [<paramref name="rows"/>, <paramref name="cols"/>] in <paramref name="layout"/>.</summary>
    public static WeightMatrix FromFloats(string name, ReadOnlySpan<float> values, int rows, int cols, WeightLayout layout)
    {
        if ((long)rows * cols != values.Length)
            throw new ArgumentException($"weight '{name}': [{rows}, {cols}] needs {(long)rows * cols} values, got {values.Length}", nameof(values));
        float[] owned = GC.AllocateUninitializedArray<float>(values.Length, pinned: true);
        values.CopyTo(owned);
        fixed (float* p = owned)
            return new WeightMatrix(new TensorView(name, DType.F32, [rows, cols], (byte*)p, "memory"), layout, owned);
    }

    WeightMatrix(TensorView view, WeightLayout layout, float[] owned) : this(view, layout) => _owned = owned;

    /// <summary>Element (input p, output j) as float32: W[p, j] for InOut, W[j, p] for OutIn.</summary>
    public float this[int p, int j]
    {
        get
        {
            if ((uint)p >= (uint)In) throw new ArgumentOutOfRangeException(nameof(p));
            if ((uint)j >= (uint)Out) throw new ArgumentOutOfRangeException(nameof(j));
            long index = Layout == WeightLayout.InOut ? (long)p * Out + j : (long)j * In + p;
            return DType switch
            {
                DType.F32 => ((float*)Data)[index],
                DType.BF16 => HalfFloat.BF16ToSingle(((ushort*)Data)[index]),
                _ => HalfFloat.F16ToSingle(((ushort*)Data)[index]),
            };
        }
    }

    public override string ToString() => $"{View.Name} {DType} {View.ShapeText} {Layout} (in {In}, out {Out})";
}
