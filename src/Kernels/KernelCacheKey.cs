using System.Security.Cryptography;
using System.Text;

namespace HeadPursuit.Kernels;

/// <summary>
/// What a compiled kernel module depends on: the device architecture, the NVRTC version, the source text and the
/// -D defines. The key is a hex SHA-256 of all four; the defines' order does not matter.
/// </summary>
internal static class KernelCacheKey
{
    public static string Compute(string arch, string nvrtcVersion, string source, IReadOnlyDictionary<string, int> defines)
    {
        var text = new StringBuilder();
        text.Append("arch=").Append(arch).Append('\n').Append("nvrtc=").Append(nvrtcVersion).Append('\n');
        foreach (var (name, value) in defines.OrderBy(d => d.Key, StringComparer.Ordinal)) text.Append("-D").Append(name).Append('=').Append(value).Append('\n');
        text.Append("source\n").Append(source);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The cache folder: HEADPURSUIT_KERNEL_CACHE if set, else ~/.cache/headpursuit/kernels.</summary>
    public static string Directory(string? variable, string home) =>
        string.IsNullOrWhiteSpace(variable) ? Path.Combine(home, ".cache", "headpursuit", "kernels") : variable;
}
