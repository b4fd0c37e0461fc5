namespace HeadPursuit.Somp;

/// <summary>
/// SOMP for many heads against one dictionary, all returning what <see cref="SompReference"/> would: the CPU fast
/// path (<see cref="CpuSompSolver"/>) or the on-device one of src/Kernels (CudaSomp).
/// </summary>
public interface ISompSolver
{
    /// <summary>For progress lines, e.g. "cpu".</summary>
    string Name { get; }

    /// <summary>Results in the order of <paramref name="heads"/>.</summary>
    internal SompResult[] RunHeads(IReadOnlyList<SompHead> heads, AtomSet dictionary, int iterations, SompOptions options);
}

/// <summary>SOMP on the CPU: <see cref="SompFast"/>.</summary>
public sealed class CpuSompSolver : ISompSolver
{
    /// <summary>The one instance (the solver keeps no state).</summary>
    public static CpuSompSolver Instance { get; } = new();

    /// <summary>"cpu".</summary>
    public string Name => "cpu";

    SompResult[] ISompSolver.RunHeads(IReadOnlyList<SompHead> heads, AtomSet dictionary, int iterations, SompOptions options) =>
        SompFast.RunHeads(heads, dictionary, iterations, options);
}
