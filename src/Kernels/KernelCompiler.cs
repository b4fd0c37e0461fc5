using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using HeadPursuit.Kernels.Native;
using HeadPursuit.Runtime.Files;

namespace HeadPursuit.Kernels;

/// <summary>
/// Compiles kernels/*.cu with NVRTC for this device (--gpu-architecture=sm_XX, giving a CUBIN) with the model's
/// sizes as -D defines, and loads the module. Modules are cached in memory, and their CUBINs on disk under
/// <see cref="KernelCacheKey.Directory"/> named FILE-KEY.cubin, so a second process skips NVRTC.
/// </summary>
internal sealed unsafe class KernelCompiler : IDisposable
{
    readonly CudaDevice _device;
    readonly string _cacheDir;
    readonly string _nvrtcVersion;
    readonly ConcurrentDictionary<string, IntPtr> _modules = new();   // key -> CUmodule

    public KernelCompiler(CudaDevice device)
    {
        _device = device;
        NativeLibraryResolver.EnsureLoaded(Nvrtc.Library);
        Nvrtc.Check(Nvrtc.nvrtcVersion(out int major, out int minor), "nvrtcVersion");
        _nvrtcVersion = $"{major}.{minor}";
        _cacheDir = KernelCacheKey.Directory(Environment.GetEnvironmentVariable("HEADPURSUIT_KERNEL_CACHE"),
                                             Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
    }

    /// <summary>The kernel <paramref name="kernel"/> of kernels/<paramref name="file"/> compiled with <paramref name="defines"/>.</summary>
    public KernelFunction Function(string file, string kernel, IReadOnlyDictionary<string, int>? defines = null)
    {
        defines ??= new Dictionary<string, int>();
        string source = KernelSource.Read(file);
        string key = KernelCacheKey.Compute(_device.Arch, _nvrtcVersion, source, defines);
        IntPtr module = _modules.GetOrAdd(key, _ => Load(file, key, source, defines));
        CudaDriver.Check(CudaDriver.cuModuleGetFunction(out IntPtr function, module, kernel), $"cuModuleGetFunction({file}: {kernel})");
        return new KernelFunction(kernel, function);
    }

    IntPtr Load(string file, string key, string source, IReadOnlyDictionary<string, int> defines)
    {
        string path = Path.Combine(_cacheDir, $"{Path.GetFileNameWithoutExtension(file)}-{key}.cubin");
        byte[] cubin = File.Exists(path) ? File.ReadAllBytes(path) : Compile(file, source, defines);
        if (!File.Exists(path))
        {
            System.IO.Directory.CreateDirectory(_cacheDir);
            AtomicFile.Write(path, s => s.Write(cubin));   // concurrent processes never read half a file
        }
        fixed (byte* image = cubin)
        {
            CudaDriver.Check(CudaDriver.cuModuleLoadData(out IntPtr module, image), $"cuModuleLoadData({file})");
            return module;
        }
    }

    byte[] Compile(string file, string source, IReadOnlyDictionary<string, int> defines)
    {
        var options = new List<string> { $"--gpu-architecture={_device.Arch}", "--std=c++17" };
        options.AddRange(defines.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"-D{d.Key}={d.Value}"));
        Nvrtc.Check(Nvrtc.nvrtcCreateProgram(out IntPtr program, source, file, 0, null, null), $"nvrtcCreateProgram({file})");
        try
        {
            var utf8 = options.Select(o => Encoding.UTF8.GetBytes(o + "\0")).ToArray();
            var handles = utf8.Select(b => GCHandle.Alloc(b, GCHandleType.Pinned)).ToArray();
            try
            {
                byte** pointers = stackalloc byte*[utf8.Length];   // [options]: NUL-terminated UTF-8 strings
                for (int i = 0; i < utf8.Length; i++) pointers[i] = (byte*)handles[i].AddrOfPinnedObject();
                int status = Nvrtc.nvrtcCompileProgram(program, utf8.Length, pointers);
                if (status != 0)
                    throw new CudaException($"NVRTC could not compile {file} ({string.Join(' ', options)}): {StatusText.Nvrtc(status)}\n{Log(program)}");
            }
            finally { foreach (var h in handles) h.Free(); }
            Nvrtc.Check(Nvrtc.nvrtcGetCUBINSize(program, out nuint size), "nvrtcGetCUBINSize");
            var cubin = new byte[(int)size];
            fixed (byte* p = cubin) Nvrtc.Check(Nvrtc.nvrtcGetCUBIN(program, p), "nvrtcGetCUBIN");
            return cubin;
        }
        finally { Nvrtc.nvrtcDestroyProgram(ref program); }
    }

    static string Log(IntPtr program)
    {
        if (Nvrtc.nvrtcGetProgramLogSize(program, out nuint size) != 0 || size <= 1) return "(no log)";
        var log = new byte[(int)size];
        fixed (byte* p = log) Nvrtc.nvrtcGetProgramLog(program, p);
        return Encoding.UTF8.GetString(log, 0, log.Length - 1);
    }

    public void Dispose()
    {
        foreach (IntPtr module in _modules.Values) CudaDriver.cuModuleUnload(module);
        _modules.Clear();
    }
}
