using System.Runtime.InteropServices;

namespace HeadPursuit.Kernels.Native;

/// <summary>The NVRTC entry points we use (runtime compilation of CUDA C to CUBIN). Calls return an nvrtcResult.</summary>
static unsafe partial class Nvrtc
{
    public const string Library = "nvrtc";

    [LibraryImport(Library)] public static partial int nvrtcVersion(out int major, out int minor);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int nvrtcCreateProgram(out IntPtr program, string source, string name, int headers, byte** headerSources, byte** headerNames);
    [LibraryImport(Library)] public static partial int nvrtcCompileProgram(IntPtr program, int optionCount, byte** options);
    [LibraryImport(Library)] public static partial int nvrtcGetCUBINSize(IntPtr program, out nuint size);
    [LibraryImport(Library)] public static partial int nvrtcGetCUBIN(IntPtr program, byte* cubin);
    [LibraryImport(Library)] public static partial int nvrtcGetPTXSize(IntPtr program, out nuint size);
    [LibraryImport(Library)] public static partial int nvrtcGetPTX(IntPtr program, byte* ptx);
    [LibraryImport(Library)] public static partial int nvrtcGetProgramLogSize(IntPtr program, out nuint size);
    [LibraryImport(Library)] public static partial int nvrtcGetProgramLog(IntPtr program, byte* log);
    [LibraryImport(Library)] public static partial int nvrtcDestroyProgram(ref IntPtr program);

    public static void Check(int status, string call)
    {
        if (status != 0) throw new CudaException($"{call} failed: {StatusText.Nvrtc(status)}");
    }
}
