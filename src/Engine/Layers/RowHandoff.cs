// Rebalancing a layer's split time loop at its end. Each thread runs a whole recurrence for its
// block of batch rows, so when one finishes early (the two vCPUs here differ by 10–15% in speed,
// and which one is slower changes within minutes), it would wait out the rest of the other's
// pass. Instead the running block, at its next step boundary, hands the second half of its rows
// to the idle thread, which continues them from that step. A row is computed the same way
// whichever thread continues it, so the bits do not change. One offer per pass.
using LstmService.Engine.Kernels;

namespace LstmService.Engine.Layers;

internal sealed class RowHandoff
{
    // Tests: the first block offers at this many steps left, once another thread is idle (or at
    // once when a block has not started yet), so that the handed-over path runs every time.
    internal static int? ForcedAtStepsLeft { get; set; }

    // Tests: how many offers a thread other than the poster took, over the process.
    internal static int TakenByAnotherThread => Volatile.Read(ref s_takenByAnother);
    private static int s_takenByAnother;

    private int _parts, _started, _finished, _idle, _posted, _taken;
    private int _from, _to, _step, _poster;

    public void Reset(int parts) => (_parts, _started, _finished, _idle, _posted, _taken) = (parts, 0, 0, 0, 0, 0);

    public void Started() => Interlocked.Increment(ref _started);

    /// <summary>
    /// Called by a running block [from, to) after each step, with the step it runs next and how
    /// many remain: returns its new end, lower when it handed rows over.
    /// </summary>
    public int Offer(int from, int to, int nextStep, int stepsLeft)
    {
        // Blocks of at least 8 rows each side, so both keep the kernel's whole 8-row tiles.
        if (Volatile.Read(ref _posted) != 0 || to - from < 2 * MatMul.Mr || stepsLeft < 2) return to;
        if (ForcedAtStepsLeft is { } forced)
        {
            if (from != 0 || stepsLeft != forced) return to;
            var spinner = new SpinWait();
            while (Volatile.Read(ref _idle) == 0 && Volatile.Read(ref _started) == _parts) spinner.SpinOnce(sleep1Threshold: -1);
        }
        else if (Volatile.Read(ref _idle) == 0) return to;
        // Two running blocks may see an idle thread at once: one posts, the other keeps its rows.
        if (Interlocked.CompareExchange(ref _posted, 2, 0) != 0) return to;
        int mid = from + (to - from) / 2 / MatMul.Mr * MatMul.Mr;
        (_from, _to, _step, _poster) = (mid, to, nextStep, Environment.CurrentManagedThreadId);
        Volatile.Write(ref _posted, 1);   // publishes the rows, and everything the block wrote before
        return mid;
    }

    /// <summary>
    /// After a block's own rows: waits while another block still runs, and returns the rows it
    /// hands over, if any. Returns null at once when a block has not been started yet, so the
    /// thread goes on to claim it (a worker slow to wake must never make the caller wait).
    /// </summary>
    public (int From, int To, int Step)? Finished()
    {
        Interlocked.Increment(ref _finished);
        Interlocked.Increment(ref _idle);
        try
        {
            var spinner = new SpinWait();
            while (true)
            {
                if (TryTake() is { } offer) return offer;
                if (Volatile.Read(ref _started) < _parts) return null;
                // Every block finished its own rows: an offer posted before the last of them is seen now.
                if (Volatile.Read(ref _finished) == _parts) return TryTake();
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }
        finally { Interlocked.Decrement(ref _idle); }
    }

    /// <summary>A block that threw before finishing its rows: counted as finished, so no thread waits for it.</summary>
    public void Failed() => Interlocked.Increment(ref _finished);

    private (int From, int To, int Step)? TryTake()
    {
        if (Volatile.Read(ref _posted) != 1 || Interlocked.CompareExchange(ref _taken, 1, 0) != 0) return null;
        if (_poster != Environment.CurrentManagedThreadId) Interlocked.Increment(ref s_takenByAnother);
        return (_from, _to, _step);
    }
}
