// The normalizer: statistics against direct two-pass formulas, round trips, constant columns,
// labels left alone, validation, and JSON round trips with default and web (camelCase) options.
using System.Text.Json;
using LstmService.Engine.Data;
using LstmService.Engine.Training;

namespace LstmService.Engine.Tests;

public class NormalizerTests
{
    private static List<Sequence> Regression(ulong seed, params int[] lengths)
    {
        var rng = new Rng(seed);
        // Columns on very different scales and offsets, as real features are.
        double[] scale = [1, 100, 0.01], offset = [0, -50, 1000];
        return lengths.Select(length => new Sequence(
            Enumerable.Range(0, length).Select(_ => Enumerable.Range(0, 3).Select(j => offset[j] + scale[j] * rng.NextUniform(-1, 1)).ToArray()).ToArray(),
            Targets: TestData.Rows(rng, length, 2).Select(r => new[] { r[0] * 10 + 3, r[1] - 7 }).ToArray())).ToList();
    }

    /// <summary>Mean and population std of column j over every row, by the textbook two-pass formula.</summary>
    private static (double Mean, double Std) Direct(IEnumerable<double[]> rows, int j)
    {
        var values = rows.Select(r => r[j]).ToArray();
        double mean = values.Sum() / values.Length;
        double variance = values.Select(v => (v - mean) * (v - mean)).Sum() / values.Length;
        return (mean, Math.Sqrt(variance));
    }

    [Fact]
    public void Statistics_match_direct_population_formulas_over_every_step()
    {
        var data = Regression(1, 5, 1, 8, 3);
        var normalizer = Normalizer.Fit(data, normalizeTargets: true);

        Assert.Equal(3, normalizer.InputMean.Count);
        for (int j = 0; j < 3; j++)
        {
            var (mean, std) = Direct(data.SelectMany(s => s.Inputs), j);
            Assert.Equal(mean, normalizer.InputMean[j], 1e-10);
            Assert.Equal(std, normalizer.InputStd[j], 1e-10);
        }
        Assert.Equal(2, normalizer.TargetMean!.Count);
        for (int j = 0; j < 2; j++)
        {
            var (mean, std) = Direct(data.SelectMany(s => s.Targets!), j);
            Assert.Equal(mean, normalizer.TargetMean[j], 1e-12);
            Assert.Equal(std, normalizer.TargetStd![j], 1e-12);
        }
    }

    [Fact]
    public void Normalized_training_data_has_mean_zero_and_std_one()
    {
        var data = Regression(2, 6, 9, 4);
        var normalized = Normalizer.Fit(data, normalizeTargets: true).Apply(data);
        for (int j = 0; j < 3; j++)
        {
            var (mean, std) = Direct(normalized.SelectMany(s => s.Inputs), j);
            // Column 2 is 1000 ± 0.01: subtracting the mean loses ~5 of 16 digits, so 1e-12 is out of reach.
            Assert.Equal(0, mean, 1e-9);
            Assert.Equal(1, std, 1e-9);
        }
        for (int j = 0; j < 2; j++)
        {
            var (mean, std) = Direct(normalized.SelectMany(s => s.Targets!), j);
            Assert.Equal(0, mean, 1e-12);
            Assert.Equal(1, std, 1e-12);
        }
    }

    [Fact]
    public void Normalize_then_denormalize_returns_the_targets()
    {
        var data = Regression(3, 7, 2);
        var normalizer = Normalizer.Fit(data, normalizeTargets: true);
        foreach (var s in data)
        {
            var back = normalizer.DenormalizeOutputs(normalizer.NormalizeTargets(s.Targets!));
            for (int t = 0; t < s.Targets!.Length; t++)
                for (int j = 0; j < 2; j++)
                    Assert.Equal(s.Targets[t][j], back[t][j], 1e-12);
        }
    }

    [Fact]
    public void Apply_does_not_modify_its_argument()
    {
        var data = Regression(4, 3);
        var inputs = data[0].Inputs.Select(r => (double[])r.Clone()).ToArray();
        var targets = data[0].Targets!.Select(r => (double[])r.Clone()).ToArray();
        Normalizer.Fit(data, normalizeTargets: true).Apply(data[0]);
        Assert.Equal(inputs, data[0].Inputs);
        Assert.Equal(targets, data[0].Targets);
    }

    [Fact]
    public void A_constant_column_gets_std_one_and_becomes_zero()
    {
        var data = new List<Sequence>
        {
            new([[0.1, 1], [0.1, 2]], Targets: [[5.0]]),
            new([[0.1, 4]], Targets: [[5.0]]),
        };
        var normalizer = Normalizer.Fit(data, normalizeTargets: true);

        Assert.Equal(0.1, normalizer.InputMean[0]);
        Assert.Equal(1.0, normalizer.InputStd[0]);
        Assert.Equal(1.0, normalizer.TargetStd![0]);
        var normalized = normalizer.Apply(data[0]);
        Assert.All(normalized.Inputs, r => Assert.Equal(0.0, r[0]));
        Assert.Equal(0.0, normalized.Targets![0][0]);
        Assert.Equal(5.0, normalizer.DenormalizeOutputs([[0.0]])[0][0]);
    }

    [Fact]
    public void A_single_row_fits_with_std_one()
    {
        var normalizer = Normalizer.Fit([new Sequence([[3.0, -2.0]])], normalizeTargets: false);
        Assert.Equal(new[] { 3.0, -2.0 }, normalizer.InputMean);
        Assert.Equal(new[] { 1.0, 1.0 }, normalizer.InputStd);
    }

