// Adam as torch.optim.Adam (no weight decay, no amsgrad): m and v are exponential averages of
// g and g², bias-corrected, and p −= (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
// One pass over the parameters, each element's operations in the order (and with the roundings)
// of the ten span-wide calls it replaced, which read and wrote the state ten times: 6x faster on
// B3's 856,321 parameters (`LstmBench adam-ab`: 0.23 against 1.37 ms of a ~75 ms iteration, run
// on one core while the other waits).
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LstmService.Engine.Training;

internal sealed class AdamOptimizer<T>(int parameterCount) : Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
    private readonly T[] _m = new T[parameterCount], _v = new T[parameterCount];

    public override IReadOnlyList<T[]> State => [_m, _v];

    public override void Step(T[] values, T[] gradients, double learningRate)
    {
        if (values.Length != _m.Length || gradients.Length != _m.Length)
            throw new ArgumentException($"Adam holds {_m.Length} parameters; got {values.Length} values and {gradients.Length} gradients.");
        Steps++;
        double correction1 = 1 - Math.Pow(Beta1, Steps), correction2 = 1 - Math.Pow(Beta2, Steps);
        var c = new Constants(T.CreateChecked(Beta1), T.CreateChecked(1 - Beta1), T.CreateChecked(Beta2), T.CreateChecked(1 - Beta2),
            T.CreateChecked(Math.Sqrt(correction2)), T.CreateChecked(Epsilon), T.CreateChecked(-learningRate / correction1));
        ref T p = ref MemoryMarshal.GetArrayDataReference(values);
        ref T g = ref MemoryMarshal.GetArrayDataReference(gradients);
        ref T m = ref MemoryMarshal.GetArrayDataReference(_m);
        ref T v = ref MemoryMarshal.GetArrayDataReference(_v);
        int n = values.Length, i = 0, width = Vector512<T>.Count;
        for (; i + width <= n; i += width)
        {
            var (mi, vi, pi) = Update(Vector512.LoadUnsafe(ref g, (nuint)i), Vector512.LoadUnsafe(ref m, (nuint)i), Vector512.LoadUnsafe(ref v, (nuint)i),
                Vector512.LoadUnsafe(ref p, (nuint)i), c);
            mi.StoreUnsafe(ref m, (nuint)i);
            vi.StoreUnsafe(ref v, (nuint)i);
            pi.StoreUnsafe(ref p, (nuint)i);
        }
        for (; i < n; i++)
        {
            var (mi, vi, pi) = Update(Vector512.Create(Unsafe.Add(ref g, i)), Vector512.Create(Unsafe.Add(ref m, i)), Vector512.Create(Unsafe.Add(ref v, i)),
                Vector512.Create(Unsafe.Add(ref p, i)), c);
            (Unsafe.Add(ref m, i), Unsafe.Add(ref v, i), Unsafe.Add(ref p, i)) = (mi.ToScalar(), vi.ToScalar(), pi.ToScalar());
        }
    }

    private readonly record struct Constants(T Beta1, T OneMinusBeta1, T Beta2, T OneMinusBeta2, T SqrtCorrection2, T Epsilon, T Step);

    // m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²; p += −(lr/(1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε), as
    // separate multiplies and adds (the span calls' MultiplyAdd is not fused).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<T> M, Vector512<T> V, Vector512<T> P) Update(Vector512<T> g, Vector512<T> m, Vector512<T> v, Vector512<T> p, in Constants c)
    {
        m = m * c.Beta1;
        m = g * c.OneMinusBeta1 + m;
        v = v * c.Beta2;
        v = g * g * c.OneMinusBeta2 + v;
        var step = m / (Vector512.Sqrt(v) / c.SqrtCorrection2 + Vector512.Create(c.Epsilon));
        return (m, v, step * c.Step + p);
    }
}
