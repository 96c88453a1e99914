// The in-memory doorbell between the endpoints and the worker: posting a job rings it so the
// worker starts at once. The database stays the queue; a lost ring only delays to the next one.
using System.Collections.Concurrent;
using System.Threading.Channels;

namespace LstmService.Api.Training;

public sealed class TrainingQueue
{
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new();

    /// <summary>Wakes the worker: there is a queued job or a free slot.</summary>
    public void Signal() => _signal.Writer.TryWrite(true);

    public async Task WaitAsync(CancellationToken cancellationToken) => await _signal.Reader.ReadAsync(cancellationToken);

    /// <summary>A token for a running job, cancelled by <see cref="Cancel"/> or by <paramref name="stopping"/>.</summary>
    public CancellationTokenSource Track(string jobId, CancellationToken stopping)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _running[jobId] = source;
        return source;
    }

    public void Untrack(string jobId)
    {
        if (_running.TryRemove(jobId, out var source)) source.Dispose();
    }

    /// <summary>Cancels the job if it runs here; returns whether it did.</summary>
    public bool Cancel(string jobId)
    {
        if (!_running.TryGetValue(jobId, out var source)) return false;
        try
        {
            source.Cancel();
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false; // it finished just now
        }
    }
}
