using System.Runtime.InteropServices;

namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// The native VDPBF16PS kernels (src/Runtime/Native/bf16_gemm.c, built by the Runtime project with clang-19 into
/// libheadpursuit-bf16.so beside the assembly), loaded once with NativeLibrary. Absent (no clang at build time, not
/// Linux x64) or unusable (the CPU lacks AVX512-BF16, or the runtime was told to hide AVX-512): the managed twin runs.
/// </summary>
internal static unsafe class NativeBf16Kernels
{
    public const string LibraryName = "libheadpursuit-bf16.so";

    /// <summary>(x, ldx, rows, kc, dst): 6 rows of x rounded to bf16 pairs, [ceil(kp / 16)][6][16] (<see cref="PackedBf16Input"/>).</summary>
    public static readonly delegate* unmanaged<float*, long, int, int, uint*, void> PackA;
    /// <summary>(w, outIn, ld, kc, cols, dst): a bf16 weight block as pairs, [kp][64].</summary>
    public static readonly delegate* unmanaged<ushort*, int, long, int, int, uint*, void> PackB;
    /// <summary>(kp, a, rows, b, cols, c, ldc): C[rows, cols] += A B.</summary>
    public static readonly delegate* unmanaged<int, uint*, int, uint*, int, float*, long, void> Block;

    /// <summary>Whether the kernels can run here.</summary>
    public static bool IsAvailable { get; }

    /// <summary>What was found, in words (benchmarks print it).</summary>
    public static string Status { get; }

    static NativeBf16Kernels()
    {
        string path = Path.Combine(AppContext.BaseDirectory, LibraryName);
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            Status = $"no native kernels on {RuntimeInformation.OSDescription} {RuntimeInformation.ProcessArchitecture}";
        else if (!NativeLibrary.TryLoad(path, out nint library))
            Status = $"{path} is absent or does not load (built only where clang-19 is installed)";
        else if (CpuSimd.Best != SimdLevel.Avx512)
            Status = $"{path} loaded, but AVX-512 is unavailable to this process (CPU or DOTNET_EnableAVX512)";
        else if (((delegate* unmanaged<int>)NativeLibrary.GetExport(library, "hp_bf16_supported"))() == 0)
            Status = $"{path} loaded, but this CPU lacks AVX512-BF16";
        else
        {
            PackA = (delegate* unmanaged<float*, long, int, int, uint*, void>)NativeLibrary.GetExport(library, "hp_bf16_pack_a");
            PackB = (delegate* unmanaged<ushort*, int, long, int, int, uint*, void>)NativeLibrary.GetExport(library, "hp_bf16_pack_b");
            Block = (delegate* unmanaged<int, uint*, int, uint*, int, float*, long, void>)NativeLibrary.GetExport(library, "hp_bf16_block");
            IsAvailable = true;
            Status = $"native VDPBF16PS kernels ({path})";
        }
    }
}
