
namespace HeadPursuit.Runtime.Tensors;

/// <summary>
/// A read-only, typed window onto raw little-endian C-order bytes: usually a tensor inside a
/// memory-mapped safetensors file, valid while that file is open. Nothing is copied until one of the
/// To* methods is called.
/// </summary>
internal sealed unsafe class TensorView
{
    public string Name { get; }
    public DType DType { get; }
    public int[] Shape { get; }
    public long ElementCount { get; }
    /// <summary>Where the elements start (owned by whoever mapped the file).</summary>
    public byte* Data { get; }
    /// <summary>The file this view came from, for error messages.</summary>
    public string Source { get; }

    /// <summary>Keeps a managed buffer that <see cref="Data"/> points into alive (null for mapped files).</summary>
    internal object? Owner { get; }

    public TensorView(string name, DType dtype, int[] shape, byte* data, string source, object? owner = null)
    {
        Name = name; DType = dtype; Shape = shape; Data = data; Source = source; Owner = owner;
        ElementCount = ElementCountOf(shape);
    }

    public static long ElementCountOf(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape) n *= d;
        return n;
    }

    public long ByteLength => ElementCount * DTypes.SizeOf(DType);
    public int Rank => Shape.Length;
    public ReadOnlySpan<byte> Bytes => new(Data, checked((int)ByteLength));

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    /// <summary>Throws a <see cref="ModelFormatException"/> naming the tensor unless its shape is exactly <paramref name="expected"/>.</summary>
    public TensorView ExpectShape(params int[] expected)
    {
        if (!Shape.AsSpan().SequenceEqual(expected))
            throw new ModelFormatException(
                $"tensor '{Name}' in {Source} has shape {ShapeText}, expected [{string.Join(", ", expected)}]");
        return this;
    }

    /// <summary>Converts any floating dtype to float32 into <paramref name="dst"/> (length = ElementCount).</summary>
    public void CopyTo(Span<float> dst)
    {
        if (dst.Length != ElementCount) throw new ArgumentException($"destination holds {dst.Length} floats, tensor '{Name}' has {ElementCount}");
        int n = dst.Length;
        switch (DType)
        {
            case DType.F32: new ReadOnlySpan<float>(Data, n).CopyTo(dst); break;
            case DType.F64: { var s = new ReadOnlySpan<double>(Data, n); for (int i = 0; i < n; i++) dst[i] = (float)s[i]; break; }
            case DType.BF16: { var s = new ReadOnlySpan<ushort>(Data, n); for (int i = 0; i < n; i++) dst[i] = HalfFloat.BF16ToSingle(s[i]); break; }
            case DType.F16: { var s = new ReadOnlySpan<ushort>(Data, n); for (int i = 0; i < n; i++) dst[i] = HalfFloat.F16ToSingle(s[i]); break; }
            default: throw new ModelFormatException($"tensor '{Name}' in {Source} is {DType}, expected a floating-point dtype");
        }
    }

    public float[] ToFloatArray()
    {
        var a = new float[ElementCount];
        CopyTo(a);
        return a;
    }

    public double[] ToDoubleArray()
    {
        if (DType == DType.F64) return new ReadOnlySpan<double>(Data, checked((int)ElementCount)).ToArray();
        var f = ToFloatArray();
        return Array.ConvertAll(f, x => (double)x);
    }

    public long[] ToInt64Array()
    {
        int n = checked((int)ElementCount);
        return DType switch
        {
            DType.I64 => new ReadOnlySpan<long>(Data, n).ToArray(),
            DType.I32 => Array.ConvertAll(new ReadOnlySpan<int>(Data, n).ToArray(), x => (long)x),
            DType.U8 => Array.ConvertAll(new ReadOnlySpan<byte>(Data, n).ToArray(), x => (long)x),
            _ => throw new ModelFormatException($"tensor '{Name}' in {Source} is {DType}, expected an integer dtype"),
        };
    }

    public byte[] ToByteArray() => Bytes.ToArray();
}
