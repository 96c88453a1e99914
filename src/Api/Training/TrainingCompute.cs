// The threads jobs train on: a compute context of their own, which gives way to predictions.
// While a prediction, forecast or evaluation computes, jobs split their work over one thread
// fewer, so the request a user waits on has a core. Results do not depend on the thread count.
using LstmService.Engine;

namespace LstmService.Api.Training;

public sealed class TrainingCompute : IDisposable
{
    public ComputeContext Context { get; } = new(Environment.ProcessorCount);

    /// <summary>Until disposed, jobs leave a core free.</summary>
    public IDisposable GiveWay() => Context.GiveWay();

    public void Dispose() => Context.Dispose();
}
