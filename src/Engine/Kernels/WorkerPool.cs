// Persistent threads for splitting one piece of work over the cores: a product, or a layer's
// whole time loop split by batch rows. Products take microseconds, so a split must cost far less
// than Parallel.For's dispatch and closures. A job is a fixed number of parts; the caller and the
// workers claim parts from one counter, so when a worker is slow to wake (a busy machine) the
// caller simply runs more parts itself. Which thread runs a part never changes what the part computes. Workers spin briefly for
// the next job (the next product often comes within microseconds) and then park. One caller holds
// the pool at a time; another runs its work on its own thread.
using System.Diagnostics;

namespace LstmService.Engine.Kernels;

/// <summary>A split piece of work: Run(part) for each part 0..parts−1, on whichever thread claims it.</summary>
internal abstract class PoolWork
{
    public abstract void Run(int part);
}

internal static class WorkerPool
{
    // How long a worker spins for the next job before it parks: longer than the gate math
    // between two steps' products, short enough not to hold a core an idle service needs.
    private static readonly long SpinTicks = Stopwatch.Frequency / 5_000; // 200 µs

    private static readonly object Growing = new();
    private static readonly ManualResetEventSlim Wake = new(false, spinCount: 1);
    private static int _workers, _sleepers, _owned;

    // The current job. _claim holds (job number << 32 | next part), so a worker still looking at
    // an old job can never claim a part of a newer one.
    private static PoolWork? _work;
    private static int _parts, _done;
    private static long _claim;
    private static Exception? _error;

    /// <summary>
    /// Takes the pool for the calling thread; false when another caller holds it. Set up the work
    /// only after this succeeds (work objects are shared), then <see cref="Run"/> and <see cref="Release"/>.
    /// </summary>
    public static bool TryAcquire() => Interlocked.CompareExchange(ref _owned, 1, 0) == 0;

    public static void Release() => Volatile.Write(ref _owned, 0);

    /// <summary>
    /// Runs work.Run(p) for p in 0..parts−1 on the calling thread, which holds the pool, and up to
    /// parts − 1 workers, and returns when all are done.
    /// </summary>
    public static void Run(PoolWork work, int parts)
    {
        if (Volatile.Read(ref _owned) != 1) throw new InvalidOperationException("The worker pool is not held.");
        EnsureWorkers(parts - 1);
        _work = work;
        _parts = parts;
        _error = null;
        Volatile.Write(ref _done, 0);
        long job = ((Volatile.Read(ref _claim) >> 32) + 1) & int.MaxValue; // 31 bits: never negative once shifted up, so it wraps to 0, not to a sign flip
        Interlocked.Exchange(ref _claim, job << 32);   // publishes the job; a full fence before reading _sleepers
        if (Volatile.Read(ref _sleepers) > 0) Wake.Set();
        RunParts(work, parts, job);
        var spinner = new SpinWait();
        while (Volatile.Read(ref _done) < parts) spinner.SpinOnce(sleep1Threshold: -1);
        Wake.Reset();
        _work = null;
        if (_error is { } error) throw new AggregateException(error);
    }

    private static void RunParts(PoolWork work, int parts, long job)
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

    private static void EnsureWorkers(int count)
    {
        if (Volatile.Read(ref _workers) >= count) return;
        lock (Growing)
        {
            for (int w = _workers; w < count; w++)
                new Thread(Loop) { IsBackground = true, Name = $"LstmService.Engine worker {w + 1}" }.Start();
            Volatile.Write(ref _workers, Math.Max(_workers, count));
        }
    }

    private static void Loop()
    {
        long seen = Volatile.Read(ref _claim) >> 32;
        while (true)
        {
            long until = Stopwatch.GetTimestamp() + SpinTicks;
            while (Volatile.Read(ref _claim) >> 32 == seen && Stopwatch.GetTimestamp() < until) Thread.SpinWait(20);
            if (Volatile.Read(ref _claim) >> 32 == seen)
            {
                Interlocked.Increment(ref _sleepers);
                if (Volatile.Read(ref _claim) >> 32 == seen) Wake.Wait();
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
}
