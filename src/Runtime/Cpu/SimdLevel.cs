using System.Runtime.Intrinsics.X86;

namespace HeadPursuit.Runtime.Cpu;

/// <summary>The kernel families of the CPU matrix multiply, narrowest first.</summary>
internal enum SimdLevel
{
    /// <summary>Plain C# (MathF.FusedMultiplyAdd): any CPU, and the slow twin the vector kernels are tested against.</summary>
    Scalar,
    /// <summary>256-bit AVX2 + FMA.</summary>
    Avx2,
    /// <summary>512-bit AVX-512 (F, BW, VL) + FMA.</summary>
    Avx512,
}

/// <summary>
/// Which kernel family the CPU matrix multiply runs: the widest the CPU (and the .NET runtime) allows, chosen at run
/// time. Every family does the same fused multiply-adds in the same order for each output, so they give the same
/// results bit for bit (tested); a narrower one can be forced to test or time it. The .NET runtime's own switches
/// hide an ISA from the whole process (DOTNET_EnableAVX512=0 turns AVX-512 off, DOTNET_EnableAVX2=0 AVX2).
/// </summary>
internal static class CpuSimd
{
    /// <summary>The widest family this process can run.</summary>
    public static SimdLevel Best { get; } =
        Avx512F.IsSupported && Avx512BW.IsSupported && Avx512F.VL.IsSupported && Fma.IsSupported ? SimdLevel.Avx512
        : Avx2.IsSupported && Fma.IsSupported ? SimdLevel.Avx2
        : SimdLevel.Scalar;

    static SimdLevel _level = Best;

    /// <summary>The family the kernels run (default <see cref="Best"/>); lower it to force a narrower one. Set it at startup.</summary>
    public static SimdLevel Level
    {
        get => _level;
        set
        {
            if (!Enum.IsDefined(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "unknown SIMD level");
            if (value > Best)
                throw new ArgumentOutOfRangeException(nameof(value), value, $"this CPU (or the runtime's DOTNET_Enable* switches) allows at most {Best}");
            _level = value;
        }
    }

    /// <summary>All families this process can run, narrowest first (tests run each).</summary>
    public static IReadOnlyList<SimdLevel> Available => [.. Enum.GetValues<SimdLevel>().Where(l => l <= Best)];
}
