// One series cut by time into training, validation and test rows, in that order, never shuffled:
// a forecaster is judged on a future it never saw, and stops early on a stretch it did not train on.
namespace LstmService.Engine.Data;

/// <summary>
/// Rows [0, <see cref="ValidationStart"/>) are the training part, [ValidationStart,
/// <see cref="TestStart"/>) the validation part, [TestStart, <see cref="Rows"/>) the test part.
/// A window belongs to the part its targets lie in: training windows have every target row in the
/// training part, validation windows every target row in the validation part (their inputs may
/// reach back into the training part, as a forecast's history does). Test windows are scored by
/// <see cref="Evaluation.SeriesEvaluator"/>, one per test row as its first target.
/// </summary>
public sealed record SeriesSplit(int Rows, int ValidationStart, int TestStart)
{
    public int TrainingRows => ValidationStart;
    public int ValidationRows => TestStart - ValidationStart;
    public int TestRows => Rows - TestStart;

    /// <summary>
    /// The last round(testFraction·rows) rows are the test part (at least 1 when the fraction is
    /// positive), the round(validationFraction·rows) before them the validation part (at least
    /// <paramref name="horizon"/>, one window's targets, when positive). Throws when the training
    /// part left has no room for one window of <paramref name="window"/> + horizon rows.
    /// </summary>
    public static SeriesSplit Create(int rows, int window, int horizon, double validationFraction, double testFraction)
    {
        if (!(testFraction >= 0 && testFraction < 1)) throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be in [0, 1).");
        if (!(validationFraction >= 0 && validationFraction < 1)) throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be in [0, 1).");
        int test = testFraction > 0 ? Math.Max(1, (int)Math.Round(testFraction * rows, MidpointRounding.AwayFromZero)) : 0;
        int validation = validationFraction > 0 ? Math.Max(horizon, (int)Math.Round(validationFraction * rows, MidpointRounding.AwayFromZero)) : 0;
        int training = rows - test - validation;
        if (training < window + horizon)
            throw new ArgumentException(
                $"The series has {rows} rows: {validation} for validation and {test} for testing leave {Math.Max(training, 0)} to train on, " +
                $"fewer than one window of {window} + {horizon} rows. Use a shorter window or smaller validation and test fractions.", nameof(window));
        return new SeriesSplit(rows, training, training + validation);
    }

    /// <summary>
    /// The training and validation windows of <paramref name="rows"/> ([N][V], N = <see cref="Rows"/>),
    /// as <see cref="SlidingWindows.Create"/> cuts them: inputs are <paramref name="inputColumns"/>,
    /// the target row the next horizon rows of <paramref name="targetColumns"/>. No training window
    /// has a target at or after <see cref="ValidationStart"/>; no validation window one at or after
    /// <see cref="TestStart"/>.
    /// </summary>
    public (IReadOnlyList<Sequence> Train, IReadOnlyList<Sequence> Validation) Windows(
        double[][] rows, int window, int horizon, int[] inputColumns, int[] targetColumns)
    {
        if (rows.Length != Rows) throw new ArgumentException($"The split is for {Rows} rows; got {rows.Length}.", nameof(rows));
        var train = SlidingWindows.Create([rows[..ValidationStart]], window, horizon, inputColumns, targetColumns);
        // Starting window rows before the validation part, so the first window's first target is its first row.
        var validation = ValidationRows == 0 ? [] : SlidingWindows.Create([rows[(ValidationStart - window)..TestStart]], window, horizon, inputColumns, targetColumns);
        return (train, validation);
    }
}
