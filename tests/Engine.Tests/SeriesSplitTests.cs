// The split by time: no training window may see a validation or test target, no validation
// window a test target. Each row's value is its own index, so a window's targets say where they lie.
using LstmService.Engine.Data;

namespace LstmService.Engine.Tests;

public class SeriesSplitTests
{
    private static double[][] Indexed(int rows) => [.. Enumerable.Range(0, rows).Select(t => new double[] { t, -t })];

    [Theory]
    [InlineData(100, 10, 1, 0.1, 0.1)]
    [InlineData(257, 24, 3, 0.1, 0.1)]
    [InlineData(203, 8, 4, 0.2, 0.15)]
    [InlineData(60, 5, 2, 0, 0.1)]
    [InlineData(60, 5, 2, 0.1, 0)]
    public void No_training_window_has_a_target_in_the_validation_or_test_part(int rows, int window, int horizon, double validationFraction, double testFraction)
    {
        var split = SeriesSplit.Create(rows, window, horizon, validationFraction, testFraction);
        Assert.Equal((int)Math.Round(testFraction * rows, MidpointRounding.AwayFromZero), split.TestRows);
        Assert.Equal(validationFraction == 0 ? 0 : Math.Max(horizon, (int)Math.Round(validationFraction * rows, MidpointRounding.AwayFromZero)), split.ValidationRows);
        Assert.Equal(rows, split.TrainingRows + split.ValidationRows + split.TestRows);

        var (train, validation) = split.Windows(Indexed(rows), window, horizon, [0, 1], [0]);
        // Each target row holds the indices of the rows it predicts.
        Assert.All(train, w => Assert.All(w.Targets![0], t => Assert.True(t < split.ValidationStart, $"a training target at row {t}")));
        Assert.All(validation, w => Assert.All(w.Targets![0], t => Assert.InRange(t, split.ValidationStart, split.TestStart - 1)));
        // Every window that fits is used: the training part's and the validation part's.
        Assert.Equal(split.TrainingRows - window - horizon + 1, train.Count);
        Assert.Equal(split.ValidationRows == 0 ? 0 : split.ValidationRows - horizon + 1, validation.Count);
        Assert.Equal(split.ValidationStart, validation.Count == 0 ? split.ValidationStart : (int)validation[0].Targets![0][0]);
        // Inputs are the window rows before the first target, all columns.
        Assert.All(train.Concat(validation), w => Assert.Equal(w.Targets![0][0] - 1, w.Inputs[^1][0]));
        Assert.All(train, w => Assert.Equal(2, w.Inputs[0].Length));
    }

    [Fact]
    public void A_series_too_short_for_one_training_window_is_refused_with_the_numbers()
    {
        var e = Assert.Throws<ArgumentException>(() => SeriesSplit.Create(30, 24, 1, 0.1, 0.1));
        Assert.Equal("window", e.ParamName);
        Assert.Contains("leave 24 to train on, fewer than one window of 24 + 1 rows", e.Message);
    }
}
