using HeadPursuit.Kernels.Native;

namespace HeadPursuit.Kernels;

/// <summary>
/// What everything on one CUDA device shares: the device and its stream, the kernels (compiled by NVRTC with their
/// -D sizes, cached in memory here and on disk by <see cref="KernelCompiler"/>) and the cuBLAS handle bound to that
/// stream. The backend (<see cref="CudaBackend"/>) and the SOMP solver (<see cref="CudaSomp"/>) both work through it.
/// </summary>
internal sealed class CudaContext : IDisposable
{
    readonly KernelCompiler _compiler;
    readonly Dictionary<string, KernelFunction> _kernels = [];

    public CudaDevice Device { get; }
    /// <summary>The cuBLAS handle, on the device's stream.</summary>
    public IntPtr Cublas { get; }

    CudaContext(CudaDevice device, KernelCompiler compiler, IntPtr cublas) { Device = device; _compiler = compiler; Cublas = cublas; }

    /// <summary>Opens device <paramref name="ordinal"/>. Throws <see cref="CudaUnavailableException"/> when libcuda, NVRTC, cuBLAS or a device is missing.</summary>
    public static CudaContext Open(int ordinal = 0)
    {
        var device = CudaDevice.Open(ordinal);
        KernelCompiler? compiler = null;
        try
        {
            compiler = new KernelCompiler(device);
            NativeLibraryResolver.EnsureLoaded(Native.Cublas.Library);
            Native.Cublas.Check(Native.Cublas.cublasCreate(out IntPtr cublas), "cublasCreate");
            Native.Cublas.Check(Native.Cublas.cublasSetStream(cublas, device.Stream), "cublasSetStream");
            return new CudaContext(device, compiler, cublas);
        }
        catch
        {
            compiler?.Dispose();
            device.Dispose();
            throw;
        }
    }

    /// <summary>Kernel <paramref name="name"/> of kernels/<paramref name="file"/>, compiled once per set of <paramref name="defines"/>.</summary>
    public KernelFunction Kernel(string file, string name, IReadOnlyDictionary<string, int>? defines = null)
    {
        string key = defines == null ? $"{file}/{name}" : $"{file}/{name}/{string.Join(",", defines.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key}={d.Value}"))}";
        if (_kernels.TryGetValue(key, out var f)) return f;
        return _kernels[key] = _compiler.Function(file, name, defines);
    }

    public void Dispose()
    {
        Device.Synchronize();
        Native.Cublas.cublasDestroy(Cublas);
        _compiler.Dispose();
        Device.Dispose();
    }
}
