using System.Runtime.InteropServices;

namespace HeadPursuit.Kernels.Native;

/// <summary>
/// The CUDA driver API entry points we use (libcuda). Handles are opaque pointers; device addresses are ulong
/// (CUdeviceptr). Every call returns a CUresult: pass it to <see cref="Check"/>.
/// </summary>
static unsafe partial class CudaDriver
{
    public const string Library = "cuda";

    public const int AttributeComputeCapabilityMajor = 75;   // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
    public const int AttributeComputeCapabilityMinor = 76;   // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR
    public const int AttributeMultiprocessorCount = 16;      // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT

    [LibraryImport(Library)] public static partial int cuInit(uint flags);
    [LibraryImport(Library)] public static partial int cuDeviceGetCount(out int count);
    [LibraryImport(Library)] public static partial int cuDeviceGet(out int device, int ordinal);
    [LibraryImport(Library)] public static partial int cuDeviceGetAttribute(out int value, int attribute, int device);
    [LibraryImport(Library)] public static partial int cuDeviceGetName(byte* name, int length, int device);
    [LibraryImport(Library, EntryPoint = "cuDeviceTotalMem_v2")] public static partial int cuDeviceTotalMem(out nuint bytes, int device);
    [LibraryImport(Library)] public static partial int cuDevicePrimaryCtxRetain(out IntPtr context, int device);
    [LibraryImport(Library, EntryPoint = "cuDevicePrimaryCtxRelease_v2")] public static partial int cuDevicePrimaryCtxRelease(int device);
    [LibraryImport(Library)] public static partial int cuCtxSetCurrent(IntPtr context);
    [LibraryImport(Library)] public static partial int cuModuleLoadData(out IntPtr module, byte* image);
    [LibraryImport(Library)] public static partial int cuModuleUnload(IntPtr module);
    [LibraryImport(Library)] public static partial int cuModuleGetFunction(out IntPtr function, IntPtr module, [MarshalAs(UnmanagedType.LPUTF8Str)] string name);
    [LibraryImport(Library)]
    public static partial int cuLaunchKernel(IntPtr function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
                                             uint sharedBytes, IntPtr stream, void** parameters, void** extra);
    [LibraryImport(Library, EntryPoint = "cuMemAlloc_v2")] public static partial int cuMemAlloc(out ulong address, nuint bytes);
    [LibraryImport(Library, EntryPoint = "cuMemFree_v2")] public static partial int cuMemFree(ulong address);
    [LibraryImport(Library, EntryPoint = "cuMemcpyHtoDAsync_v2")] public static partial int cuMemcpyHtoDAsync(ulong dst, void* src, nuint bytes, IntPtr stream);
    [LibraryImport(Library, EntryPoint = "cuMemcpyDtoHAsync_v2")] public static partial int cuMemcpyDtoHAsync(void* dst, ulong src, nuint bytes, IntPtr stream);
    [LibraryImport(Library)] public static partial int cuMemsetD8Async(ulong dst, byte value, nuint count, IntPtr stream);
    [LibraryImport(Library)] public static partial int cuStreamCreate(out IntPtr stream, uint flags);
    [LibraryImport(Library, EntryPoint = "cuStreamDestroy_v2")] public static partial int cuStreamDestroy(IntPtr stream);
    [LibraryImport(Library)] public static partial int cuStreamSynchronize(IntPtr stream);
    [LibraryImport(Library)] public static partial int cuGetErrorString(int status, out byte* text);
    [LibraryImport(Library)] public static partial int cuGetErrorName(int status, out byte* text);

    /// <summary>Throws a <see cref="CudaException"/> naming <paramref name="call"/> unless <paramref name="status"/> is CUDA_SUCCESS.</summary>
    public static void Check(int status, string call)
    {
        if (status != 0) throw new CudaException($"{call} failed: {Describe(status)}");
    }

    /// <summary>"NAME (code): text" from the driver when it knows the code, else from <see cref="StatusText.Driver"/>.</summary>
    static string Describe(int status)
    {
        try
        {
            if (cuGetErrorName(status, out byte* name) == 0 && cuGetErrorString(status, out byte* text) == 0 && name != null && text != null)
                return $"{Marshal.PtrToStringUTF8((IntPtr)name)} ({status}): {Marshal.PtrToStringUTF8((IntPtr)text)}";
        }
        catch (DllNotFoundException) { }
        return StatusText.Driver(status);
    }
}
