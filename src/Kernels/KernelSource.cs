using System.Text.RegularExpressions;

namespace HeadPursuit.Kernels;

/// <summary>The CUDA C files of kernels/, embedded in this assembly as resources named "kernels/FILE.cu".</summary>
internal static partial class KernelSource
{
    /// <summary>The file names, e.g. "attention.cu".</summary>
    public static IReadOnlyList<string> Files =>
        [.. typeof(KernelSource).Assembly.GetManifestResourceNames().Where(n => n.StartsWith("kernels/")).Select(n => n["kernels/".Length..]).Order()];

    public static string Read(string file)
    {
        using var stream = typeof(KernelSource).Assembly.GetManifestResourceStream("kernels/" + file)
            ?? throw new ArgumentException($"no kernel source '{file}' (have: {string.Join(", ", Files)})", nameof(file));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The names of the `extern "C" __global__ void NAME(` kernels a source defines.</summary>
    public static IReadOnlyList<string> KernelNames(string source) => [.. KernelDefinition().Matches(source).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"extern\s+""C""\s+__global__\s+void\s+(\w+)\s*\(")]
    private static partial Regex KernelDefinition();
}
