// A compute context that gives way splits its work over one thread fewer until every give-way
// ends, and computes the same bits meanwhile.
using LstmService.Engine.Data;
using LstmService.Engine.Layers;
using LstmService.Engine.Training;

namespace LstmService.Engine.Tests;

public class ComputeContextTests
{
    [Fact]
    public void Giving_way_takes_one_thread_until_every_give_way_ends()
    {
        using var compute = FixedThreads.Context(3);
        Assert.Equal(3, compute.ActiveThreads);
        var first = compute.GiveWay();
        var second = compute.GiveWay();
        Assert.Equal(2, compute.ActiveThreads);   // one thread fewer, however many give way
        first.Dispose();
        first.Dispose();                          // a second dispose changes nothing
        Assert.Equal(2, compute.ActiveThreads);
        second.Dispose();
        Assert.Equal(3, compute.ActiveThreads);
        using var single = FixedThreads.Context(1);
        using (single.GiveWay()) Assert.Equal(1, single.ActiveThreads);
    }

    [Fact]
    public void A_network_gives_the_same_bits_while_its_context_gives_way()
    {
        // Batch 13, H 64: the time loop and the products are split when two threads are active.
        var spec = new ModelSpec { InputSize = 3, HiddenSize = 64, Layers = 2, OutputSize = 2, Steps = OutputSteps.All };
        using var compute = FixedThreads.Context(2);
        var network = new LstmNetwork<float>(spec, compute);
        network.Initialize(new Rng(1));
        var batch = SequenceBatch<float>.Create(TestData.Random(spec, Enumerable.Repeat(6, 13).ToArray(), seed: 3), [.. Enumerable.Range(0, 13)], spec, withTargets: true);
        float[] Run()
        {
            network.Parameters.Gradients.AsSpan().Clear();
            network.Forward(batch);
            network.Backward();
            return [.. network.Outputs, .. network.Parameters.Gradients];
        }
        var split = Run();
        using (compute.GiveWay()) Assert.Equal(split, Run());
    }
}
