using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Cli.Commands;

/// <summary>Options shared by the commands that run a model.</summary>
static class CommonOptions
{
    public const string BackendUsage =
        "  --device cpu|auto    where to compute (default auto; only the CPU backend exists so far)\n" +
        "  --threads N          CPU threads (default: all cores)";

    public static IBackend Backend(CommandLine args)
    {
        int threads = args.Int("threads", Environment.ProcessorCount);
        if (threads <= 0) throw new ArgumentException($"--threads must be positive, got {threads}");
        CpuParallel.Threads = threads;
        string device = args.String("device") ?? "auto";
        return device switch
        {
            "cpu" or "auto" => new CpuBackend(),
            _ => throw new ArgumentException($"--device '{device}' is not available (available: cpu, auto)"),
        };
    }
}
