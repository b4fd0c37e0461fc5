using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// Reads weight elements stored in one file dtype as float32. The kernels are generic over a struct that
/// implements this, so the JIT compiles one specialized copy per dtype and the conversion inlines into
/// the inner loop (weights stay in their file dtype in memory and are widened in registers).
/// </summary>
internal unsafe interface IWeightElement
{
    /// <summary>Bytes per stored element.</summary>
    static abstract int Size { get; }
    /// <summary>Element <paramref name="i"/> of the array at <paramref name="p"/>, as float32.</summary>
    static abstract float Load1(byte* p, nint i);
    /// <summary>Elements i .. i+7 as float32 (needs AVX2; the kernels that call it check).</summary>
    static abstract Vector256<float> Load8(byte* p, nint i);
    /// <summary>Elements i .. i+15 as float32 (needs AVX-512; the kernels that call it check).</summary>
    static abstract Vector512<float> Load16(byte* p, nint i);
}

internal unsafe struct F32Element : IWeightElement
{
    public static int Size => 4;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load1(byte* p, nint i) => ((float*)p)[i];
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load8(byte* p, nint i) => Vector256.Load((float*)p + i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load16(byte* p, nint i) => Vector512.Load((float*)p + i);
}

/// <summary>bfloat16: the top 16 bits of a float32, so widening is a zero-extend and a shift.</summary>
internal unsafe struct BF16Element : IWeightElement
{
    public static int Size => 2;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load1(byte* p, nint i) => HalfFloat.BF16ToSingle(((ushort*)p)[i]);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load8(byte* p, nint i) =>
        Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32((ushort*)p + i), 16).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load16(byte* p, nint i) =>
        Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512Int32(Vector256.Load((ushort*)p + i)), 16).AsSingle();
}

/// <summary>
/// IEEE half. Widening in SIMD: move the 15 exponent+mantissa bits up by 13 so they line up with a float32's,
/// then multiply by 2^112 to change the exponent bias from 15 to 127 (exact, and right for subnormals too);
/// an all-ones half exponent (inf, NaN) gets an all-ones float exponent, a NaN also the quiet bit (as the
/// hardware conversion and <see cref="Half"/> do); the sign bit is moved up by 16.
/// </summary>
internal unsafe struct F16Element : IWeightElement
{
    const float TwoPow112 = 5.192296858534828e33f;   // 2^112, exactly representable

    public static int Size => 2;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load1(byte* p, nint i) => HalfFloat.F16ToSingle(((ushort*)p)[i]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load8(byte* p, nint i)
    {
        Vector256<int> h = Avx2.ConvertToVector256Int32((ushort*)p + i);
        Vector256<int> magnitude = h & Vector256.Create(0x7FFF);
        Vector256<float> value = (magnitude << 13).AsSingle() * Vector256.Create(TwoPow112);
        Vector256<int> infOrNaN = Vector256.GreaterThan(magnitude, Vector256.Create(0x7BFF)) & Vector256.Create(0x7F800000);
        Vector256<int> quietNaN = Vector256.GreaterThan(magnitude, Vector256.Create(0x7C00)) & Vector256.Create(0x00400000);
        Vector256<int> sign = (h & Vector256.Create(0x8000)) << 16;
        return (value.AsInt32() | infOrNaN | quietNaN | sign).AsSingle();
    }

    /// <summary>Two <see cref="Load8"/> widenings side by side (F16 weights are rare; BF16 and F32 have their own 16-lane loads).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load16(byte* p, nint i) => Vector512.Create(Load8(p, i), Load8(p, i + 8));
}
