// Parity with libtorch's own nn.LSTM + nn.Linear (shared/reference/pytorch-parity): the float64
// forward pass and every gradient from the JSON's float64 parameters, and the float32 forward
// pass from the PyTorch-written safetensors file.
using System.Text.Json;
using LstmService.Engine.Data;
using LstmService.Engine.Files;
using LstmService.Engine.Layers;

namespace LstmService.Engine.Tests;

public class PyTorchParityTests
{
    public static TheoryData<string> Cases => new() { "tiny", "stacked" };

    internal static ModelSpec SpecOf(JsonElement reference)
    {
        var config = reference.GetProperty("config");
        return new ModelSpec
        {
            InputSize = config.GetProperty("input_size").GetInt32(),
            HiddenSize = config.GetProperty("hidden_size").GetInt32(),
            Layers = config.GetProperty("num_layers").GetInt32(),
            OutputSize = config.GetProperty("out_features").GetInt32(),
        };
    }

    internal static List<Sequence> SequencesOf(JsonElement reference, bool withTargets)
    {
        var x = reference.GetProperty("x").EnumerateArray().Select(Reference.Matrix).ToList();
        var targets = reference.GetProperty("target").EnumerateArray().Select(Reference.Matrix).ToList();
        return x.Select((inputs, b) => new Sequence(inputs, withTargets ? targets[b] : null)).ToList();
    }

    // Our buffers are time-major [T, B, ·]; the reference is batch-first [B, T, ·].
    private static double[] BatchFirst(ReadOnlySpan<double> timeMajor, int steps, int batch, int width)
    {
        var result = new double[steps * batch * width];
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
                timeMajor.Slice((t * batch + b) * width, width).CopyTo(result.AsSpan((b * steps + t) * width, width));
        return result;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float64_forward_and_gradients_match_libtorch(string name)
    {
        var reference = Reference.Load("pytorch-parity", name + ".json");
        var spec = SpecOf(reference);
        var network = new LstmNetwork<double>(spec);
        var parameters = reference.GetProperty("params");
        ParameterTensors.Import(network.Parameters, network.Parameters.Tensors
            .Select(t => new SafeTensor(t.Name, "F64", [.. t.Shape], Reference.Flat(parameters.GetProperty(t.Name)))).ToList());
        var data = SequencesOf(reference, withTargets: true);
        int batch = data.Count, steps = data[0].Length, h = spec.HiddenSize;
        var sequenceBatch = SequenceBatch<double>.Create(data, Enumerable.Range(0, batch).ToArray(), spec, withTargets: true);

        double loss = network.Forward(sequenceBatch);
        Reference.AssertClose([reference.GetProperty("loss").GetDouble()], [loss], 1e-9, "loss");
        Reference.AssertClose(Reference.Flat(reference.GetProperty("y")), BatchFirst(network.Outputs, steps, batch, spec.OutputSize), 1e-9, "y");
        Reference.AssertClose(Reference.Flat(reference.GetProperty("output")), BatchFirst(network.Layers[^1].Hidden, steps, batch, h), 1e-9, "output");
        var (hN, cN) = network.FinalState();
        Reference.AssertClose(Reference.Flat(reference.GetProperty("h_n")), hN.SelectMany(l => l).ToArray(), 1e-9, "h_n");
        Reference.AssertClose(Reference.Flat(reference.GetProperty("c_n")), cN.SelectMany(l => l).ToArray(), 1e-9, "c_n");

        network.Backward();
        var grads = reference.GetProperty("grads");
        foreach (var tensor in network.Parameters.Tensors)
            Reference.AssertClose(Reference.Flat(grads.GetProperty(tensor.Name)), network.Parameters.GradientsOf(tensor.Name).ToArray(), 1e-8,
                $"d{tensor.Name}", floor: 1e-10);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float32_forward_from_the_safetensors_file_matches_libtorch(string name)
    {
        var reference = Reference.Load("pytorch-parity", name + ".json");
        var spec = SpecOf(reference);
        var network = new LstmNetwork<float>(spec);
        var file = SafeTensors.Read(File.ReadAllBytes(Reference.PathOf("pytorch-parity", name + ".safetensors")));
        ParameterTensors.Import(network.Parameters, file.Tensors);
        var data = SequencesOf(reference, withTargets: false);
        int batch = data.Count, steps = data[0].Length;
        network.Forward(SequenceBatch<float>.Create(data, Enumerable.Range(0, batch).ToArray(), spec, withTargets: false));

        var y = network.Outputs.ToArray().Select(v => (double)v).ToArray();
        var output = network.Layers[^1].Hidden.Take(steps * batch * spec.HiddenSize).Select(v => (double)v).ToArray();
        Reference.AssertClose(Reference.Flat(reference.GetProperty("y_f32")), BatchFirst(y, steps, batch, spec.OutputSize), 1e-5, "y_f32", floor: 1e-2);
        Reference.AssertClose(Reference.Flat(reference.GetProperty("output_f32")), BatchFirst(output, steps, batch, spec.HiddenSize), 1e-5, "output_f32", floor: 1e-2);
    }
}
