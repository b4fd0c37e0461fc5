using System.Runtime.CompilerServices;

namespace HeadPursuit.Runtime.Tensors;

/// <summary>Scalar conversions between the 16-bit float formats and float32.</summary>
internal static class HalfFloat
{
    /// <summary>bfloat16 is the top half of a float32: widening is a shift.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float BF16ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>float32 to bfloat16 with round-to-nearest-even (as PyTorch's .to(torch.bfloat16)).</summary>
    public static ushort SingleToBF16(float f)
    {
        uint u = BitConverter.SingleToUInt32Bits(f);
        if (float.IsNaN(f)) return (ushort)((u >> 16) | 0x40);
        uint rounding = 0x7FFF + ((u >> 16) & 1);
        return (ushort)((u + rounding) >> 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F16ToSingle(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    public static ushort SingleToF16(float f) => BitConverter.HalfToUInt16Bits((Half)f);
}