    [Fact]
    public void Labels_are_untouched_and_targets_not_normalized_for_classification()
    {
        var spec = new ModelSpec { InputSize = 2, HiddenSize = 4, OutputSize = 3, Loss = LossKind.CrossEntropy };
        var data = TestData.Random(spec, [4, 6], seed: 5);
        var normalizer = Normalizer.Fit(data, normalizeTargets: false);

        Assert.Null(normalizer.TargetMean);
        Assert.Null(normalizer.TargetStd);
        var normalized = normalizer.Apply(data);
        for (int n = 0; n < data.Count; n++)
        {
            Assert.Equal(data[n].Labels, normalized[n].Labels);
            Assert.Null(normalized[n].Targets);
            Assert.NotEqual(data[n].Inputs, normalized[n].Inputs);
        }
        Assert.Throws<InvalidOperationException>(() => normalizer.NormalizeTargets([[1.0]]));
        // Outputs pass through unchanged (as a copy) when there is nothing to undo.
        double[][] probabilities = [[0.2, 0.3, 0.5]];
        var same = normalizer.DenormalizeOutputs(probabilities);
        Assert.Equal(probabilities, same);
        Assert.NotSame(probabilities[0], same[0]);
    }

    [Fact]
    public void Fit_on_regression_data_without_target_normalization_leaves_targets_alone()
    {
        var data = Regression(6, 4);
        var normalized = Normalizer.Fit(data, normalizeTargets: false).Apply(data[0]);
        Assert.Same(data[0].Targets, normalized.Targets);
    }

    [Fact]
    public void Prediction_inputs_without_targets_are_normalized()
    {
        var data = Regression(7, 5);
        var normalizer = Normalizer.Fit(data, normalizeTargets: true);
        var normalized = normalizer.Apply(new Sequence(data[0].Inputs));
        Assert.Null(normalized.Targets);
        Assert.Equal(normalizer.NormalizeInputs(data[0].Inputs), normalized.Inputs);
        Assert.Equal((data[0].Inputs[2][1] - normalizer.InputMean[1]) / normalizer.InputStd[1], normalized.Inputs[2][1], 1e-15);
    }

    [Fact]
    public void Bad_input_is_rejected_with_the_argument_named()
    {
        Assert.Equal("training", Assert.Throws<ArgumentException>(() => Normalizer.Fit([], false)).ParamName);
        Assert.Equal("training", Assert.Throws<ArgumentException>(() => Normalizer.Fit([new Sequence([[1.0, 2], [3.0]])], false)).ParamName);
        Assert.Equal("training", Assert.Throws<ArgumentException>(() => Normalizer.Fit([new Sequence([[1.0, double.NaN]])], false)).ParamName);
        var labelled = new Sequence([[1.0]], Labels: [0]);
        Assert.Equal("training", Assert.Throws<ArgumentException>(() => Normalizer.Fit([labelled], normalizeTargets: true)).ParamName);

        var normalizer = Normalizer.Fit(Regression(8, 3), normalizeTargets: true);
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => normalizer.NormalizeInputs([[1.0, 2.0]])).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => normalizer.DenormalizeOutputs([[1.0, 2.0, 3.0]])).ParamName);

        Assert.Equal("inputStd", Assert.Throws<ArgumentException>(() => new Normalizer([0.0], [0.0])).ParamName);
        Assert.Equal("inputStd", Assert.Throws<ArgumentException>(() => new Normalizer([0.0, 1.0], [1.0])).ParamName);
        Assert.Equal("inputMean", Assert.Throws<ArgumentException>(() => new Normalizer([double.NaN], [1.0])).ParamName);
        Assert.Equal("targetStd", Assert.Throws<ArgumentException>(() => new Normalizer([0.0], [1.0], [0.0], null)).ParamName);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Json_round_trip_behaves_the_same(bool web)
    {
        var options = web ? new JsonSerializerOptions(JsonSerializerDefaults.Web) : new JsonSerializerOptions();
        var data = Regression(9, 5, 3);
        var original = Normalizer.Fit(data, normalizeTargets: true);

        string json = JsonSerializer.Serialize(original, options);
        Assert.Contains(web ? "\"inputMean\"" : "\"InputMean\"", json);
        var copy = JsonSerializer.Deserialize<Normalizer>(json, options)!;

        // Doubles are written shortest-round-trip, so the statistics come back bit for bit.
        Assert.Equal(original.InputMean, copy.InputMean);
        Assert.Equal(original.InputStd, copy.InputStd);
        Assert.Equal(original.TargetMean, copy.TargetMean);
        Assert.Equal(original.TargetStd, copy.TargetStd);
        Assert.Equal(original.Apply(data[0]).Inputs, copy.Apply(data[0]).Inputs);
        Assert.Equal(original.Apply(data[0]).Targets, copy.Apply(data[0]).Targets);
        Assert.Equal(original.DenormalizeOutputs([[0.5, -1.5]]), copy.DenormalizeOutputs([[0.5, -1.5]]));
    }

    [Fact]
    public void Json_round_trip_without_target_statistics()
    {
        var original = Normalizer.Fit(Regression(10, 4), normalizeTargets: false);
        var copy = JsonSerializer.Deserialize<Normalizer>(JsonSerializer.Serialize(original))!;
        Assert.Null(copy.TargetMean);
        Assert.Null(copy.TargetStd);
        Assert.Equal(original.InputStd, copy.InputStd);
    }

    [Fact]
    public void Tampered_json_fails_validation()
    {
        const string json = """{"inputMean":[0],"inputStd":[0]}""";
        Assert.ThrowsAny<ArgumentException>(() => JsonSerializer.Deserialize<Normalizer>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
    }
}
