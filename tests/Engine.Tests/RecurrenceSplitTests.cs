// A layer's time loop runs split by batch rows over the worker pool; these tests hold every path
// of it to the same bits with one thread or two: uneven batches (3 + 2 rows, both blocks below 4
// rows and so on the separate products; 7 + 6 rows, on the one-call step product with edge
// blocks), both cells, both precisions, two layers (so dInput too), an initial state, a
// forward for prediction, which keeps nothing for Backward, weights packed once, and rows handed
// from one thread to the other near the end of a pass.
using System.Numerics;
using LstmService.Engine.Data;
using LstmService.Engine.Layers;
using LstmService.Engine.Training;

namespace LstmService.Engine.Tests;

[Collection(nameof(RowHandoffHooks))]
public class RecurrenceSplitTests
{
    // Batch 5, T 6, H 64: 6·5·4·64² multiply-adds, above the threshold for splitting the loop.
    private static ModelSpec Spec(CellKind cell) =>
        new() { InputSize = 3, HiddenSize = 64, Layers = 2, OutputSize = 2, Steps = OutputSteps.All, Cell = cell };

    [Theory]
    [InlineData(CellKind.Standard, false, 5)]
    [InlineData(CellKind.Standard, true, 5)]
    [InlineData(CellKind.Seed, false, 5)]
    [InlineData(CellKind.Seed, true, 5)]
    [InlineData(CellKind.Standard, false, 13)]
    [InlineData(CellKind.Standard, true, 13)]
    [InlineData(CellKind.Seed, false, 13)]
    public void Forward_and_backward_give_the_same_bits_with_one_thread_or_two(CellKind cell, bool float64, int batch)
    {
        if (float64) Check<double>(cell, batch);
        else Check<float>(cell, batch);
    }

    private static void Check<T>(CellKind cell, int batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var one = WithThreads(1, compute => Gradients<T>(Spec(cell), batch, compute));
        var two = WithThreads(2, compute => Gradients<T>(Spec(cell), batch, compute));
        Assert.Equal(one, two);
    }

    // The first block hands the second half of its rows to the other thread for the last 3 steps
    // (forced here, once the other thread is idle; in a run, whenever it is): forward, backward,
    // and a forward for prediction give the bits of one thread. Batch 40: blocks of 20, halves of 8 and 12.
    [Theory]
    [InlineData(CellKind.Standard, false, 2, 40)]
    [InlineData(CellKind.Standard, true, 2, 40)]
    [InlineData(CellKind.Seed, false, 2, 40)]
    [InlineData(CellKind.Standard, false, 4, 80)]   // four blocks of 20: three may see the idle thread at once
    public void Rows_handed_over_between_threads_give_the_same_bits(CellKind cell, bool float64, int threads, int batch)
    {
        var one = WithThreads(1, compute => float64 ? Bits(Gradients<double>(Spec(cell), batch, compute)) : Bits(Gradients<float>(Spec(cell), batch, compute)));
        var predictedOne = WithThreads(1, compute => OutputsAndFinalState(Spec(cell), batch, keepForBackward: false, compute));
        RowHandoff.ForcedAtStepsLeft = 3;
        try
        {
            int handedBefore = RowHandoff.TakenByAnotherThread;
            // Two layers, forward and backward, then a forward: 6 passes, whose offer the other
            // thread takes whenever its block had started by then. A worker still waking (the
            // first runs of a process) or four threads on two cores may leave the poster to take
            // its own: the bits must hold every time, and with two threads some attempt hands
            // rows to the other thread.
            using var compute = FixedThreads.Context(threads);
            for (int attempt = 0; attempt < 10; attempt++)
            {
                var two = float64 ? Bits(Gradients<double>(Spec(cell), batch, compute)) : Bits(Gradients<float>(Spec(cell), batch, compute));
                var predictedTwo = OutputsAndFinalState(Spec(cell), batch, keepForBackward: false, compute);
                Assert.Equal(one, two);
                Assert.Equal(predictedOne, predictedTwo);
                if (RowHandoff.TakenByAnotherThread > handedBefore) break;
            }
            if (threads == 2) Assert.True(RowHandoff.TakenByAnotherThread > handedBefore, "no rows went to another thread");
        }
        finally { RowHandoff.ForcedAtStepsLeft = null; }
    }

    private static long[] Bits<T>(T[] values) where T : unmanaged, IFloatingPointIeee754<T> =>
        [.. values.Select(v => BitConverter.DoubleToInt64Bits(double.CreateChecked(v)))];

    [Fact]
    public void A_forward_from_an_initial_state_gives_the_same_bits_with_one_thread_or_two()
    {
        var spec = Spec(CellKind.Standard);
        var one = WithThreads(1, compute => FromState(spec, compute));
        var two = WithThreads(2, compute => FromState(spec, compute));
        Assert.Equal(one, two);
    }

