// Stochastic gradient descent with optional momentum, as torch.optim.SGD (dampening 0, no
// Nesterov): v = μ·v + g (v = g on the first step), p −= lr·v.
using System.Numerics;
using System.Numerics.Tensors;

namespace LstmService.Engine.Training;

internal sealed class SgdOptimizer<T>(int parameterCount, double momentum) : Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _velocity = momentum > 0 ? new T[parameterCount] : [];

    public override IReadOnlyList<T[]> State => momentum > 0 ? [_velocity] : [];

    public override void Step(T[] values, T[] gradients, double learningRate)
    {
        T lr = T.CreateChecked(learningRate);
        if (momentum > 0)
        {
            if (Steps == 0) gradients.CopyTo(_velocity, 0);
            else TensorPrimitives.MultiplyAdd(_velocity, T.CreateChecked(momentum), gradients, _velocity);
            gradients = _velocity;
        }
        // p += (−lr)·g, rounded twice (MultiplyAdd does not fuse), as numpy's `p -= lr * g`.
        TensorPrimitives.MultiplyAdd(gradients, -lr, values, values);
        Steps++;
    }
}
