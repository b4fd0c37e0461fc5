using System.Runtime.InteropServices;
using HeadPursuit.Kernels.Native;

namespace HeadPursuit.Kernels.Tests;

public class NativeLibraryResolverTests
{
    [Fact]
    public void Candidates_try_each_directory_with_every_versioned_name_then_the_system()
    {
        var list = NativeLibraryResolver.Candidates("nvrtc", "/a/lib: /b ::");
        Assert.Equal(
            ["/a/lib/libnvrtc.so.13", "/a/lib/libnvrtc.so.12", "/a/lib/libnvrtc.so", "/b/libnvrtc.so.13", "/b/libnvrtc.so.12", "/b/libnvrtc.so",
             "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"],
            list);
    }

    [Fact]
    public void Candidates_without_a_directory_are_the_system_names_newest_first()
    {
        Assert.Equal(["libcuda.so.1", "libcuda.so"], NativeLibraryResolver.Candidates("cuda", null));
        Assert.Equal(["libcublas.so.13", "libcublas.so.12", "libcublas.so"], NativeLibraryResolver.Candidates("cublas", "  "));
    }

    [Fact]
    public void Unknown_library_is_rejected_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => NativeLibraryResolver.Candidates("cudnn", null));
        Assert.Contains("cudnn", e.Message);
    }

    [Fact]
    public void Missing_library_error_names_every_path_tried_and_the_variable()
    {
        string empty = Directory.CreateTempSubdirectory("hp-no-cuda-").FullName;
        try
        {
            bool systemHasIt = NativeLibraryResolver.FileNames("cuda").Any(n => NativeLibrary.TryLoad(n, out _));
            if (systemHasIt)
            {
                // On a machine with a driver the system search must find it even when the directory is empty.
                Assert.NotEqual(IntPtr.Zero, NativeLibraryResolver.Load("cuda", empty));
                return;
            }
            var e = Assert.Throws<CudaUnavailableException>(() => NativeLibraryResolver.Load("cuda", empty));
            foreach (string candidate in NativeLibraryResolver.Candidates("cuda", empty)) Assert.Contains(candidate, e.Message);
            Assert.Contains(Path.Combine(empty, "libcuda.so.1"), e.Message);
            Assert.Contains(NativeLibraryResolver.DirectoryVariable, e.Message);
        }
        finally { Directory.Delete(empty); }
    }

    [Fact]
    public void A_library_in_the_directory_is_loaded_from_there_first()
    {
        // Any loadable shared object stands in for the CUDA library: the resolver must take the directory's file.
        string dir = Directory.CreateTempSubdirectory("hp-fake-cuda-").FullName;
        try
        {
            string libc = new[] { "/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6", "/lib64/libm.so.6", "/lib/aarch64-linux-gnu/libm.so.6" }
                .First(File.Exists);
            File.Copy(libc, Path.Combine(dir, "libnvrtc.so.12"));
            IntPtr handle = NativeLibraryResolver.Load("nvrtc", dir);
            Assert.NotEqual(IntPtr.Zero, handle);
            Assert.True(NativeLibrary.TryGetExport(handle, "cos", out _), "the handle should be the copied libm, which exports cos");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
