namespace HeadPursuit.Runtime.Tests.Cpu;

/// <summary>
/// The CpuParallel and GEMM tests change the process-wide thread count and measure allocations: they run alone,
/// after the parallel collections, so that other tests' use of the pool can neither disturb them nor be disturbed.
/// </summary>
[CollectionDefinition(nameof(HeadPursuit.Runtime.Cpu.CpuParallel), DisableParallelization = true)]
public sealed class CpuParallelCollection;
