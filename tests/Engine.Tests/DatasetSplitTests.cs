// The train/validation split: reproducible per seed, sizes with their edge cases, the two parts
// disjoint and covering in the original order, and out-of-range fractions rejected.
using LstmService.Engine.Data;

namespace LstmService.Engine.Tests;

public class DatasetSplitTests
{
    /// <summary>Sequence n has the single input value n, so a part's contents are easy to read back.</summary>
    private static List<Sequence> Numbered(int count) =>
        Enumerable.Range(0, count).Select(n => new Sequence([[(double)n]])).ToList();

    private static int[] Ids(IReadOnlyList<Sequence> part) => part.Select(s => (int)s.Inputs[0][0]).ToArray();

    [Fact]
    public void Same_seed_gives_the_same_split()
    {
        var data = Numbered(50);
        var a = DatasetSplit.Split(data, 0.2, seed: 42);
        var b = DatasetSplit.Split(data, 0.2, seed: 42);
        Assert.Equal(Ids(a.Train), Ids(b.Train));
        Assert.Equal(Ids(a.Validation), Ids(b.Validation));
    }

    [Fact]
    public void Another_seed_gives_another_split()
    {
        var data = Numbered(50);
        var a = Ids(DatasetSplit.Split(data, 0.2, seed: 42).Validation);
        var b = Ids(DatasetSplit.Split(data, 0.2, seed: 43).Validation);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Parts_are_disjoint_cover_everything_and_keep_the_original_order()
    {
        var data = Numbered(37);
        var (train, validation) = DatasetSplit.Split(data, 0.3, seed: 7);

        int[] t = Ids(train), v = Ids(validation);
        Assert.Empty(t.Intersect(v));
        Assert.Equal(Enumerable.Range(0, 37), t.Concat(v).Order());
        Assert.Equal(t.Order(), t);
        Assert.Equal(v.Order(), v);
        // The very same sequence objects, not copies.
        Assert.Same(data[t[0]], train[0]);
        // Not simply the last 30 %: the shuffle picked them.
        Assert.NotEqual(Enumerable.Range(26, 11), v);
    }

    [Theory]
    [InlineData(10, 0.2, 2)]
    [InlineData(10, 0.25, 3)]   // 2.5 rounds away from zero
    [InlineData(7, 0.5, 4)]     // 3.5 rounds up too
    [InlineData(100, 0.001, 1)] // at least one when the fraction is positive
    [InlineData(2, 0.01, 1)]
    [InlineData(3, 0.99, 2)]    // training keeps at least one
    [InlineData(1, 0.5, 0)]     // one sequence: it trains
    [InlineData(10, 0.0, 0)]
    public void Validation_size(int n, double fraction, int expected)
    {
        var (train, validation) = DatasetSplit.Split(Numbered(n), fraction, seed: 1);
        Assert.Equal(expected, validation.Count);
        Assert.Equal(n - expected, train.Count);
    }

    [Fact]
    public void Fraction_zero_keeps_everything_in_order_for_training()
    {
        var data = Numbered(9);
        var (train, validation) = DatasetSplit.Split(data, 0, seed: 3);
        Assert.Empty(validation);
        Assert.Equal(data, train);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Fractions_outside_zero_to_one_are_rejected(double fraction)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSplit.Split(Numbered(5), fraction, seed: 1));
        Assert.Equal("validationFraction", error.ParamName);
    }

    [Fact]
    public void No_sequences_is_rejected()
    {
        Assert.Equal("sequences", Assert.Throws<ArgumentException>(() => DatasetSplit.Split([], 0.2, seed: 1)).ParamName);
    }
}
