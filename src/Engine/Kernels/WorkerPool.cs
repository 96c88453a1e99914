// Persistent threads for splitting one piece of work over the cores: a product, or a layer's
// whole time loop split by batch rows. Products take microseconds, so a split must cost far less
// than Parallel.For's dispatch and closures. A job is a fixed number of parts; the caller and the
// workers claim parts from one counter, so when a worker is slow to wake (a busy machine) the
// caller simply runs more parts itself. Which thread runs a part never changes what the part computes. Workers spin briefly for
// the next job (the next product often comes within microseconds) and then park. One caller holds
// the pool at a time; another runs its work on its own thread. Each ComputeContext has its own.
using System.Diagnostics;

namespace LstmService.Engine.Kernels;

/// <summary>A split piece of work: Run(part) for each part 0..parts−1, on whichever thread claims it.</summary>
internal abstract class PoolWork
{
    public abstract void Run(int part);
}

internal sealed class WorkerPool(ContentionMonitor monitor) : IDisposable
{
    // How long a worker spins for the next job before it parks: longer than the gate math
    // between two steps' products, short enough not to hold a core an idle service needs.
    private static readonly long SpinTicks = Stopwatch.Frequency / 5_000; // 200 µs

    private readonly object _growing = new();
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 1);
    private int _workers, _sleepers, _owned;
    private volatile bool _stopping;

    // The current job. _claim holds (job number << 32 | next part), so a worker still looking at
    // an old job can never claim a part of a newer one.
    private PoolWork? _work;
    private int _parts, _done;
    private long _claim;
    private Exception? _error;
    private long _partWaits;

    /// <summary>
    /// Takes the pool for the calling thread; false when another caller holds it. Set up the work
    /// only after this succeeds (work objects are shared), then <see cref="Run"/> and <see cref="Release"/>.
    /// </summary>
    public bool TryAcquire() => Interlocked.CompareExchange(ref _owned, 1, 0) == 0;

    public void Release() => Volatile.Write(ref _owned, 0);

    /// <summary>
    /// Runs work.Run(p) for p in 0..parts−1 on the calling thread, which holds the pool, and up to
    /// parts − 1 workers, and returns when all are done.
    /// </summary>
    public void Run(PoolWork work, int parts)
    {
        if (Volatile.Read(ref _owned) != 1) throw new InvalidOperationException("The worker pool is not held.");
        EnsureWorkers(parts - 1);
        long start = Stopwatch.GetTimestamp();
        _work = work;
        _parts = parts;
        _error = null;
        Volatile.Write(ref _done, 0);
        long job = ((Volatile.Read(ref _claim) >> 32) + 1) & int.MaxValue; // 31 bits: never negative once shifted up, so it wraps to 0, not to a sign flip
        Interlocked.Exchange(ref _claim, job << 32);   // publishes the job; a full fence before reading _sleepers
        if (Volatile.Read(ref _sleepers) > 0) _wake.Set();
        RunParts(work, parts, job);
        long ownDone = Stopwatch.GetTimestamp();
        var spinner = new SpinWait();
        while (Volatile.Read(ref _done) < parts) spinner.SpinOnce(sleep1Threshold: -1);
        _wake.Reset();
        _work = null;
        long end = Stopwatch.GetTimestamp();
        monitor.Record(parts, end - start, end - ownDone + Interlocked.Exchange(ref _partWaits, 0), end);
        if (_error is { } error) throw new AggregateException(error);
    }

    /// <summary>Time a part spent waiting for another thread's part (Stopwatch ticks), for the contention monitor.</summary>
    public void AddWait(long ticks) => Interlocked.Add(ref _partWaits, ticks);

    private void RunParts(PoolWork work, int parts, long job)
    {
        while (true)
        {
            long claim = Volatile.Read(ref _claim);
            int part = (int)claim;
            if (claim >> 32 != job || part >= parts) return;
            if (Interlocked.CompareExchange(ref _claim, claim + 1, claim) != claim) continue;
            try { work.Run(part); }
            catch (Exception e) { Interlocked.CompareExchange(ref _error, e, null); }
            Interlocked.Increment(ref _done);
        }
    }

    private void EnsureWorkers(int count)
    {
        if (Volatile.Read(ref _workers) >= count) return;
        lock (_growing)
        {
            for (int w = _workers; w < count; w++)
                new Thread(Loop) { IsBackground = true, Name = $"LstmService.Engine worker {w + 1}" }.Start();
            Volatile.Write(ref _workers, Math.Max(_workers, count));
        }
    }

    private void Loop()
    {
        long seen = Volatile.Read(ref _claim) >> 32;
        while (!_stopping)
        {
            long until = Stopwatch.GetTimestamp() + SpinTicks;
            while (Volatile.Read(ref _claim) >> 32 == seen && Stopwatch.GetTimestamp() < until) Thread.SpinWait(20);
            if (Volatile.Read(ref _claim) >> 32 == seen)
            {
                Interlocked.Increment(ref _sleepers);
                if (Volatile.Read(ref _claim) >> 32 == seen && !_stopping) _wake.Wait();
                Interlocked.Decrement(ref _sleepers);
                continue;
            }
            seen = Volatile.Read(ref _claim) >> 32;
            // The job's fields were written before _claim was published; a stale read here only
            // means its claims fail, as the job number no longer matches.
            var work = Volatile.Read(ref _work);
            int parts = Volatile.Read(ref _parts);
            if (work is not null) RunParts(work, parts, seen);
        }
    }

    /// <summary>Lets the workers end once they are idle; the pool must not be used after.</summary>
    public void Dispose()
    {
        _stopping = true;
        _wake.Set();
    }
}
