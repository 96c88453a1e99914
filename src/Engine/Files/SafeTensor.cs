// What a safetensors file holds once read, and what the writer takes: named tensors with their
// values widened to double, and the file's free-form string metadata.
namespace LstmService.Engine.Files;

/// <summary>
/// One tensor of a safetensors file: its state_dict name (e.g. <c>lstm.weight_ih_l0</c>), the dtype it is
/// (or was) stored as, its shape (row-major; <c>[]</c> is a scalar), and its values converted to double.
/// </summary>
/// <remarks>
/// F64 values are bit-exact; F32, F16 and BF16 values are exactly the stored numbers, widened.
/// <see cref="SafeTensors.Write"/> ignores <see cref="DType"/> and stores every tensor in the dtype it is given.
/// </remarks>
public sealed record SafeTensor(string Name, string DType, int[] Shape, double[] Values);

/// <summary>The contents of a safetensors file: tensors in data-block order, and <c>__metadata__</c> (empty if absent).</summary>
public sealed record SafeTensorsFile(IReadOnlyList<SafeTensor> Tensors, IReadOnlyDictionary<string, string> Metadata);
