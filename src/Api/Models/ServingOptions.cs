// How predictions are served: the configuration section "Serving".
namespace LstmService.Api.Models;

public sealed class ServingOptions
{
    /// <summary>
    /// The most sequences one batched forward pass gathers from concurrent predict requests of a
    /// model; 1 turns batching off. A request with more sequences runs alone.
    /// </summary>
    public int MaxBatchSequences { get; set; } = 64;

    /// <summary>
    /// How long a batch waits for more requests before it runs, in milliseconds. 0 (the default)
    /// waits for none: an idle model answers at once, and requests that arrive while it computes
    /// form the next batch.
    /// </summary>
    public int BatchWindowMilliseconds { get; set; }
}
