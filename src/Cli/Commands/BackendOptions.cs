using System.CommandLine;
using HeadPursuit.Kernels;
using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Cli.Commands;

/// <summary>--device and --threads: where a command that runs a model computes.</summary>
sealed class BackendOptions
{
    /// <summary>Threads beyond four per core only contend; the cap also keeps a typo from starting a hundred thousand threads.</summary>
    static int MaxThreads => Math.Min(4 * Environment.ProcessorCount, 1024);

    public Option<string> Device { get; } = Opt.Choice("--device",
        "where to compute: auto uses CUDA when a GPU and its libraries are found, else the CPU", "auto", BackendFactory.Devices);

    public Option<int> Threads { get; } = Opt.Int("--threads", "N", $"CPU threads, 1 to {MaxThreads}; the default is every core",
        Environment.ProcessorCount, min: 1, max: MaxThreads,
        why: MaxThreads == 1024 ? "" : $" (4 x the {Environment.ProcessorCount} cores)");

    public IEnumerable<Option> All => [Device, Threads];

    public IBackend Create(ParseResult parse, StatusOutput status)
    {
        CpuParallel.Threads = parse.GetValue(Threads);
        var backend = BackendFactory.Create(parse.GetValue(Device)!, out string? notice);
        if (notice != null) status.Note(notice);
        return backend;
    }
}
