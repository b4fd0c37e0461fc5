using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HeadPursuit.Kernels.Native;

namespace HeadPursuit.Kernels.Emulated.Tests;

/// <summary>
/// Points the CUDA backend of this test process at the CPU emulator of tests/CudaEmulator (built beside the test
/// assembly) and at a fresh kernel cache, before any test runs. Every CudaBackend here then runs our host code
/// and our kernels on the CPU: what the CPU backend computes, the CUDA code path must compute too.
/// </summary>
static unsafe class Emulator
{
    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "cuda-emulator");

    [ModuleInitializer]
    internal static void Install()
    {
        if (!File.Exists(Path.Combine(Folder, "libcuda.so.1")))
            throw new FileNotFoundException($"the CUDA emulator was not built into {Folder} (tests/CudaEmulator/build.sh, run by the build)");
        Environment.SetEnvironmentVariable(NativeLibraryResolver.DirectoryVariable, Folder);
        string cache = Path.Combine(Path.GetTempPath(), $"headpursuit-emulated-kernels-{Environment.ProcessId}");
        Environment.SetEnvironmentVariable("HEADPURSUIT_KERNEL_CACHE", cache);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true);
        };
    }

    /// <summary>A CUDA backend on the emulator (asserting that it is the emulator, not a GPU of this machine).</summary>
    public static CudaBackend Backend()
    {
        var backend = new CudaBackend();
        Assert.Contains("emulator", backend.Name);
        return backend;
    }

    /// <summary>How many device allocations of this process are live (the emulator counts cuMemAlloc against cuMemFree).</summary>
    public static long LiveAllocations()
    {
        var library = NativeLibrary.Load(Path.Combine(Folder, "libcuda.so.1"));
        return ((delegate* unmanaged<long>)NativeLibrary.GetExport(library, "emu_live_allocations"))();
    }

    /// <summary>
    /// Runs <paramref name="action"/> with every block's threads scheduled last to first instead of first to last: a
    /// kernel that reads shared memory written by another thread without a barrier in between fails one way or the other.
    /// </summary>
    public static void InReverseThreadOrder(Action action)
    {
        var library = NativeLibrary.Load(Path.Combine(Folder, "libcuda.so.1"));
        var reverse = (delegate* unmanaged<int, void>)NativeLibrary.GetExport(library, "emu_schedule_reverse");
        reverse(1);
        try { action(); }
        finally { reverse(0); }
    }
}
