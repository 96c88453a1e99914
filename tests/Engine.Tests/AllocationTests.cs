// "No allocation inside the time loop": once a network's buffers are sized for a batch shape,
// a training step (forward, backward) allocates nothing on the managed heap.
using LstmService.Engine.Data;
using LstmService.Engine.Layers;
using LstmService.Engine.Training;

namespace LstmService.Engine.Tests;

public class AllocationTests
{
    [Theory]
    [InlineData(CellKind.Standard, OutputSteps.All, LossKind.MeanSquaredError, 1)]
    [InlineData(CellKind.Seed, OutputSteps.Last, LossKind.CrossEntropy, 1)]
    [InlineData(CellKind.Standard, OutputSteps.All, LossKind.MeanSquaredError, 2)]
    public void A_training_step_allocates_nothing_once_warmed_up(CellKind cell, OutputSteps steps, LossKind loss, int threads)
    {
        // Hidden 64 and batch 40: the per-step products are large enough to be split over threads.
        var spec = new ModelSpec { InputSize = 4, HiddenSize = 64, Layers = 2, Dropout = 0.1, Cell = cell, Steps = steps, Loss = loss, OutputSize = 3 };
        using var compute = FixedThreads.Context(threads);
        var network = new LstmNetwork<float>(spec, compute);
        network.Initialize(new Rng(1));
        var sequences = TestData.Random(spec, [.. Enumerable.Range(0, 40).Select(i => 3 + i % 4)], seed: 2);
        var batch = SequenceBatch<float>.Create(sequences, [.. Enumerable.Range(0, 40)], spec, withTargets: true);
        var rng = new Rng(3);
        network.Forward(batch, training: true, rng);
        network.Backward();
        long before = GC.GetAllocatedBytesForCurrentThread();
        network.Forward(batch, training: true, rng);
        network.Backward();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
