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

public class HostileSizeTests
{
    [Fact]
    public void Sizes_whose_parameter_count_is_too_large_are_refused_before_allocating()
    {
        var error = Assert.Throws<ArgumentException>(() => new LstmNetwork<float>(new ModelSpec { InputSize = 65536, HiddenSize = 16384 }));
        Assert.Equal("HiddenSize", error.ParamName);
        Assert.Contains("parameters", error.Message);
    }

    [Fact]
    public void A_small_file_claiming_a_huge_model_is_an_invalid_file_not_an_allocation()
    {
        // 128 KiB of F16 claiming weight_ih_l0 [65536, 1], i.e. a hidden size of 16384.
        using var stream = new MemoryStream();
        Files.SafeTensors.Write(stream, [new Files.SafeTensor("lstm.weight_ih_l0", "F32", [65536, 1], new double[65536])], null, "F32");
        long before = GC.GetTotalAllocatedBytes();
        var error = Assert.Throws<InvalidDataException>(() => Files.ModelFile.Read(stream.ToArray(), new ModelSpec { InputSize = 1, HiddenSize = 1 }));
        Assert.Contains("parameters", error.Message);
        Assert.True(GC.GetTotalAllocatedBytes() - before < 64L << 20, "reading the file allocated more than 64 MB");
    }

    [Fact]
    public void A_value_beyond_float32_is_refused_in_float32_data_and_weights()
    {
        var spec = new ModelSpec { InputSize = 1, HiddenSize = 2 };
        var predictor = new Inference.Predictor<float>(new LstmNetwork<float>(spec));
        Assert.Contains("beyond the range", Assert.Throws<ArgumentException>(() => predictor.Predict([[[1e39]]])).Message);

        var network = new LstmNetwork<float>(spec);
        var tensors = Files.ParameterTensors.Export(new LstmNetwork<double>(spec).Parameters, "F64")
            .Select(t => t.Name == "head.bias" ? t with { Values = [1e39] } : t).ToList();
        Assert.Contains("beyond the range", Assert.Throws<InvalidDataException>(() => Files.ParameterTensors.Import(network.Parameters, tensors)).Message);
        Assert.All(network.Parameters.Values, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void The_kernel_refuses_views_that_reach_outside_their_arrays()
    {
        var small = new float[6];
        var error = Assert.Throws<ArgumentException>(() => Kernels.MatMul.Multiply(ComputeContext.Shared,
            Kernels.MatrixView<float>.RowMajor(small, 3), Kernels.MatrixView<float>.RowMajor(small, 3), Kernels.MatrixView<float>.RowMajor(small, 3), 3, 3, 3, false));
        Assert.Contains("outside", error.Message);
    }

    [Fact]
    public void Inference_arguments_are_checked()
    {
        var spec = new ModelSpec { InputSize = 2, HiddenSize = 3, OutputSize = 2 };
        var network = new LstmNetwork<double>(spec);
        var predictor = new Inference.Predictor<double>(network);
        Assert.Throws<ArgumentOutOfRangeException>(() => predictor.Predict([[[1, 2]]], batchSize: 0));
        Assert.Throws<ArgumentException>(() => predictor.Forecast([], horizon: 1));
        Assert.Throws<ArgumentException>(() => new Inference.Predictor<double>(network, new Normalizer([0, 0, 0], [1, 1, 1])));
        Assert.Throws<ArgumentException>(() => Trainer<double>.Evaluate(network, [new Sequence([[1, 2]], Labels: [7])]));
        Assert.Throws<ArgumentException>(() => Sequence.Validate([null!], spec, requireTargets: false));
    }
}
