using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Somp;

namespace HeadPursuit.Kernels;

/// <summary>
/// Picks a backend by name: "cpu", "cuda" (an error if CUDA cannot be used) or "auto" (CUDA when it can be
/// created, else the CPU with a one-line notice saying why, for the caller to print on stderr).
/// </summary>
public static class BackendFactory
{
    /// <summary>The names <see cref="Create(string)"/> takes.</summary>
    public static readonly string[] Devices = ["cpu", "cuda", "auto"];

    /// <summary>The backend named by <paramref name="device"/>; an unknown name is an error listing <see cref="Devices"/>.</summary>
    /// <param name="notice">null, or the line explaining an automatic fallback to the CPU</param>
    /// <param name="cuda">makes the CUDA backend (a parameter so tests can stand in for a machine with or without a GPU)</param>
    public static IBackend Create(string device, out string? notice, Func<IBackend>? cuda = null)
    {
        cuda ??= () => new CudaBackend();
        notice = null;
        switch (device)
        {
            case "cpu": return new CpuBackend();
            case "cuda": return cuda();
            case "auto":
                try { return cuda(); }
                catch (CudaUnavailableException e)
                {
                    notice = $"notice: CUDA unavailable, using the CPU ({e.Message})";
                    return new CpuBackend();
                }
            default: throw new ArgumentException($"device '{device}' is not one of {string.Join(", ", Devices)}", nameof(device));
        }
    }

    /// <summary>As <see cref="Create(string, out string?, Func{IBackend}?)"/>, printing any fallback notice on stderr.</summary>
    public static IBackend Create(string device)
    {
        var backend = Create(device, out string? notice);
        if (notice != null) Console.Error.WriteLine(notice);
        return backend;
    }

    /// <summary>Where SOMP runs for a model on <paramref name="backend"/>: on the GPU beside a CUDA backend (fp32 correlations),
    /// else on the CPU (float64).</summary>
    public static ISompSolver SompSolver(IBackend backend) =>
        backend is CudaBackend cuda ? new CudaSomp(cuda.Context) : CpuSompSolver.Instance;
}
