// Concurrent predictions of one model run as one batched forward pass, as Triton's and BentoML's
// dynamic batching do. A request for an idle model runs at once, on its own thread. Requests that
// arrive while the model computes wait together, and the next forward serves them all. Under load,
// one forward then answers many requests, at about the cost of one. A sequence's outputs are the
// same bits alone or in a batch (PredictorTests), so batching changes no answer.
namespace LstmService.Api.Models;

internal sealed class PredictionBatcher(Func<IReadOnlyList<double[][]>, int, double[][][]> predict, ServingOptions options)
{
    private sealed class Pending(IReadOnlyList<double[][]> sequences, int series)
    {
        public IReadOnlyList<double[][]> Sequences { get; } = sequences;
        public int Series { get; } = series;
        public TaskCompletionSource<double[][][]> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly Lock _gate = new();
    private readonly Queue<Pending> _waiting = new();
    private bool _draining;    // a thread is taking batches from the queue until it is empty
    private int _forwardPasses;

    /// <summary>How many forward passes have answered this model's batched requests.</summary>
    public int ForwardPasses => Volatile.Read(ref _forwardPasses);

    /// <summary>Outputs for each sequence, computed in a batch with whatever other requests are waiting.</summary>
    public Task<double[][][]> PredictAsync(IReadOnlyList<double[][]> sequences, int series)
    {
        var pending = new Pending(sequences, series);
        lock (_gate)
        {
            _waiting.Enqueue(pending);
            if (_draining) return pending.Result.Task;
            _draining = true;
        }
        if (options.BatchWindowMilliseconds > 0)
        {
            _ = Task.Run(async () => { await Task.Delay(options.BatchWindowMilliseconds); Drain(); });
            return pending.Result.Task;
        }
        // This request's batch runs here; later ones, gathered meanwhile, on a pool thread, so
        // that this answer does not wait for them.
        if (RunNextBatch()) _ = Task.Run(Drain);
        return pending.Result.Task;
    }

    private void Drain()
    {
        while (RunNextBatch()) { }
    }

    // Runs the waiting requests (up to MaxBatchSequences sequences); true while more are waiting.
    private bool RunNextBatch()
    {
        var batch = new List<Pending>();
        lock (_gate)
        {
            int sequences = 0;
            while (_waiting.TryPeek(out var next) && (batch.Count == 0 || sequences + next.Sequences.Count <= options.MaxBatchSequences))
            {
                batch.Add(_waiting.Dequeue());
                sequences += next.Sequences.Count;
            }
            if (batch.Count == 0)
            {
                _draining = false;
                return false;
            }
        }
        foreach (var series in batch.GroupBy(p => p.Series)) Run([.. series]);
        lock (_gate)
        {
            if (_waiting.Count > 0) return true;
            _draining = false;
            return false;
        }
    }

    private void Run(List<Pending> group)
    {
        try
        {
            Interlocked.Increment(ref _forwardPasses);
            var outputs = predict([.. group.SelectMany(p => p.Sequences)], group[0].Series);
            int at = 0;
            foreach (var pending in group)
            {
                pending.Result.SetResult(outputs[at..(at + pending.Sequences.Count)]);
                at += pending.Sequences.Count;
            }
        }
        catch (Exception) when (group.Count > 1)
        {
            // One request's bad value must not fail the others: halves, until it is alone.
            Run(group[..(group.Count / 2)]);
            Run(group[(group.Count / 2)..]);
        }
        catch (Exception e)
        {
            group[0].Result.SetException(e);
        }
    }
}
