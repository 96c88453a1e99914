// The gates' sigmoid and tanh over a span. In float32 they run on an exp computed in float32
// (Cephes' expf: range reduction by ln 2 and a degree-6 polynomial, about 1 ulp) with
// TensorPrimitives' formulas around it: σ(x) = 1/(1 + e⁻ˣ), tanh(x) = sign(x)·−z/(z + 2) with
// z = e^(−2|x|) − 1. TensorPrimitives' own float exp widens every vector to two of doubles, and
// the activations were the largest cost after the matrix kernel in B2's inference
// (docs/benchmarks.md, step 3). In float64, and for a whole span shorter than one vector, they
// are TensorPrimitives' own. Like TensorPrimitives' formula, tanh(±0) and tanh of |x| below
// about 3e-8 come out as 0 with the sign flipped (−0 for +0): harmless here.
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LstmService.Engine.Layers;

internal static class Activations<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static void Sigmoid(ReadOnlySpan<T> x, Span<T> destination)
    {
        if (typeof(T) != typeof(float) || x.Length < Vector512<float>.Count)
        {
            TensorPrimitives.Sigmoid(x, destination);
            return;
        }
        Apply<SigmoidOf>(Cast(x), Cast(destination));
    }

    public static void Tanh(ReadOnlySpan<T> x, Span<T> destination)
    {
        if (typeof(T) != typeof(float) || x.Length < Vector512<float>.Count)
        {
            TensorPrimitives.Tanh(x, destination);
            return;
        }
        Apply<TanhOf>(Cast(x), Cast(destination));
    }

    /// <summary>σ of one vector: the same bits as <see cref="Sigmoid(ReadOnlySpan{T}, Span{T})"/> gives each lane of a span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Sigmoid(Vector512<float> x) => SigmoidOf.Of(x);

    /// <summary>tanh of one vector, as <see cref="Tanh(ReadOnlySpan{T}, Span{T})"/> gives each lane of a span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Tanh(Vector512<float> x) => TanhOf.Of(x);

    private static ReadOnlySpan<float> Cast(ReadOnlySpan<T> x) => MemoryMarshal.Cast<T, float>(x);
    private static Span<float> Cast(Span<T> x) => MemoryMarshal.Cast<T, float>(x);

    private interface IFunction { static abstract Vector512<float> Of(Vector512<float> x); }

    private readonly struct SigmoidOf : IFunction
    {
        public static Vector512<float> Of(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Exp(-x));
    }

    private readonly struct TanhOf : IFunction
    {
        public static Vector512<float> Of(Vector512<float> x)
        {
            var z = Exp(Vector512.Create(-2f) * Vector512.Abs(x)) - Vector512<float>.One;
            var sign = x & Vector512.Create(-0f);
            return sign ^ (-z / (z + Vector512.Create(2f)));
        }
    }

    // Four independent vectors per iteration, so the long exp chains overlap; a last partial
    // vector is computed from the end of the span, keeping only its new lanes, so in place works.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Apply<TFunction>(ReadOnlySpan<float> x, Span<float> destination) where TFunction : IFunction
    {
        if (destination.Length < x.Length) throw new ArgumentException("Destination is too short.", nameof(destination));
        ref float from = ref MemoryMarshal.GetReference(x);
        ref float to = ref MemoryMarshal.GetReference(destination);
        int n = x.Length, v = Vector512<float>.Count, i = 0;
        for (; i + 4 * v <= n; i += 4 * v)
        {
            var a = TFunction.Of(Vector512.LoadUnsafe(ref from, (nuint)i));
            var b = TFunction.Of(Vector512.LoadUnsafe(ref from, (nuint)(i + v)));
            var c = TFunction.Of(Vector512.LoadUnsafe(ref from, (nuint)(i + 2 * v)));
            var d = TFunction.Of(Vector512.LoadUnsafe(ref from, (nuint)(i + 3 * v)));
            a.StoreUnsafe(ref to, (nuint)i);
            b.StoreUnsafe(ref to, (nuint)(i + v));
            c.StoreUnsafe(ref to, (nuint)(i + 2 * v));
            d.StoreUnsafe(ref to, (nuint)(i + 3 * v));
        }
        for (; i + v <= n; i += v)
            TFunction.Of(Vector512.LoadUnsafe(ref from, (nuint)i)).StoreUnsafe(ref to, (nuint)i);
        if (i < n)
        {
            // The last vector ends at n; its lanes before i were done already (and may have been
            // overwritten in place), so only lanes i.. are kept.
            int last = n - v;
            var result = TFunction.Of(Vector512.LoadUnsafe(ref from, (nuint)last));
            var keep = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(i - last)).AsSingle();
            Vector512.ConditionalSelect(keep, result, Vector512.LoadUnsafe(ref to, (nuint)last)).StoreUnsafe(ref to, (nuint)last);
        }
    }

    // eˣ in float32 (Cephes expf). Inputs are clamped to where 2ⁿ stays a normal float, and
    // above that eˣ is +∞ (so σ of a very negative x is 0, not a subnormal); a NaN stays NaN
    // (Vector512.Min and Max propagate it).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Exp(Vector512<float> x)
    {
        var overflow = Vector512.GreaterThan(x, Vector512.Create(88.3f));
        x = Vector512.Min(Vector512.Create(88.3f), Vector512.Max(Vector512.Create(-87.3f), x));
        var n = Vector512.Round(x * Vector512.Create(1.44269504088896341f));
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-0.693359375f), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(2.12194440e-4f), r);
        var p = Vector512.Create(1.9875691500e-4f);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.3981999507e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894e-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459e-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201e-1f));
        p = Vector512.FusedMultiplyAdd(p, r * r, r) + Vector512<float>.One;
        // p·2ⁿ: one vscalefps where there is one (it measured faster), else 2ⁿ built in the
        // exponent bits. With n clamped to normal range both are exact scalings: the same bits.
        if (Avx512F.IsSupported)
            return Vector512.ConditionalSelect(overflow, Vector512.Create(float.PositiveInfinity), Avx512F.Scale(p, n));
        var twoToN = (Vector512.ConvertToInt32(n) + Vector512.Create(127)) << 23;
        return Vector512.ConditionalSelect(overflow, Vector512.Create(float.PositiveInfinity), p * twoToN.AsSingle());
    }
}
