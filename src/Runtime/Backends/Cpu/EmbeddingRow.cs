using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.Backends.Cpu;

/// <summary>Reads one row of a [rows, d] table in any float dtype as fp32.</summary>
static unsafe class EmbeddingRow
{
    public static void Read(TensorView table, int row, Span<float> dst)
    {
        int d = table.Shape[1];
        byte* p = table.Data + (long)row * d * DTypes.SizeOf(table.DType);
        switch (table.DType)
        {
            case DType.F32: new ReadOnlySpan<float>(p, d).CopyTo(dst); break;
            case DType.BF16: { var s = new ReadOnlySpan<ushort>(p, d); for (int i = 0; i < d; i++) dst[i] = HalfFloat.BF16ToSingle(s[i]); break; }
            case DType.F16: { var s = new ReadOnlySpan<ushort>(p, d); for (int i = 0; i < d; i++) dst[i] = HalfFloat.F16ToSingle(s[i]); break; }
            default: throw new ModelFormatException($"embedding table '{table.Name}' is {table.DType}; expected F32, BF16 or F16");
        }
    }
}
