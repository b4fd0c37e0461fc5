namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// The work of one <see cref="CpuParallel.For{T}(int, ref T)"/> call: <see cref="Run"/> is called once for
/// every index in [0, count), on some thread of the pool, in no particular order. Implement it on a struct
/// that carries the loop's inputs (pointers, sizes), so a dispatch allocates nothing.
/// </summary>
internal interface IParallelBody
{
    void Run(int index);
}
