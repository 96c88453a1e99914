// Gaps filled by interpolation or by carrying the last value, each column on its own.
using LstmService.Engine.Data;

namespace LstmService.Engine.Tests;

public class MissingValuesTests
{
    private const double N = double.NaN;

    [Fact]
    public void Interpolation_draws_a_line_across_a_gap_and_holds_the_ends()
    {
        double[][] rows = [[N, 1], [2, N], [N, N], [N, 7], [8, N]];
        var filled = MissingValues.Fill(rows, MissingValueFill.Interpolate);
        Assert.Equal(new double[] { 2, 2, 4, 6, 8 }, filled.Select(r => r[0]));
        Assert.Equal(new double[] { 1, 3, 5, 7, 7 }, filled.Select(r => r[1]));
        Assert.True(double.IsNaN(rows[0][0])); // the input is left alone
    }

    [Fact]
    public void Forward_fill_repeats_the_last_value_and_starts_from_the_first()
    {
        double[][] rows = [[N], [3], [N], [N], [5], [N]];
        Assert.Equal(new double[] { 3, 3, 3, 3, 5, 5 }, MissingValues.Fill(rows, MissingValueFill.ForwardFill).Select(r => r[0]));
    }

    [Fact]
    public void The_mask_marks_exactly_the_gaps_and_is_null_without_any()
    {
        Assert.Null(MissingValues.Mask([[1, 2], [3, 4]]));
        var mask = MissingValues.Mask([[1, N], [N, 4]])!;
        Assert.Equal([false, true, true, false], mask.SelectMany(r => r));
        Assert.Throws<ArgumentException>(() => MissingValues.Fill([[N, 1], [N, 2]], MissingValueFill.Interpolate));
    }

    [Fact]
    public void Causal_filling_never_draws_a_row_from_a_later_one_after_the_boundary()
    {
        // Rows 0-3 are the training part; 4 on are held out.
        double[][] rows = [[1], [N], [3], [N], [N], [10], [N], [30]];
        var filled = MissingValues.FillCausal(rows, MissingValueFill.Interpolate, causalFrom: 4);
        // Inside the training part: a line between 1 and 3; its trailing gap holds 3, not a line towards 10.
        // After it: the last value carried forward, never (10 + 30) / 2.
        Assert.Equal(new double[] { 1, 2, 3, 3, 3, 10, 10, 30 }, filled.Select(r => r[0]));
        Assert.Equal(new double[] { 5, 5, 7 }, MissingValues.FillCausal([[N], [5], [7]], MissingValueFill.ForwardFill, 0).Select(r => r[0]));
    }
}
