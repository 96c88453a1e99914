// Sliding windows: exact contents on hand-made series, series boundaries, column selection,
// stride, and every invalid argument failing with an ArgumentException that names it.
using LstmService.Engine.Data;

namespace LstmService.Engine.Tests;

public class SlidingWindowsTests
{
    /// <summary>Row t is [t, 10t, 100t] plus an offset, so every value says where it came from.</summary>
    private static double[][] Series(int rows, double offset = 0) =>
        Enumerable.Range(0, rows).Select(t => new[] { offset + t, offset + 10 * t, offset + 100 * t }).ToArray();

    [Fact]
    public void Windows_hold_the_past_rows_and_the_next_rows_flattened_step_major()
    {
        var windows = SlidingWindows.Create([Series(6)], window: 3, horizon: 2);

        // Starts 0, 1: 6 rows fit 6 − (3 + 2) + 1 = 2 windows.
        Assert.Equal(2, windows.Count);
        Assert.Equal(new double[][] { [0, 0, 0], [1, 10, 100], [2, 20, 200] }, windows[0].Inputs);
        Assert.Equal(new double[][] { [3, 30, 300, 4, 40, 400] }, windows[0].Targets);
        Assert.Equal(new double[][] { [1, 10, 100], [2, 20, 200], [3, 30, 300] }, windows[1].Inputs);
        Assert.Equal(new double[][] { [4, 40, 400, 5, 50, 500] }, windows[1].Targets);
        Assert.All(windows, w => Assert.Null(w.Labels));
    }

    [Fact]
    public void Window_of_one_and_horizon_of_one()
    {
        var windows = SlidingWindows.Create([Series(4)], window: 1, horizon: 1, targetColumns: [2]);
        Assert.Equal(3, windows.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(new double[][] { [i, 10 * i, 100 * i] }, windows[i].Inputs);
            Assert.Equal(new double[][] { [100 * (i + 1)] }, windows[i].Targets);
        }
    }

    [Fact]
    public void Windows_copy_rows_rather_than_share_them()
    {
        var series = Series(3);
        var windows = SlidingWindows.Create([series], window: 2, horizon: 1);
        windows[0].Inputs[0][0] = 99;
        Assert.Equal(0, series[0][0]);
    }

    [Fact]
    public void Windows_never_cross_from_one_series_into_the_next()
    {
        // 5 rows → 2 windows; 3 rows → none (too short); 4 rows → 1 window.
        var windows = SlidingWindows.Create([Series(5), Series(3, offset: 1000), Series(4, offset: 2000)], window: 2, horizon: 2);

        Assert.Equal(3, windows.Count);
        Assert.Equal(new double[][] { [1, 10, 100], [2, 20, 200] }, windows[1].Inputs);
        Assert.Equal(new double[][] { [3, 30, 300, 4, 40, 400] }, windows[1].Targets);
        Assert.Equal(new double[][] { [2000, 2000, 2000], [2001, 2010, 2100] }, windows[2].Inputs);
        Assert.Equal(new double[][] { [2002, 2020, 2200, 2003, 2030, 2300] }, windows[2].Targets);
        // Each window's values all come from one series.
        foreach (var w in windows)
        {
            var all = w.Inputs.SelectMany(r => r).Concat(w.Targets!.SelectMany(r => r)).ToArray();
            Assert.True(all.All(v => v < 1000) || all.All(v => v >= 2000));
        }
    }

    [Fact]
    public void Column_selection_picks_inputs_and_targets_in_the_given_order()
    {
        var windows = SlidingWindows.Create([Series(5)], window: 2, horizon: 2, inputColumns: [2, 0], targetColumns: [1]);

        Assert.Equal(2, windows.Count);
        Assert.Equal(new double[][] { [100, 1], [200, 2] }, windows[1].Inputs);
        Assert.Equal(new double[][] { [30, 40] }, windows[1].Targets);
        Assert.Equal(new double[][] { [0, 0], [100, 1] }, windows[0].Inputs);
        Assert.Equal(new double[][] { [20, 30] }, windows[0].Targets);
    }

