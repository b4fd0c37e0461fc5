namespace HeadPursuit.Runtime.Tensors;

/// <summary>Element types found in safetensors files (the names are the safetensors spellings).</summary>
internal enum DType { F32, F16, BF16, F64, I32, I64, U8 }

internal static class DTypes
{
    public static int SizeOf(DType t) => t switch
    {
        DType.F32 or DType.I32 => 4,
        DType.F16 or DType.BF16 => 2,
        DType.F64 or DType.I64 => 8,
        DType.U8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static bool TryParse(string s, out DType t) => Enum.TryParse(s, ignoreCase: false, out t) && Enum.IsDefined(t);

    public static string Supported => string.Join(", ", Enum.GetNames<DType>());
}
