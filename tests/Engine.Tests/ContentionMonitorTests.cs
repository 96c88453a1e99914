// The contention monitor takes a thread away after a stalled window of split runs, probes one
// thread more after a hold, keeps it when the probe runs clean and holds twice as long when not.
// Time is fed in Stopwatch ticks, so the verdicts do not depend on this machine's load.
using LstmService.Engine.Kernels;

namespace LstmService.Engine.Tests;

public class ContentionMonitorTests
{
    private static readonly long Window = ContentionMonitor.WindowTicks;
    private static readonly long Hold = ContentionMonitor.FirstHold;

    // One window of split runs over `parts` threads ending at `now`, each thread waiting `share` of its time.
    private static void Window_(ContentionMonitor monitor, int parts, double share, long now)
    {
        for (int run = 0; run < 4; run++)
            monitor.Record(parts, Window / 4, (long)(share * parts * (Window / 4)), now);
    }

    [Fact]
    public void Clean_windows_keep_every_thread()
    {
        var monitor = new ContentionMonitor(4);
        for (int w = 1; w <= 50; w++) Window_(monitor, 4, 0.05, w * Window);
        Assert.Equal(4, monitor.Threads(51 * Window));
        Assert.Equal(4, monitor.Threads(long.MaxValue));
    }

    [Fact]
    public void A_stalled_window_takes_a_thread_until_a_probe_runs_clean()
    {
        var monitor = new ContentionMonitor(2);
        long now = 10 * Window;
        Window_(monitor, 2, 0.5, now);
        Assert.Equal(1, monitor.Threads(now));
        Assert.Equal(1, monitor.Threads(now + Hold - 1));
        now += Hold;
        Assert.Equal(2, monitor.Threads(now));          // the probe
        Window_(monitor, 2, 0.02, now + Window);
        Assert.Equal(2, monitor.Threads(now + Window)); // kept
        Assert.Equal(2, monitor.Threads(long.MaxValue)); // and no further probe is due
    }

    [Fact]
    public void Each_failed_probe_holds_twice_as_long_up_to_the_longest_hold()
    {
        var monitor = new ContentionMonitor(2);
        long now = Window;
        Window_(monitor, 2, 0.5, now);
        long hold = Hold;
        for (int probe = 0; probe < 10; probe++)
        {
            now += hold;
            Assert.Equal(2, monitor.Threads(now));
            now += Window;
            Window_(monitor, 2, 0.5, now);
            hold = Math.Min(2 * hold, ContentionMonitor.LongestHold);
            Assert.Equal(1, monitor.Threads(now + hold - 1));
            Assert.Equal(2, monitor.Threads(now + hold));
        }
        Assert.Equal(ContentionMonitor.LongestHold, hold);
    }

    [Fact]
    public void Threads_come_back_one_at_a_time()
    {
        var monitor = new ContentionMonitor(4);
        long now = Window;
        Window_(monitor, 4, 0.5, now);                  // 4 → 3
        Window_(monitor, 3, 0.5, now += Window);        // 3 → 2
        Assert.Equal(2, monitor.Threads(now));
        now += Hold;
        Assert.Equal(3, monitor.Threads(now));
        Window_(monitor, 3, 0.0, now += Window);        // the probe of 3 runs clean
        Assert.Equal(3, monitor.Threads(now));
        Assert.Equal(4, monitor.Threads(now + Hold));   // then 4 is probed
    }

    [Fact]
    public void A_context_splits_over_the_threads_its_monitor_allows()
    {
        using var compute = new ComputeContext(3);
        Window_(compute.Contention, 3, 0.9, System.Diagnostics.Stopwatch.GetTimestamp());
        Assert.Equal(2, compute.ActiveThreads);
        using (compute.GiveWay()) Assert.Equal(2, compute.ActiveThreads);   // the fewer of the two, not both
    }
}
