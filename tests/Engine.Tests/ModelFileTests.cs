// The model file: written and read back it predicts the same; a PyTorch state dict loads as is;
// a file whose tensors do not fit the spec is refused with a message naming the tensor.
using LstmService.Engine.Data;
using LstmService.Engine.Files;
using LstmService.Engine.Inference;
using LstmService.Engine.Layers;
using LstmService.Engine.Training;

namespace LstmService.Engine.Tests;

public class ModelFileTests
{
    private static readonly ModelSpec Spec = new() { InputSize = 3, HiddenSize = 5, Layers = 2, Cell = CellKind.Seed, OutputSize = 2, Steps = OutputSteps.Last };

    private static (LstmNetwork<T>, Normalizer) Trained<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var network = new LstmNetwork<T>(Spec);
        network.Initialize(new Rng(3));
        var data = TestData.Random(Spec, [4, 6, 5], seed: 8);
        return (network, Normalizer.Fit(data, normalizeTargets: true));
    }

    [Fact]
    public void A_float64_model_round_trips_exactly()
    {
        var (network, normalizer) = Trained<double>();
        var read = ModelFile.Read(ModelFile.ToBytes(network, normalizer));
        Assert.Equal(Spec, read.Spec);
        Assert.Equal(normalizer.InputStd, read.Normalizer!.InputStd);
        Assert.Equal(normalizer.TargetMean, read.Normalizer.TargetMean);
        var copy = read.CreateNetwork<double>();
        Assert.Equal(network.Parameters.Values, copy.Parameters.Values);
        var inputs = TestData.Random(Spec, [4, 7], seed: 1).Select(s => s.Inputs).ToList();
        Assert.Equal(new Predictor<double>(network, normalizer).Predict(inputs), new Predictor<double>(copy, read.Normalizer).Predict(inputs));
    }

    [Fact]
    public void A_float32_model_round_trips_exactly_and_is_stored_as_F32()
    {
        var (network, normalizer) = Trained<float>();
        var bytes = ModelFile.ToBytes(network, normalizer);
        Assert.All(SafeTensors.Read(bytes).Tensors, t => Assert.Equal("F32", t.DType));
        Assert.Equal(network.Parameters.Values, ModelFile.Read(bytes).CreateNetwork<float>().Parameters.Values);
    }

    [Fact]
    public void The_metadata_holds_the_spec_and_normalizer_as_camelCase_json()
    {
        var (network, normalizer) = Trained<float>();
        var metadata = SafeTensors.Read(ModelFile.ToBytes(network, normalizer)).Metadata;
        Assert.Equal(ModelFile.Format, metadata["format"]);
        Assert.Contains("\"cell\":\"seed\"", metadata["spec"]);
        Assert.Contains("\"steps\":\"last\"", metadata["spec"]);
        Assert.Contains("\"inputMean\"", metadata["normalizer"]);
    }

    [Fact]
    public void A_pytorch_state_dict_loads_with_sizes_taken_from_its_shapes()
    {
        var bytes = File.ReadAllBytes(Reference.PathOf("pytorch-parity", "stacked.safetensors"));
        var read = ModelFile.Read(bytes, new ModelSpec { InputSize = 1, HiddenSize = 1, Cell = CellKind.Standard });
        Assert.Equal((5, 7, 2, 2, OutputKind.Dense), (read.Spec.InputSize, read.Spec.HiddenSize, read.Spec.Layers, read.Spec.OutputSize, read.Spec.Output));

        var reference = Reference.Load("pytorch-parity", "stacked.json");
        var inputs = PyTorchParityTests.SequencesOf(reference, withTargets: false).Select(s => s.Inputs).ToList();
        var outputs = new Predictor<float>(read.CreateNetwork<float>()).Predict(inputs);
        Reference.AssertClose(Reference.Flat(reference.GetProperty("y_f32")), outputs.SelectMany(s => s.SelectMany(r => r)).ToArray(), 1e-5, "y_f32", floor: 1e-2);
    }

    [Fact]
    public void Tensors_that_do_not_fit_the_spec_are_refused_naming_the_tensor()
    {
        var bytes = File.ReadAllBytes(Reference.PathOf("pytorch-parity", "stacked.safetensors"));
        // A hidden-unit readout has no head: the file's head tensors are not parameters of it.
        var hidden = new ModelSpec { InputSize = 5, HiddenSize = 7, Output = OutputKind.Hidden, OutputSize = 1 };
        var file = SafeTensors.Read(bytes);
        var error = Assert.Throws<InvalidDataException>(() => ParameterTensors.Import(new LstmNetwork<float>(hidden).Parameters, file.Tensors));
        Assert.Contains("'lstm.weight_ih_l1'", error.Message);

        var wrongShape = file.Tensors.Select(t => t.Name == "lstm.weight_hh_l0" ? t with { Shape = [7, 28] } : t).ToList();
        var spec = ModelFile.CompleteFromShapes(file.Tensors, new ModelSpec { InputSize = 1, HiddenSize = 1 });
        error = Assert.Throws<InvalidDataException>(() => ParameterTensors.Import(new LstmNetwork<float>(spec).Parameters, wrongShape));
        Assert.Contains("'lstm.weight_hh_l0' has shape [7, 28]", error.Message);

        var missing = file.Tensors.Where(t => t.Name != "head.bias").ToList();
        error = Assert.Throws<InvalidDataException>(() => ParameterTensors.Import(new LstmNetwork<float>(spec).Parameters, missing));
        Assert.Contains("head.bias", error.Message);

        var nan = file.Tensors.Select(t => t.Name == "head.bias" ? t with { Values = [double.NaN, 0] } : t).ToList();
        error = Assert.Throws<InvalidDataException>(() => ParameterTensors.Import(new LstmNetwork<float>(spec).Parameters, nan));
        Assert.Contains("NaN", error.Message);
    }

    [Fact]
    public void A_file_without_a_spec_needs_one_from_the_caller()
    {
        var bytes = File.ReadAllBytes(Reference.PathOf("pytorch-parity", "tiny.safetensors"));
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Read(bytes));
        Assert.Contains("no spec", error.Message);
    }

    [Fact]
    public void Corrupt_spec_metadata_is_an_invalid_file()
    {
        var (network, _) = Trained<float>();
        using var stream = new MemoryStream();
        SafeTensors.Write(stream, ParameterTensors.Export(network.Parameters, "F32"), new Dictionary<string, string> { ["spec"] = "{\"cell\": \"lstm9\"}" }, "F32");
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Read(stream.ToArray()));
        Assert.Contains("metadata", error.Message);
    }
}
