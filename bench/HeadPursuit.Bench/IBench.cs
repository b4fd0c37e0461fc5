namespace HeadPursuit.Bench;

/// <summary>One benchmark, run as `dotnet run -c Release --project bench/HeadPursuit.Bench -- NAME [args]`.</summary>
public interface IBench
{
    /// <summary>The name on the command line, e.g. "gemm".</summary>
    string Name { get; }
    string Description { get; }
    /// <summary>Runs the benchmark, prints a human-readable report, and returns 0 on success.</summary>
    int Run(string[] args);
}
