// The kernel's thread count, set for one test and restored after it: tests that compare 1 and 2
// threads share the static MatMul.MaxThreads, so they run in one collection, never side by side.
using LstmService.Engine.Kernels;

namespace LstmService.Engine.Tests;

[CollectionDefinition(nameof(ThreadCountSensitive), DisableParallelization = true)]
public class ThreadCountSensitive;

internal sealed class ThreadCount : IDisposable
{
    private readonly int _saved = MatMul.MaxThreads;

    private ThreadCount(int threads) => MatMul.MaxThreads = threads;

    /// <summary>MatMul.MaxThreads = threads until the result is disposed.</summary>
    public static ThreadCount Use(int threads) => new(threads);

    public void Dispose() => MatMul.MaxThreads = _saved;
}
