using System.Text.RegularExpressions;

namespace HeadPursuit.Kernels.Tests;

public partial class KernelSourceTests
{
    [Fact]
    public void Every_kernels_cu_file_is_embedded_unchanged()
    {
        string[] onDisk = [.. Directory.GetFiles(RepoFiles.Path("kernels"), "*.cu").Select(p => Path.GetFileName(p)).Order()];
        Assert.Equal(onDisk, KernelSource.Files);
        foreach (string file in onDisk) Assert.Equal(File.ReadAllText(RepoFiles.Path("kernels", file)), KernelSource.Read(file));
    }

    [Fact]
    public void Kernel_names_are_read_from_extern_C_global_definitions()
    {
        string source = "static __device__ float f(float x) { return x; }\nextern \"C\" __global__ void alpha(int n)\n{}\nextern  \"C\"  __global__  void beta_2 (float* p) {}";
        Assert.Equal(["alpha", "beta_2"], KernelSource.KernelNames(source));
    }

    /// <summary>(file, kernel) pairs launched by the C# code: Kernel("file.cu", "name"...) calls.</summary>
    static IEnumerable<(string File, string Kernel)> Launched()
    {
        foreach (string cs in Directory.GetFiles(RepoFiles.Path("src", "Kernels"), "*.cs"))
            foreach (Match m in KernelCall().Matches(File.ReadAllText(cs)))
                yield return (m.Groups[1].Value, m.Groups[2].Value);
    }

    [GeneratedRegex(@"Kernel\(""(\w+\.cu)"",\s*(?:""(\w+)""|(\w+))")]
    private static partial Regex KernelCall();

    [Fact]
    public void Every_kernel_the_backend_launches_is_defined_in_its_file()
    {
        var launched = Launched().ToList();
        Assert.NotEmpty(launched);
        foreach (var (file, kernel) in launched.Where(l => l.Kernel != ""))
            Assert.True(KernelSource.KernelNames(KernelSource.Read(file)).Contains(kernel), $"{kernel} is launched but not defined in kernels/{file}");
    }

    [Fact]
    public void Every_defined_kernel_is_launched_somewhere()
    {
        // Kernels chosen at run time (embed_{dtype}, f32_to_{dtype}) appear in the C# code as string literals.
        string code = string.Concat(Directory.GetFiles(RepoFiles.Path("src", "Kernels"), "*.cs").Select(File.ReadAllText));
        foreach (string file in KernelSource.Files)
            foreach (string kernel in KernelSource.KernelNames(KernelSource.Read(file)))
                Assert.True(code.Contains($"\"{kernel}\""), $"kernels/{file} defines {kernel}, which no C# code launches");
    }

    [Fact]
    public void Kernels_use_no_cuda_headers_and_no_libdevice_math()
    {
        var banned = new Regex(@"#include|\b(expf|tanhf|sqrtf|logf|powf|fabsf|fmaxf|fminf|exp|tanh)\s*\(");
        foreach (string file in KernelSource.Files)
        {
            string code = Regex.Replace(KernelSource.Read(file), "//.*", "");   // comments may name the maths
            var m = banned.Match(code);
            Assert.False(m.Success, $"kernels/{file} uses '{m.Value}': use the __expf-style intrinsics, no headers");
        }
    }
}
