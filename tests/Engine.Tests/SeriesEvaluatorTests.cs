// The evaluator's baselines and bookkeeping on a small series worked by hand: which origins,
// which targets, the naive and seasonal-naive forecasts, filled values left out, MASE's scale.
using LstmService.Engine.Evaluation;

namespace LstmService.Engine.Tests;

public class SeriesEvaluatorTests
{
    // 12 rows, one column: a season of 3 (1, 5, 9) rising by 1 each season, except row 10.
    private static readonly double[] Values = [1, 5, 9, 2, 6, 10, 3, 7, 11, 4, 20, 12];
    private static double[][] Rows => [.. Values.Select(v => new[] { v })];

    [Fact]
    public void Baselines_are_the_last_value_and_the_value_a_season_back_on_the_same_targets()
    {
        var evaluator = new SeriesEvaluator(Rows, null, [0], [0], window: 2, horizon: 2, seasonLength: 3);
        // A "model" that forecasts 0 everywhere, so its errors are the actual values themselves.
        var forecasts = evaluator.Forecast(9, 12, windows => [.. windows.Select(_ => new double[2])]);
        Assert.Equal([9, 10, 11], forecasts.Origins);
        var scores = evaluator.Score(forecasts, [1.0]);
        Assert.Equal(3, scores.Origins);

        // Step 1: targets rows 9, 10, 11 from origins 9, 10, 11.
        var step1 = scores.Steps[0];
        Assert.Equal(3, step1.Points[0]);
        Assert.Equal(Mae([4, 20, 12], [11, 4, 20]), step1.Naive[0]!.Mae!.Value, 12);          // rows 8, 9, 10
        Assert.Equal(Mae([4, 20, 12], [3, 7, 11]), step1.SeasonalNaive[0]!.Mae!.Value, 12);    // rows 6, 7, 8
        Assert.Equal(Mae([4, 20, 12], [0, 0, 0]), step1.Model[0]!.Mae!.Value, 12);
        // Step 2: targets rows 10, 11 (row 12 is past the end) from origins 9, 10.
        var step2 = scores.Steps[1];
        Assert.Equal(2, step2.Points[0]);
        Assert.Equal(Mae([20, 12], [11, 4]), step2.Naive[0]!.Mae!.Value, 12);                 // the origin's last value: rows 8, 9
        Assert.Equal(Mae([20, 12], [7, 11]), step2.SeasonalNaive[0]!.Mae!.Value, 12);          // rows 7, 8
    }

    [Fact]
    public void A_step_beyond_a_season_looks_back_whole_seasons_from_before_the_origin()
    {
        var evaluator = new SeriesEvaluator(Rows, null, [0], [0], window: 1, horizon: 4, seasonLength: 2);
        var scores = evaluator.Score(evaluator.Forecast(8, 12, w => [.. w.Select(_ => new double[4])]), [1.0]);
        // Origin 8, step 4: target row 11; k = ⌊3/2⌋ = 1, so 2·2 = 4 rows back: row 7, the last seen season's point.
        Assert.Equal(1, scores.Steps[3].Points[0]);
        Assert.Equal(Math.Abs(12 - 7), scores.Steps[3].SeasonalNaive[0]!.Mae!.Value, 12);
    }

    [Fact]
    public void Filled_targets_are_not_scored_and_the_scale_skips_filled_pairs()
    {
        var missing = Values.Select((_, t) => new[] { t == 10 || t == 4 }).ToArray();
        var evaluator = new SeriesEvaluator(Rows, missing, [0], [0], window: 2, horizon: 1, seasonLength: 3);
        var scores = evaluator.Score(evaluator.Forecast(9, 12, w => [.. w.Select(_ => new double[1])]), [1.0]);
        Assert.Equal(2, scores.Steps[0].Points[0]);                                      // rows 9 and 11
        Assert.Equal(Mae([4, 12], [11, 20]), scores.Steps[0].Naive[0]!.Mae!.Value, 12);
        // Rows 3..8 against 3 back, the pairs (4, 1) and (7, 4) skipped: |2−1|, |10−9|, |3−2|, |11−10|.
        double[] expected = [1, 1, 1, 1];
        Assert.Equal(expected.Average(), evaluator.SeasonalScale(9)[0], 12);
    }

    [Fact]
    public void The_forecaster_gets_each_origins_window_of_input_columns()
    {
        double[][] rows = [.. Enumerable.Range(0, 8).Select(t => new double[] { t, 100 + t })];
        var evaluator = new SeriesEvaluator(rows, null, [0, 1], [1], window: 3, horizon: 1, seasonLength: 1);
        var seen = new List<double[][]>();
        evaluator.Forecast(6, 8, w => { seen.AddRange(w); return [.. w.Select(x => new[] { x[^1][1] })]; });
        Assert.Equal([3.0, 103, 4, 104, 5, 105], seen[0].SelectMany(r => r));
        Assert.Equal(6.0, seen[1][^1][0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => evaluator.Forecast(2, 8, w => []));
    }

    private static double Mae(double[] actual, double[] forecast) => actual.Zip(forecast, (a, f) => Math.Abs(a - f)).Average();
}
