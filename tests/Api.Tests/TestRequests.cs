// Request bodies the tests send, as a client would write them (anonymous objects → camelCase JSON).
namespace LstmService.Api.Tests;

internal static class TestRequests
{
    /// <summary>n sequences of noisy sine windows of the given length with a next-value target.</summary>
    public static object[] SineSequences(int count, int length, int seed = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(n =>
        {
            double phase = random.NextDouble() * 6.28;
            var inputs = Enumerable.Range(0, length).Select(t => new[] { Math.Sin(phase + 0.3 * t), Math.Cos(phase + 0.3 * t) }).ToArray();
            return (object)new { inputs, target = new[] { Math.Sin(phase + 0.3 * length) } };
        }).ToArray();
    }

    public static object SmallJob(object[] sequences, int epochs = 5, object? training = null, string name = "small") => new
    {
        name,
        data = new { sequences },
        model = new { cell = "standard", hiddenSize = 8, layers = 1, output = new { kind = "dense", size = 1, steps = "last" }, loss = "mse" },
        training = training ?? new { epochs, batchSize = 4, learningRate = 0.01, validationFraction = 0.25, seed = 3 },
    };
}
