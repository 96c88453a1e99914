// Whether splitting work over a context's threads pays right now. Beside another busy process the
// scheduler takes a core away for milliseconds at a time, far longer than one split pass: a
// thread then waits at the pass's end for a part whose thread is not running, and two threads
// compute slower than one. So the monitor watches how much of the split runs' thread time went
// to such waits. When a window of runs is stalled it takes one thread away; after a hold it
// probes one thread more, and keeps it if that window runs clean, or holds twice as long if not.
// Which threads compute never changes the bits, only how fast they come.
using System.Diagnostics;

namespace LstmService.Engine.Kernels;

internal sealed class ContentionMonitor(int threads)
{
    // A verdict per window of split runs, about 20 ms of wall time: long enough to span a
    // scheduler time slice, short enough to react within a few training batches.
    internal static readonly long WindowTicks = Stopwatch.Frequency / 50;
    internal static readonly long FirstHold = Stopwatch.Frequency / 20;    // 50 ms
    internal static readonly long LongestHold = Stopwatch.Frequency * 2;   // 2 s

    // The share of thread time spent waiting for another thread's part above which a window is
    // stalled. Alone, waits stay well below it (the ends of balanced passes); beside a busy
    // process, whole time slices of it.
    internal const double StalledShare = 0.3;

    private readonly int _threads = threads;
    private int _level = threads;        // the threads splitting uses, while not probing
    private long _probeAt = long.MaxValue;
    private long _hold = FirstHold;
    private long _threadTicks, _waitTicks;
    private int _windowParts;

    /// <summary>The threads to split over at <paramref name="now"/> (Stopwatch ticks): one more than the level while probing.</summary>
    public int Threads(long now)
    {
        int level = Volatile.Read(ref _level);
        return level < _threads && now >= Volatile.Read(ref _probeAt) ? level + 1 : level;
    }

    /// <summary>
    /// After each split run, by the pool's holder (one at a time): its parts, its wall time, and
    /// the time its threads spent waiting for other threads' parts, in Stopwatch ticks.
    /// </summary>
    public void Record(int parts, long wall, long wait, long now)
    {
        if (parts != _windowParts) (_windowParts, _threadTicks, _waitTicks) = (parts, 0, 0);
        _threadTicks += wall * parts;
        _waitTicks += wait;
        if (_threadTicks < WindowTicks * parts) return;
        bool stalled = _waitTicks > StalledShare * _threadTicks;
        (_threadTicks, _waitTicks) = (0, 0);
        int level = _level;
        if (stalled && parts > level)
        {
            _hold = Math.Min(2 * _hold, LongestHold);   // the probe failed
            Volatile.Write(ref _probeAt, now + _hold);
        }
        else if (stalled)
        {
            _hold = FirstHold;
            Volatile.Write(ref _level, Math.Max(1, parts - 1));
            Volatile.Write(ref _probeAt, now + _hold);
        }
        else if (parts > level)
        {
            _hold = FirstHold;                          // the probe ran clean
            Volatile.Write(ref _level, parts);
            Volatile.Write(ref _probeAt, parts < _threads ? now + _hold : long.MaxValue);
        }
    }
}