    // Split over two threads, a forward for prediction reuses two steps' gate rows for all steps
    // (one thread: the unsplit loop, which reuses nothing, as a control).
    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 5)]
    [InlineData(2, 13)]
    public void A_forward_for_prediction_gives_the_bits_of_one_kept_for_backward(int threads, int batch)
    {
        var spec = Spec(CellKind.Standard);
        var kept = WithThreads(threads, compute => OutputsAndFinalState(spec, batch, keepForBackward: true, compute));
        var predicted = WithThreads(threads, compute => OutputsAndFinalState(spec, batch, keepForBackward: false, compute));
        Assert.Equal(kept, predicted);
    }

    // A Predictor's network packs its weights once, at the first forward after they are marked
    // final (an earlier forward's packing of other weights is not kept): the later forwards reuse
    // that packing (they no longer read the weights: zeroing W_hh changes nothing) and give the
    // bits of a network that packs at every forward, split (two threads) or not (batch 1).
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 13)]
    public void Weights_marked_final_are_packed_once_and_give_the_same_bits(int threads, int batch)
    {
        var spec = Spec(CellKind.Standard);
        var packedEveryTime = WithThreads(threads, compute => OutputsAndFinalState(spec, batch, keepForBackward: false, compute));
        using var compute = FixedThreads.Context(threads);
        var network = new LstmNetwork<float>(spec, compute);
        network.Initialize(new Rng(2));
        OutputsAndFinalState(network, spec, batch);   // packs other weights first
        network.Initialize(new Rng(1));
        network.MarkWeightsFinal();
        var first = OutputsAndFinalState(network, spec, batch);
        foreach (var l in Enumerable.Range(0, spec.Layers)) network.Parameters.ValuesOf($"lstm.weight_hh_l{l}").Clear();
        var second = OutputsAndFinalState(network, spec, batch);
        Assert.Equal(packedEveryTime, first);
        Assert.Equal(packedEveryTime, second);
    }

    [Fact]
    public void Backward_after_a_forward_for_prediction_is_refused()
    {
        var spec = Spec(CellKind.Standard);
        var network = new LstmNetwork<float>(spec);
        network.Initialize(new Rng(1));
        network.Forward(Batch<float>(spec, withTargets: true, 5), keepForBackward: false);
        Assert.Throws<InvalidOperationException>(() => network.Backward());
    }

    private static float[] OutputsAndFinalState(ModelSpec spec, int batch, bool keepForBackward, ComputeContext compute)
    {
        var network = new LstmNetwork<float>(spec, compute);
        network.Initialize(new Rng(1));
        return OutputsAndFinalState(network, spec, batch, keepForBackward);
    }

    private static float[] OutputsAndFinalState(LstmNetwork<float> network, ModelSpec spec, int batch, bool keepForBackward = false)
    {
        network.Forward(Batch<float>(spec, withTargets: false, batch), keepForBackward: keepForBackward);
        var (h, c) = network.FinalState();
        return [.. network.Outputs, .. h.SelectMany(row => row), .. c.SelectMany(row => row)];
    }

    private static T[] Gradients<T>(ModelSpec spec, int batch, ComputeContext compute) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var network = new LstmNetwork<T>(spec, compute);
        network.Initialize(new Rng(1));
        network.Forward(Batch<T>(spec, withTargets: true, batch));
        network.Backward();
        return [.. network.Outputs, .. network.Parameters.Gradients];
    }

    private static float[] FromState(ModelSpec spec, ComputeContext compute)
    {
        var network = new LstmNetwork<float>(spec, compute);
        network.Initialize(new Rng(1));
        var rng = new Rng(9);
        float[][] State() => [.. Enumerable.Range(0, spec.Layers).Select(_ => Enumerable.Range(0, 5 * spec.HiddenSize).Select(_ => (float)rng.NextUniform(-1, 1)).ToArray())];
        var h0 = State();
        var c0 = State();
        network.Forward(Batch<float>(spec, withTargets: false, 5), initialH: h0, initialC: c0);
        return [.. network.Outputs, .. network.Layers[^1].Cells];
    }

    // Lengths 6, 6, 4, 6, 5, … (T 6): padded rows in both blocks.
    private static SequenceBatch<T> Batch<T>(ModelSpec spec, bool withTargets, int batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int[] lengths = [6, 6, 4, 6, 5];
        var sequences = TestData.Random(spec, [.. Enumerable.Range(0, batch).Select(i => lengths[i % lengths.Length])], seed: 3);
        return SequenceBatch<T>.Create(sequences, [.. Enumerable.Range(0, batch)], spec, withTargets);
    }

    private static TResult WithThreads<TResult>(int threads, Func<ComputeContext, TResult> run)
    {
        using var compute = FixedThreads.Context(threads);
        return run(compute);
    }
}
