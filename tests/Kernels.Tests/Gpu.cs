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
