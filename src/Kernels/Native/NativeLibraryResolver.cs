using System.Reflection;
using System.Runtime.InteropServices;

namespace HeadPursuit.Kernels.Native;

/// <summary>
/// Finds the CUDA shared libraries for the [LibraryImport] declarations, which name them by the logical names
/// "cuda", "nvrtc" and "cublas". Each logical name has versioned file names (newest first, then unversioned);
/// every name is tried first in the directories of HEADPURSUIT_CUDA_LIB_DIR (a ':'-separated list, e.g. the
/// nvidia/*/lib folders of a PyTorch install), then by the system loader's own search.
/// </summary>
internal static class NativeLibraryResolver
{
    public const string DirectoryVariable = "HEADPURSUIT_CUDA_LIB_DIR";

    /// <summary>The file names tried for each logical library, in order.</summary>
    public static IReadOnlyList<string> FileNames(string library) => library switch
    {
        CudaDriver.Library => ["libcuda.so.1", "libcuda.so"],
        Nvrtc.Library => ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"],
        Cublas.Library => ["libcublas.so.13", "libcublas.so.12", "libcublas.so"],
        _ => throw new ArgumentException($"unknown CUDA library '{library}' (known: {CudaDriver.Library}, {Nvrtc.Library}, {Cublas.Library})", nameof(library)),
    };

    /// <summary>
    /// Every candidate in the order tried: each directory of <paramref name="directories"/> (':'-separated,
    /// empty entries ignored) joined with each file name, then each bare file name (the system search).
    /// </summary>
    public static IReadOnlyList<string> Candidates(string library, string? directories)
    {
        var names = FileNames(library);
        var list = new List<string>();
        foreach (string dir in (directories ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            foreach (string name in names) list.Add(Path.Combine(dir, name));
        list.AddRange(names);
        return list;
    }

    /// <summary>
    /// Loads the first candidate that loads, or throws <see cref="CudaUnavailableException"/> naming every candidate.
    /// A cuBLAS found in a directory gets its companion libcublasLt (same suffix, same directory) loaded first, since
    /// the loader does not look in that directory for it by itself.
    /// </summary>
    public static IntPtr Load(string library, string? directories)
    {
        var tried = Candidates(library, directories);
        foreach (string candidate in tried)
        {
            if (library == Cublas.Library && Path.GetDirectoryName(candidate) is { Length: > 0 } dir)
                NativeLibrary.TryLoad(Path.Combine(dir, Path.GetFileName(candidate).Replace("libcublas", "libcublasLt")), out _);
            if (NativeLibrary.TryLoad(candidate, out IntPtr handle)) return handle;
        }
        throw new CudaUnavailableException(NotFoundMessage(library, directories, tried));
    }

    public static string NotFoundMessage(string library, string? directories, IReadOnlyList<string> tried) =>
        $"the CUDA library '{library}' could not be loaded; tried: {string.Join(", ", tried)} " +
        $"({DirectoryVariable} = {(string.IsNullOrWhiteSpace(directories) ? "(not set)" : directories)}; " +
        $"set it to the folder holding {FileNames(library)[0]})";

    static readonly Dictionary<string, IntPtr> s_loaded = [];
    static int s_installed;

    /// <summary>
    /// Loads <paramref name="library"/> (once) from HEADPURSUIT_CUDA_LIB_DIR or the system, or throws
    /// <see cref="CudaUnavailableException"/>. Call before the first P/Invoke into that library: the import resolver
    /// then hands out this handle.
    /// </summary>
    public static void EnsureLoaded(string library)
    {
        if (Interlocked.Exchange(ref s_installed, 1) == 0)
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);
        lock (s_loaded)
            if (!s_loaded.ContainsKey(library))
                s_loaded[library] = Load(library, Environment.GetEnvironmentVariable(DirectoryVariable));
    }

    /// <summary>The import resolver: the handle <see cref="EnsureLoaded"/> stored, or zero (the runtime then reports the library as missing).</summary>
    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        lock (s_loaded)
            return s_loaded.TryGetValue(name, out IntPtr handle) ? handle : IntPtr.Zero;
    }
}
