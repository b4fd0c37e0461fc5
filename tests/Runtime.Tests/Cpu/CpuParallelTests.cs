using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Runtime.Tests.Cpu;

[Collection(nameof(CpuParallel))]   // these tests change CpuParallel.Threads
public sealed class CpuParallelTests
{
    struct CountVisits : IParallelBody
    {
        public int[] Visits;
        public void Run(int index) => Interlocked.Increment(ref Visits[index]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RunsEveryIndexExactlyOnce(int threads)
    {
        int saved = CpuParallel.Threads;
        try
        {
            CpuParallel.Threads = threads;
            foreach (int count in new[] { 0, 1, 2, 7, 1000 })
            {
                var body = new CountVisits { Visits = new int[count] };
                CpuParallel.For(count, ref body);
                Assert.All(body.Visits, v => Assert.Equal(1, v));
            }
        }
        finally
        {
            CpuParallel.Threads = saved;
        }
    }

    [Fact]
    public void UsesSeveralThreadsAndOnlyTheCallerWhenThreadsIsOne()
    {
        int saved = CpuParallel.Threads;
        try
        {
            var seen = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
            CpuParallel.Threads = 1;
            CpuParallel.For(64, _ => seen[Environment.CurrentManagedThreadId] = true);
            Assert.Equal([Environment.CurrentManagedThreadId], seen.Keys);

            seen.Clear();
            CpuParallel.Threads = 2;
            // Each index waits for a second thread to arrive, so the loop can only finish on two threads.
            using var both = new Barrier(2);
            CpuParallel.For(2, _ => { seen[Environment.CurrentManagedThreadId] = true; Assert.True(both.SignalAndWait(TimeSpan.FromSeconds(30))); });
            Assert.Equal(2, seen.Count);
        }
        finally
        {
            CpuParallel.Threads = saved;
        }
    }

    [Fact]
    public void NestedLoopsRunInline()
    {
        int saved = CpuParallel.Threads;
        try
        {
            CpuParallel.Threads = 2;
            int[,] visits = new int[8, 8];
            CpuParallel.For(8, i => CpuParallel.For(8, j => Interlocked.Increment(ref visits[i, j])));
            Assert.All(visits.Cast<int>(), v => Assert.Equal(1, v));
        }
        finally
        {
            CpuParallel.Threads = saved;
        }
    }

    [Fact]
    public void ExceptionsReachTheCallerAndThePoolKeepsWorking()
    {
        int saved = CpuParallel.Threads;
        try
        {
            CpuParallel.Threads = 2;
            var e = Assert.Throws<InvalidOperationException>(() => CpuParallel.For(100, i => { if (i == 57) throw new InvalidOperationException("index 57"); }));
            Assert.Equal("index 57", e.Message);
            int sum = 0;
            CpuParallel.For(100, i => Interlocked.Add(ref sum, i));
            Assert.Equal(4950, sum);
        }
        finally
        {
            CpuParallel.Threads = saved;
        }
    }

    [Fact]
    public void SteadyStateDispatchAllocatesNothing()
    {
        int saved = CpuParallel.Threads;
        try
        {
            CpuParallel.Threads = 2;
            var body = new CountVisits { Visits = new int[64] };
            CpuParallel.For(64, ref body);   // warm up: starts the pool, JITs the trampoline
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++) CpuParallel.For(64, ref body);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.All(body.Visits, v => Assert.Equal(101, v));
        }
        finally
        {
            CpuParallel.Threads = saved;
        }
    }

    [Fact]
    public void RejectsThreadCountBelowOne() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CpuParallel.Threads = 0);
}
