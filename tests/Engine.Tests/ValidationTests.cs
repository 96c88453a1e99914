// Bad specs and bad data fail before any work, with exceptions that name the field.
using LstmService.Engine.Data;
using LstmService.Engine.Layers;
using LstmService.Engine.Training;

namespace LstmService.Engine.Tests;

public class ValidationTests
{
    private static readonly ModelSpec Good = new() { InputSize = 2, HiddenSize = 4, OutputSize = 1 };

    public static TheoryData<string, ModelSpec> BadSpecs => new()
    {
        { "InputSize", Good with { InputSize = 0 } },
        { "HiddenSize", Good with { HiddenSize = 0 } },
        { "Layers", Good with { Layers = 0 } },
        { "Dropout", Good with { Dropout = 1 } },
        { "OutputSize", Good with { OutputSize = 0 } },
        { "OutputSize", Good with { Output = OutputKind.Hidden, OutputSize = 5 } },
        { "OutputSize", Good with { Loss = LossKind.CrossEntropy, OutputSize = 1 } },
        { "Cell", Good with { Cell = (CellKind)7 } },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public void A_bad_spec_is_refused_naming_the_field(string field, ModelSpec spec)
    {
        var error = Assert.Throws<ArgumentException>(() => new LstmNetwork<float>(spec));
        Assert.Equal(field, error.ParamName);
        Assert.StartsWith(field, error.Message);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    public void Non_finite_data_is_refused_before_training(double bad, string shown)
    {
        var data = TestData.Random(Good, [3, 4], seed: 1);
        data[1].Inputs[2][1] = bad;
        var error = Assert.Throws<ArgumentException>(() => new Trainer<float>(new LstmNetwork<float>(Good), new TrainingOptions(), data));
        Assert.Contains("sequences[1].inputs[2]", error.Message);
        Assert.Contains(shown, error.Message);
    }

    [Fact]
    public void Targets_must_match_the_output_placement_and_labels_the_classes()
    {
        var data = TestData.Random(Good, [3], seed: 1);
        var last = Good with { Steps = OutputSteps.Last };
        Assert.Contains("one, after the last step", Assert.Throws<ArgumentException>(() => Sequence.Validate(data, last, requireTargets: true)).Message);
        var classifier = Good with { Loss = LossKind.CrossEntropy, OutputSize = 3 };
        var labelled = new List<Sequence> { new(data[0].Inputs, Labels: [0, 1, 3]) };
        Assert.Contains("labels[2] = 3 is not a class", Assert.Throws<ArgumentException>(() => Sequence.Validate(labelled, classifier, requireTargets: true)).Message);
    }

    [Fact]
    public void A_frozen_parameter_must_exist()
    {
        var data = TestData.Random(Good, [3], seed: 1);
        var error = Assert.Throws<ArgumentException>(() => new Trainer<float>(new LstmNetwork<float>(Good), new TrainingOptions { FrozenParameters = ["head.gamma"] }, data));
        Assert.Contains("head.gamma", error.Message);
    }
}
