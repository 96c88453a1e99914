// Clipping by global norm, as torch.nn.utils.clip_grad_norm_: every gradient is scaled by
// min(1, max / (‖g‖ + 1e-6)).
using System.Numerics;
using System.Numerics.Tensors;

namespace LstmService.Engine.Training;

internal static class GradientClipping
{
    /// <summary>Returns the norm before clipping (NaN or ∞ when the gradient is not finite).</summary>
    public static double ClipByGlobalNorm<T>(T[] gradients, double? maxNorm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double norm = double.CreateChecked(TensorPrimitives.Norm<T>(gradients));
        if (maxNorm is { } max && double.IsFinite(norm) && max / (norm + 1e-6) < 1)
            TensorPrimitives.Multiply(gradients, T.CreateChecked(max / (norm + 1e-6)), gradients);
        return norm;
    }
}
