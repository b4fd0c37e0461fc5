using HeadPursuit.Eval.Experiments;
using HeadPursuit.Kernels;
using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Somp;

namespace HeadPursuit.Cli.Commands;

/// <summary>Options shared by the commands that run a model.</summary>
static class CommonOptions
{
    public const string BackendUsage =
        "  --device cpu|cuda|auto  where to compute (default auto: CUDA when a GPU and its libraries are found, else the CPU)\n" +
        "  --threads N          CPU threads (default: all cores)";

    public static IBackend Backend(CommandLine args)
    {
        int threads = args.Int("threads", Environment.ProcessorCount);
        if (threads <= 0) throw new ArgumentException($"--threads must be positive, got {threads}");
        CpuParallel.Threads = threads;
        return BackendFactory.Create(args.String("device") ?? "auto");
    }

    /// <summary>--concept-tokens both|space: which tokenizations of a concept's words make its dictionary (default both).</summary>
    public static ConceptTokens ConceptTokens(CommandLine args) => (args.String("concept-tokens") ?? "both") switch
    {
        "both" => Eval.Experiments.ConceptTokens.Both,
        "space" => Eval.Experiments.ConceptTokens.SpaceVariant,
        var t => throw new ArgumentException($"--concept-tokens '{t}' is not one of both, space"),
    };

    /// <summary>
    /// Where SOMP runs: on the GPU when the model runs there (heads ranked without leaving the device), else the CPU;
    /// said on stderr.
    /// </summary>
    public static ISompSolver SompSolver(IBackend backend)
    {
        ISompSolver solver = backend is CudaBackend cuda ? new CudaSomp(cuda.Context) : CpuSompSolver.Instance;
        Console.Error.WriteLine($"SOMP on {solver.Name}");
        return solver;
    }
}
