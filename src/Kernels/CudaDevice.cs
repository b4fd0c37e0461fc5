using System.Runtime.InteropServices;
using HeadPursuit.Kernels.Native;

namespace HeadPursuit.Kernels;

/// <summary>
/// One CUDA device (ordinal 0 by default) with its primary context made current and one stream that every copy,
/// kernel and cuBLAS call of this process is queued on, so work runs in the order it is issued.
/// </summary>
internal sealed unsafe class CudaDevice : IDisposable
{
    readonly int _ordinal;
    readonly IntPtr _context;
    bool _disposed;

    public string Name { get; }
    public int Major { get; }
    public int Minor { get; }
    public int Multiprocessors { get; }
    public long TotalMemory { get; }
    /// <summary>The NVRTC/ptxas architecture name, e.g. "sm_90".</summary>
    public string Arch => $"sm_{Major}{Minor}";
    internal IntPtr Stream { get; }

    CudaDevice(int ordinal)
    {
        _ordinal = ordinal;
        NativeLibraryResolver.EnsureLoaded(CudaDriver.Library);
        int status = CudaDriver.cuInit(0);
        if (status == 100) throw new CudaUnavailableException("no CUDA device: cuInit reports CUDA_ERROR_NO_DEVICE (100)");
        CudaDriver.Check(status, "cuInit");
        CudaDriver.Check(CudaDriver.cuDeviceGetCount(out int count), "cuDeviceGetCount");
        if (count <= ordinal) throw new CudaUnavailableException($"no CUDA device {ordinal}: the driver sees {count} device(s)");
        CudaDriver.Check(CudaDriver.cuDeviceGet(out int device, ordinal), "cuDeviceGet");
        Major = Attribute(device, CudaDriver.AttributeComputeCapabilityMajor);
        Minor = Attribute(device, CudaDriver.AttributeComputeCapabilityMinor);
        Multiprocessors = Attribute(device, CudaDriver.AttributeMultiprocessorCount);
        byte* name = stackalloc byte[256];
        CudaDriver.Check(CudaDriver.cuDeviceGetName(name, 256, device), "cuDeviceGetName");
        Name = Marshal.PtrToStringUTF8((IntPtr)name) ?? "?";
        CudaDriver.Check(CudaDriver.cuDeviceTotalMem(out nuint total, device), "cuDeviceTotalMem");
        TotalMemory = (long)total;
        CudaDriver.Check(CudaDriver.cuDevicePrimaryCtxRetain(out _context, device), "cuDevicePrimaryCtxRetain");
        CudaDriver.Check(CudaDriver.cuCtxSetCurrent(_context), "cuCtxSetCurrent");
        CudaDriver.Check(CudaDriver.cuStreamCreate(out IntPtr stream, 0), "cuStreamCreate");
        Stream = stream;
    }

    /// <summary>Opens device <paramref name="ordinal"/>; throws <see cref="CudaUnavailableException"/> when libcuda or the device is missing.</summary>
    public static CudaDevice Open(int ordinal = 0) => new(ordinal);

    static int Attribute(int device, int attribute)
    {
        CudaDriver.Check(CudaDriver.cuDeviceGetAttribute(out int value, attribute, device), $"cuDeviceGetAttribute({attribute})");
        return value;
    }

    public override string ToString() => $"{Name} ({Arch}, {Multiprocessors} SMs, {TotalMemory / (1 << 20)} MiB)";

    /// <summary>A zero-filled device buffer of <paramref name="bytes"/> bytes.</summary>
    public DeviceBuffer Allocate(long bytes)
    {
        var buffer = new DeviceBuffer(Math.Max(bytes, 4));
        CudaDriver.Check(CudaDriver.cuMemsetD8Async(buffer.Address, 0, (nuint)buffer.Bytes, Stream), "cuMemsetD8Async");
        return buffer;
    }