    [Fact]
    public void Stride_skips_starts()
    {
        // 10 rows, window 3, horizon 1: starts 0..6; stride 3 keeps 0, 3, 6.
        var windows = SlidingWindows.Create([Series(10)], window: 3, horizon: 1, inputColumns: [0], targetColumns: [0], stride: 3);

        Assert.Equal(3, windows.Count);
        Assert.Equal(new double[][] { [3], [4], [5] }, windows[1].Inputs);
        Assert.Equal(new double[][] { [6] }, windows[1].Targets);
        Assert.Equal(new double[][] { [6], [7], [8] }, windows[2].Inputs);
        Assert.Equal(new double[][] { [9] }, windows[2].Targets);
        // Stride 4 keeps 0 and 4; start 8 would need row 11.
        Assert.Equal(2, SlidingWindows.Create([Series(10)], 3, 1, stride: 4).Count);
    }

    [Fact]
    public void Windows_fit_a_last_step_model_spec()
    {
        var windows = SlidingWindows.Create([Series(8), Series(6)], window: 3, horizon: 2, inputColumns: [0, 1], targetColumns: [2]);
        var spec = new ModelSpec { InputSize = 2, HiddenSize = 4, OutputSize = 2, Steps = OutputSteps.Last };
        Sequence.Validate(windows, spec, requireTargets: true);
    }

    [Fact]
    public void Invalid_arguments_are_rejected_with_their_names()
    {
        double[][][] good = [Series(5)];
        Assert.Equal("window", Assert.Throws<ArgumentOutOfRangeException>(() => SlidingWindows.Create(good, 0, 1)).ParamName);
        Assert.Equal("horizon", Assert.Throws<ArgumentOutOfRangeException>(() => SlidingWindows.Create(good, 2, 0)).ParamName);
        Assert.Equal("stride", Assert.Throws<ArgumentOutOfRangeException>(() => SlidingWindows.Create(good, 2, 1, stride: 0)).ParamName);
        Assert.Equal("series", Assert.Throws<ArgumentException>(() => SlidingWindows.Create([], 2, 1)).ParamName);
        Assert.Equal("series", Assert.Throws<ArgumentException>(() => SlidingWindows.Create([Series(5), []], 2, 1)).ParamName);
        Assert.Equal("series", Assert.Throws<ArgumentException>(() => SlidingWindows.Create([[[1.0, 2], [3.0]]], 1, 1)).ParamName);
        Assert.Equal("series", Assert.Throws<ArgumentException>(() => SlidingWindows.Create([Series(5), [[1.0, 2]]], 1, 1)).ParamName);
        Assert.Equal("inputColumns", Assert.Throws<ArgumentOutOfRangeException>(() => SlidingWindows.Create(good, 2, 1, inputColumns: [3])).ParamName);
        Assert.Equal("inputColumns", Assert.Throws<ArgumentOutOfRangeException>(() => SlidingWindows.Create(good, 2, 1, inputColumns: [-1])).ParamName);
        Assert.Equal("inputColumns", Assert.Throws<ArgumentException>(() => SlidingWindows.Create(good, 2, 1, inputColumns: [])).ParamName);
        Assert.Equal("targetColumns", Assert.Throws<ArgumentException>(() => SlidingWindows.Create(good, 2, 1, targetColumns: [1, 1])).ParamName);
        Assert.Equal("targetColumns", Assert.Throws<ArgumentOutOfRangeException>(() => SlidingWindows.Create(good, 2, 1, targetColumns: [0, 7])).ParamName);

        var nan = Series(5);
        nan[3][1] = double.NaN;
        var error = Assert.Throws<ArgumentException>(() => SlidingWindows.Create([nan], 2, 1));
        Assert.Equal("series", error.ParamName);
        Assert.Contains("series[0][3][1]", error.Message);
        // A non-finite value in a column nobody uses is fine.
        Assert.Equal(3, SlidingWindows.Create([nan], 2, 1, inputColumns: [0, 2], targetColumns: [2]).Count);
    }

    [Fact]
    public void Series_all_too_short_say_how_long_they_must_be()
    {
        // Exactly window + horizon rows is one window; one fewer is none.
        Assert.Single(SlidingWindows.Create([Series(5)], window: 3, horizon: 2));
        var error = Assert.Throws<ArgumentException>(() => SlidingWindows.Create([Series(4), Series(2)], window: 3, horizon: 2));
        Assert.Equal("series", error.ParamName);
        Assert.Contains("5 rows", error.Message);
        Assert.Contains("longest series has 4", error.Message);
    }
}
