// The adding problem (Hochreiter & Schmidhuber 1997): a sequence of (value, marker) pairs with
// exactly two markers, one in each half; the target after the last step is the sum of the two
// marked values. Solving it needs memory across the whole sequence.
using LstmService.Engine.Data;
using LstmService.Engine.Training;

namespace LstmService.Engine.Tests;

internal static class AddingProblem
{
    public static readonly ModelSpec Spec = new() { InputSize = 2, HiddenSize = 32, OutputSize = 1, Steps = OutputSteps.Last };
    public static readonly TrainingOptions Options = new() { Epochs = 15, BatchSize = 16, LearningRate = 0.01, ClipNorm = 1 };

    public static (List<Sequence> Train, List<Sequence> Validation) Create(int steps, int trainCount, int validationCount, ulong seed)
    {
        var rng = new Rng(seed);
        Sequence One()
        {
            var inputs = Enumerable.Range(0, steps).Select(_ => new[] { rng.NextDouble(), 0.0 }).ToArray();
            int first = rng.NextInt(steps / 2), second = steps / 2 + rng.NextInt(steps - steps / 2);
            inputs[first][1] = inputs[second][1] = 1;
            return new Sequence(inputs, [[inputs[first][0] + inputs[second][0]]]);
        }
        return (Enumerable.Range(0, trainCount).Select(_ => One()).ToList(), Enumerable.Range(0, validationCount).Select(_ => One()).ToList());
    }
}
