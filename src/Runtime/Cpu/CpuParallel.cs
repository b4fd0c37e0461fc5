using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// A persistent pool of worker threads for data-parallel loops, cheap enough to use for every matmul of
/// every decoded token: a dispatch allocates nothing and wakes sleeping workers through per-worker events.
///
/// How a call runs: the caller publishes the job (a pointer to the body on its own stack plus a pointer
/// to a generic trampoline that knows the body's type), wakes the workers, then works on the job itself.
/// Everyone takes indices from a shared counter until it passes the count, so a slow core simply does
/// fewer of them. The caller returns when every worker has reported back, which is what keeps the body
/// on its stack valid for as long as the workers read it.
///
/// Calls are serialized by a lock; a For issued from inside a body (a nested loop) runs inline on that
/// thread. Results are deterministic as long as each index writes its own outputs, whatever the number
/// of threads.
/// </summary>
internal static unsafe class CpuParallel
{
    static readonly object Gate = new();
    static WorkerPool? _pool;
    static int _threads = Environment.ProcessorCount;

    /// <summary>True on a thread that is currently running a body (nested For calls then run inline).</summary>
    [ThreadStatic] static bool _insideBody;

    /// <summary>Threads that run a loop, the caller included; 1 runs everything on the caller. Set it at startup.</summary>
    public static int Threads
    {
        get => _threads;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "CpuParallel.Threads must be at least 1");
            lock (Gate)
            {
                if (value == _threads) return;
                _pool?.Dispose();
                _pool = null;
                _threads = value;
            }
        }
    }

    /// <summary>Calls <c>body.Run(i)</c> for every i in [0, count), spread over <see cref="Threads"/> threads.</summary>
    public static void For<T>(int count, ref T body) where T : struct, IParallelBody
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0) return;
        if (count == 1 || _threads == 1 || _insideBody)
        {
            RunInline(count, ref body);
            return;
        }
        lock (Gate)
        {
            if (_threads == 1) { RunInline(count, ref body); return; }
            _pool ??= new WorkerPool(_threads - 1);
            _insideBody = true;
            try
            {
                _pool.Run(count, Unsafe.AsPointer(ref body), &Trampoline<T>.RunAll);
            }
            finally
            {
                _insideBody = false;
            }
        }
    }

    /// <summary>A convenience for tests and cold code: the delegate (and its closure) are the caller's allocation.</summary>
    public static void For(int count, Action<int> body)
    {
        var wrapper = new DelegateBody(body);
        For(count, ref wrapper);
    }

    static void RunInline<T>(int count, ref T body) where T : struct, IParallelBody
    {
        bool wasInside = _insideBody;
        _insideBody = true;
        try
        {
            for (int i = 0; i < count; i++) body.Run(i);
        }
        finally
        {
            _insideBody = wasInside;
        }
    }

    readonly struct DelegateBody(Action<int> body) : IParallelBody
    {
        public void Run(int index) => body(index);
    }

    /// <summary>Turns the untyped job (body pointer) back into a typed call; one instantiation per body type.</summary>
    static class Trampoline<T> where T : struct, IParallelBody
    {
        public static void RunAll(void* body, int count, int* next)
        {
            ref T b = ref Unsafe.AsRef<T>(body);
            for (int i = Interlocked.Increment(ref *next) - 1; i < count; i = Interlocked.Increment(ref *next) - 1)
                b.Run(i);
        }
    }

    /// <summary>The worker threads and the one job they share.</summary>
    sealed class WorkerPool : IDisposable
    {
        readonly Thread[] _workers;
        readonly ManualResetEventSlim[] _wake;      // [workers]: set by the caller to start a job
        volatile bool _stopping;

        // The current job, written by the caller before waking the workers.
        void* _body;
        delegate*<void*, int, int*, void> _runAll;
        int _count;
        int _next;              // the next unclaimed index
        int _running;           // workers that have not finished the current job
        Exception? _failure;    // the first exception thrown by a body on a worker

        public WorkerPool(int workers)
        {
            _workers = new Thread[workers];
            _wake = new ManualResetEventSlim[workers];
            for (int w = 0; w < workers; w++)
            {
                _wake[w] = new ManualResetEventSlim(false, spinCount: 2000);
                int id = w;
                _workers[w] = new Thread(() => WorkerLoop(id)) { IsBackground = true, Name = $"CpuParallel worker {w + 1}" };
                _workers[w].Start();
            }
        }

        public void Run(int count, void* body, delegate*<void*, int, int*, void> runAll)
        {
            _body = body; _runAll = runAll; _count = count; _next = 0; _failure = null;
            _running = _workers.Length;
            foreach (var wake in _wake) wake.Set();

            RunShare();
            // Wait for the workers, even after a failure: the body lives on the caller's stack. A SpinWait that spins and
            // yields but never sleeps (a 1 ms sleep would dwarf a decode step's matrix multiply) rather than an event: the
            // shares end together, and an event allocates its lock the first time it blocks.
            var spin = new SpinWait();
            while (Volatile.Read(ref _running) != 0) spin.SpinOnce(sleep1Threshold: -1);

            if (_failure != null) ExceptionDispatchInfo.Throw(_failure);
        }

        void WorkerLoop(int id)
        {
            _insideBody = true;
            var wake = _wake[id];
            while (true)
            {
                wake.Wait();
                wake.Reset();
                if (_stopping) return;
                RunShare();
                Interlocked.Decrement(ref _running);
            }
        }

        /// <summary>Takes indices of the current job until none are left; records the first failure.</summary>
        void RunShare()
        {
            try
            {
                fixed (int* next = &_next) _runAll(_body, _count, next);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
                Volatile.Write(ref _next, int.MaxValue / 2);   // the other threads stop taking indices
            }
        }

        public void Dispose()
        {
            _stopping = true;
            foreach (var wake in _wake) wake.Set();
            foreach (var t in _workers) t.Join();
        }
    }
}
