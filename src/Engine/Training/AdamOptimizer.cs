// Adam as torch.optim.Adam (no weight decay, no amsgrad): m and v are exponential averages of
// g and g², bias-corrected, and p −= (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
using System.Numerics;
using System.Numerics.Tensors;

namespace LstmService.Engine.Training;

internal sealed class AdamOptimizer<T>(int parameterCount) : Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
    private readonly T[] _m = new T[parameterCount], _v = new T[parameterCount], _scratch = new T[parameterCount];

    public override IReadOnlyList<T[]> State => [_m, _v];

    public override void Step(T[] values, T[] gradients, double learningRate)
    {
        Steps++;
        double correction1 = 1 - Math.Pow(Beta1, Steps), correction2 = 1 - Math.Pow(Beta2, Steps);
        // m = β₁m + (1−β₁)g;  v = β₂v + (1−β₂)g²
        TensorPrimitives.Multiply(_m, T.CreateChecked(Beta1), _m);
        TensorPrimitives.MultiplyAdd(gradients, T.CreateChecked(1 - Beta1), _m, _m);
        TensorPrimitives.Multiply(_v, T.CreateChecked(Beta2), _v);
        TensorPrimitives.Multiply(gradients, gradients, _scratch);
        TensorPrimitives.MultiplyAdd(_scratch, T.CreateChecked(1 - Beta2), _v, _v);
        // denominator = √v / √(1−β₂ᵗ) + ε, then p −= (lr/(1−β₁ᵗ)) · m / denominator
        TensorPrimitives.Sqrt(_v, _scratch);
        TensorPrimitives.Divide(_scratch, T.CreateChecked(Math.Sqrt(correction2)), _scratch);
        TensorPrimitives.Add(_scratch, T.CreateChecked(Epsilon), _scratch);
        TensorPrimitives.Divide(_m, _scratch, _scratch);
        TensorPrimitives.MultiplyAdd(_scratch, T.CreateChecked(-learningRate / correction1), values, values);
    }
}
