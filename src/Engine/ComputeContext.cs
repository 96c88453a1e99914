// The threads the engine computes on, owned by whoever runs it: the service, a test, a user's
// program. A network computes on the context it was made with. Large products and a layer's time
// loop are split over the context's threads; one computation holds them at a time, and another
// that comes meanwhile runs on its own thread. Results are the same bits at any thread count.
using System.Collections.Concurrent;
using System.Diagnostics;
using LstmService.Engine.Kernels;

namespace LstmService.Engine;

public sealed class ComputeContext : IDisposable
{
    private readonly ConcurrentDictionary<Type, object> _work = new();
    private int _givingWay;

    /// <summary>A context of <paramref name="threads"/> threads: the caller's and threads − 1 workers, started when first needed.</summary>
    public ComputeContext(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Threads = threads;
        Contention = new ContentionMonitor(threads);
        Pool = new WorkerPool(Contention);
    }

    /// <summary>One thread per core, for the networks made without a context of their own.</summary>
    public static ComputeContext Shared { get; } = new(Environment.ProcessorCount);

    public int Threads { get; }

    /// <summary>
    /// The threads work is split over now: one fewer while this context gives way (<see cref="GiveWay"/>),
    /// and fewer while splitting stalls on threads the machine does not run (<see cref="ContentionMonitor"/>).
    /// </summary>
    public int ActiveThreads
    {
        get
        {
            int threads = Volatile.Read(ref _givingWay) > 0 ? Math.Max(1, Threads - 1) : Threads;
            return FollowsContention ? Math.Min(threads, Contention.Threads(Stopwatch.GetTimestamp())) : threads;
        }
    }

    /// <summary>
    /// Until the result is disposed, this context splits its work over one thread fewer, leaving a
    /// core to something more urgent (the service's predictions while a job trains). The split
    /// changes no result, only how many threads compute it.
    /// </summary>
    public IDisposable GiveWay()
    {
        Interlocked.Increment(ref _givingWay);
        return new GivingWay(this);
    }

    private sealed class GivingWay(ComputeContext context) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) Interlocked.Decrement(ref context._givingWay);
        }
    }

    internal WorkerPool Pool { get; }

    internal ContentionMonitor Contention { get; }

    /// <summary>False for tests that must split over exactly their threads, whatever the machine's load.</summary>
    internal bool FollowsContention { get; init; } = true;

    /// <summary>
    /// This context's one instance of a split piece of work. Only the pool's holder sets and runs
    /// it, and one caller holds the pool at a time, so one instance per context suffices.
    /// </summary>
    internal TWork Work<TWork>() where TWork : PoolWork, new() => (TWork)_work.GetOrAdd(typeof(TWork), static _ => new TWork());

    /// <summary>Lets the worker threads end; networks on this context must not compute after it.</summary>
    public void Dispose() => Pool.Dispose();
}
