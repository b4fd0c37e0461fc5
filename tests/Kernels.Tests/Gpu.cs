namespace HeadPursuit.Kernels.Tests;

/// <summary>Whether this machine can run the CUDA backend, probed once; the reason when it cannot.</summary>
static class Gpu
{
    static readonly Lazy<string?> s_failure = new(() =>
    {
        try { using var b = new CudaBackend(); return null; }
        catch (CudaUnavailableException e) { return e.Message; }
    });

    public static bool Available => s_failure.Value == null;
    public static string Reason => s_failure.Value ?? "";
}

/// <summary>
/// A fact that needs a GPU: skipped, with the reason, where CUDA cannot be used (CI has no GPU). This is the one
/// kind of test allowed to skip; bench/gpu/run-on-gpu.sh runs these on a GPU machine.
/// </summary>
public sealed class GpuFactAttribute : FactAttribute
{
    public GpuFactAttribute()
    {
        if (!Gpu.Available) Skip = "needs a CUDA GPU: " + Gpu.Reason;
    }
}
