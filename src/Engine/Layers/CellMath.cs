// The element-wise part of one LSTM step for one row of the batch: the gates' nonlinearities and
// the cell update (forward), and their derivatives (backward), each one vectorized pass over the
// row. The nonlinearities are TensorPrimitives' formulas on the same Vector512.Exp
// (σ(x) = 1/(1 + e⁻ˣ); tanh(x) = sign(x)·−z/(z + 2) with z = e^(−2|x|) − 1), computed in registers
// instead of one span-wide call per gate and row, which cost a fifth of B2's inference.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LstmService.Engine.Kernels;

namespace LstmService.Engine.Layers;

internal static class CellMath<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// One row of a forward step: activates the gates [i | f | g | o] in place, writes c = f·c₋₁ + i·g
    /// (c₋₁ empty: zero state) and h = o·tanh(c), keeping tanh(c) in <paramref name="tanhC"/>, or
    /// h = o·c (the seed's cell, h = s·o) when tanhC is empty.
    /// </summary>
    public static void ForwardRow(Span<T> gate, ReadOnlySpan<T> cPrev, Span<T> c, Span<T> tanhC, Span<T> hidden)
    {
        int h = c.Length;
        bool hasPrev = !cPrev.IsEmpty, standard = !tanhC.IsEmpty;
        ref T i = ref MemoryMarshal.GetReference(gate);
        ref T f = ref Unsafe.Add(ref i, h);
        ref T g = ref Unsafe.Add(ref i, 2 * h);
        ref T o = ref Unsafe.Add(ref i, 3 * h);
        ref T cp = ref MemoryMarshal.GetReference(cPrev);
        ref T cOut = ref MemoryMarshal.GetReference(c);
        ref T tc = ref MemoryMarshal.GetReference(tanhC);
        ref T hOut = ref MemoryMarshal.GetReference(hidden);
        int j = 0;
        for (; j + Vector512<T>.Count <= h; j += Vector512<T>.Count)
        {
            nuint at = (nuint)j;
            var iv = Sigmoid(Vector512.LoadUnsafe(ref i, at)); iv.StoreUnsafe(ref i, at);
            var fv = Sigmoid(Vector512.LoadUnsafe(ref f, at)); fv.StoreUnsafe(ref f, at);
            var gv = Tanh(Vector512.LoadUnsafe(ref g, at)); gv.StoreUnsafe(ref g, at);
            var ov = Sigmoid(Vector512.LoadUnsafe(ref o, at)); ov.StoreUnsafe(ref o, at);
            // i·g rounded, then one fused f·c₋₁ + that
            var cv = hasPrev ? MatMul.Fma(fv, Vector512.LoadUnsafe(ref cp, at), iv * gv) : iv * gv;
            cv.StoreUnsafe(ref cOut, at);
            if (standard)
            {
                var tcv = Tanh(cv);
                tcv.StoreUnsafe(ref tc, at);
                (ov * tcv).StoreUnsafe(ref hOut, at);
            }
            else (ov * cv).StoreUnsafe(ref hOut, at);
        }
        for (; j < h; j++)
        {
            T iv = Unsafe.Add(ref i, j) = Sigmoid(Unsafe.Add(ref i, j));
            T fv = Unsafe.Add(ref f, j) = Sigmoid(Unsafe.Add(ref f, j));
            T gv = Unsafe.Add(ref g, j) = T.Tanh(Unsafe.Add(ref g, j));
            T ov = Unsafe.Add(ref o, j) = Sigmoid(Unsafe.Add(ref o, j));
            T cv = Unsafe.Add(ref cOut, j) = hasPrev ? T.FusedMultiplyAdd(fv, Unsafe.Add(ref cp, j), iv * gv) : iv * gv;
            if (standard)
            {
                T tcv = Unsafe.Add(ref tc, j) = T.Tanh(cv);
                Unsafe.Add(ref hOut, j) = ov * tcv;
            }
            else Unsafe.Add(ref hOut, j) = ov * cv;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Sigmoid(Vector512<T> x) => Vector512<T>.One / (Vector512<T>.One + Exp(-x));

    private static T Sigmoid(T x) => T.One / (T.One + T.Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Tanh(Vector512<T> x)
    {
        var z = Exp(Vector512.Create(T.CreateTruncating(-2)) * Vector512.Abs(x)) - Vector512<T>.One;
        var sign = x & Vector512.Create(T.NegativeZero);
        return sign ^ (-z / (z + Vector512.Create(T.CreateTruncating(2))));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Exp(Vector512<T> x)
    {
        if (typeof(T) == typeof(float)) return Vector512.Exp(x.As<T, float>()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector512.Exp(x.As<T, double>()).As<double, T>();
        throw new NotSupportedException($"{typeof(T).Name} is not a supported element type.");
    }

    /// <summary>
    /// One row of BPTT. From dh (∂L/∂h_t from above plus from step t+1) and the row's forward values,
    /// writes dGate [di | df | dg | do] (through the activations), and dcNext = dc·f for step t−1
    /// when <paramref name="full"/> (it is read first as dc_{t+1}·f_{t+1}). <paramref name="outFactor"/>
    /// is what o multiplied in the forward pass: tanh(c) for the standard cell, s for the seed's.
    /// c₋₁ empty: step 0, from a zero state.
    /// </summary>
    public static void BackwardRow(ReadOnlySpan<T> dHidden, ReadOnlySpan<T> dhNext, ReadOnlySpan<T> gate, ReadOnlySpan<T> outFactor,
        bool standard, ReadOnlySpan<T> cPrev, bool full, Span<T> dcNext, Span<T> dGate)
    {
        int h = dHidden.Length;
        ref T dhA = ref MemoryMarshal.GetReference(dHidden);
        ref T dhB = ref MemoryMarshal.GetReference(dhNext);
        ref T i = ref MemoryMarshal.GetReference(gate);
        ref T f = ref Unsafe.Add(ref i, h);
        ref T g = ref Unsafe.Add(ref i, 2 * h);
        ref T o = ref Unsafe.Add(ref i, 3 * h);
        ref T x = ref MemoryMarshal.GetReference(outFactor);
        ref T cp = ref MemoryMarshal.GetReference(cPrev);
        bool hasPrev = !cPrev.IsEmpty;
        ref T dcn = ref MemoryMarshal.GetReference(dcNext);
        ref T di = ref MemoryMarshal.GetReference(dGate);
        ref T df = ref Unsafe.Add(ref di, h);
        ref T dg = ref Unsafe.Add(ref di, 2 * h);
        ref T dO = ref Unsafe.Add(ref di, 3 * h);
        int j = 0;
        var one = Vector512.Create(T.One);
        for (; j + Vector512<T>.Count <= h; j += Vector512<T>.Count)
        {
            var dh = Load(ref dhA, j) + Load(ref dhB, j);
            var xv = Load(ref x, j);
            var ov = Load(ref o, j);
            var dc = dh * ov;                                   // dc = dh·o·(1 − tanh²c), or ds = dh·o
            if (standard) dc *= one - xv * xv;
            // The one line the blog changed: the full gradient adds what step t+1 sent back
            // through c_t (dc_next = dc_{t+1}·f_{t+1}); the truncated variant drops it.
            if (full) dc += Load(ref dcn, j);
            var iv = Load(ref i, j); var fv = Load(ref f, j); var gv = Load(ref g, j);
            var dfv = hasPrev ? dc * Load(ref cp, j) : Vector512<T>.Zero;
            if (full) (dc * fv).StoreUnsafe(ref dcn, (nuint)j);
            (dc * gv * ((one - iv) * iv)).StoreUnsafe(ref di, (nuint)j);
            (dfv * ((one - fv) * fv)).StoreUnsafe(ref df, (nuint)j);
            (dc * iv * (one - gv * gv)).StoreUnsafe(ref dg, (nuint)j);
            (dh * xv * ((one - ov) * ov)).StoreUnsafe(ref dO, (nuint)j);
        }
        for (; j < h; j++)
        {
            T dh = Unsafe.Add(ref dhA, j) + Unsafe.Add(ref dhB, j);
            T xv = Unsafe.Add(ref x, j), ov = Unsafe.Add(ref o, j);
            T dc = dh * ov;
            if (standard) dc *= T.One - xv * xv;
            if (full) dc += Unsafe.Add(ref dcn, j);
            T iv = Unsafe.Add(ref i, j), fv = Unsafe.Add(ref f, j), gv = Unsafe.Add(ref g, j);
            T dfv = hasPrev ? dc * Unsafe.Add(ref cp, j) : T.Zero;
            if (full) Unsafe.Add(ref dcn, j) = dc * fv;
            Unsafe.Add(ref di, j) = dc * gv * ((T.One - iv) * iv);
            Unsafe.Add(ref df, j) = dfv * ((T.One - fv) * fv);
            Unsafe.Add(ref dg, j) = dc * iv * (T.One - gv * gv);
            Unsafe.Add(ref dO, j) = dh * xv * ((T.One - ov) * ov);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Load(ref T at, int j) => Vector512.LoadUnsafe(ref at, (nuint)j);
}