    /// <summary>Copies host values into the buffer starting at byte <paramref name="offsetBytes"/> (queued on the stream; the host span may be reused at once).</summary>
    public void Upload<T>(ReadOnlySpan<T> src, DeviceBuffer dst, long offsetBytes = 0) where T : unmanaged
    {
        long bytes = (long)src.Length * sizeof(T);
        if (offsetBytes < 0 || offsetBytes + bytes > dst.Bytes)
            throw new ArgumentException($"upload of {bytes} bytes at offset {offsetBytes} overruns a device buffer of {dst.Bytes} bytes");
        if (bytes == 0) return;
        fixed (T* p = src)
            CudaDriver.Check(CudaDriver.cuMemcpyHtoDAsync(dst.Address + (ulong)offsetBytes, p, (nuint)bytes, Stream), "cuMemcpyHtoDAsync");
    }

    /// <summary>Copies device values to the host and waits for them (and for all work queued before).</summary>
    public void Download<T>(DeviceBuffer src, Span<T> dst, long offsetBytes = 0) where T : unmanaged
    {
        long bytes = (long)dst.Length * sizeof(T);
        if (offsetBytes < 0 || offsetBytes + bytes > src.Bytes)
            throw new ArgumentException($"download of {bytes} bytes at offset {offsetBytes} overruns a device buffer of {src.Bytes} bytes");
        if (bytes > 0)
            fixed (T* p = dst)
                CudaDriver.Check(CudaDriver.cuMemcpyDtoHAsync(p, src.Address + (ulong)offsetBytes, (nuint)bytes, Stream), "cuMemcpyDtoHAsync");
        Synchronize();
    }

    /// <summary>Waits for everything queued on the stream; a kernel fault surfaces here.</summary>
    public void Synchronize() => CudaDriver.Check(CudaDriver.cuStreamSynchronize(Stream), "cuStreamSynchronize");

    /// <summary>Queues <paramref name="function"/> on the stream with a grid of blocks of <paramref name="block"/> threads.</summary>
    public void Launch(KernelFunction function, Dim3 grid, int block, int sharedBytes, params ReadOnlySpan<KernelArg> args)
    {
        long* values = stackalloc long[args.Length];      // [args]: each argument's bytes, little-endian in 8 bytes
        void** pointers = stackalloc void*[args.Length];  // [args]: &values[i], what cuLaunchKernel reads
        for (int i = 0; i < args.Length; i++) { values[i] = args[i].Bits; pointers[i] = &values[i]; }
        int status = CudaDriver.cuLaunchKernel(function.Handle, (uint)grid.X, (uint)grid.Y, (uint)grid.Z, (uint)block, 1, 1,
                                               (uint)sharedBytes, Stream, pointers, null);
        CudaDriver.Check(status, $"cuLaunchKernel({function.Name}, grid {grid}, block {block})");
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        CudaDriver.cuStreamSynchronize(Stream);
        CudaDriver.cuStreamDestroy(Stream);
        CudaDriver.cuDevicePrimaryCtxRelease(_ordinal);
    }
}

/// <summary>A launch grid size.</summary>
internal readonly record struct Dim3(int X, int Y = 1, int Z = 1)
{
    public override string ToString() => $"({X}, {Y}, {Z})";
}

/// <summary>A kernel found in a loaded module, with its name for error messages.</summary>
internal sealed record KernelFunction(string Name, IntPtr Handle);

/// <summary>
/// One kernel argument as the 8 bytes cuLaunchKernel copies from: a device address, an int, a long long or a float.
/// A long needs its own conversion: without it C# would convert a long to float and pass its float bits.
/// </summary>
internal readonly struct KernelArg
{
    public long Bits { get; }
    KernelArg(long bits) { Bits = bits; }
    public static implicit operator KernelArg(int v) => new((uint)v);
    public static implicit operator KernelArg(long v) => new(v);
    public static implicit operator KernelArg(float v) => new((uint)BitConverter.SingleToInt32Bits(v));
    public static implicit operator KernelArg(ulong address) => new((long)address);
    public static implicit operator KernelArg(DeviceBuffer b) => new((long)b.Address);
}
