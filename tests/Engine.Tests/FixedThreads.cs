// A context that splits over exactly its threads. Contexts otherwise split over fewer while the
// machine leaves threads waiting (ContentionMonitor), and parallel tests on two cores do: a test of
// the split would then quietly test the unsplit path.
namespace LstmService.Engine.Tests;

internal static class FixedThreads
{
    public static ComputeContext Context(int threads) => new(threads) { FollowsContention = false };
}
