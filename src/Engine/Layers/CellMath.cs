// The element-wise part of one LSTM step, row by row of the batch: the gates' nonlinearities, the
// cell update and h (forward), the biases, and their derivatives (backward). The nonlinearities
// are Activations' (float32 on its own exp, as accurate as TensorPrimitives'); a float32 row of
// whole vectors runs forward in one fused pass, other rows as span calls with one vectorized
// pass around them. Every path does the same operations in the same order, so the same bits.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LstmService.Engine.Kernels;

namespace LstmService.Engine.Layers;

internal static class CellMath<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// One row of a step forward: from the row's gates [i | f | g | o] before their activations,
    /// c = f·c₋₁ + i·g (c₋₁ empty: zero state) and h = o·tanh(c), or o·s for the seed's cell.
    /// With <paramref name="keep"/> (for Backward) the activated gates are written back in place
    /// and, for the standard cell, tanh(c) into <paramref name="tanhC"/>; without, they may be
    /// left alone (the fused float32 path does not write them; the span calls always do).
    /// </summary>
    public static void ForwardRow(Span<T> gate, ReadOnlySpan<T> cPrev, Span<T> c, Span<T> tanhC, Span<T> hidden, bool standard, bool keep)
    {
        if (typeof(T) == typeof(float) && c.Length % Vector512<float>.Count == 0)
            FusedRow(Cast(gate), Cast(cPrev), Cast(c), Cast(tanhC), Cast(hidden), standard, keep);
        else
            RowBySpans(gate, cPrev, c, tanhC, hidden, standard);
    }

    // Float32 rows of whole vectors, in one pass: each vector of units goes from its four gates to
    // h in registers, instead of five span calls and a loop per row, each reading and writing the
    // row again; the exp is what the gate math costs. The same operations on each element as
    // RowBySpans, so the same bits (CellMathTests). A reciprocal estimate and a Newton step in
    // place of σ's and tanh's divisions measured slower, and would have changed the bits.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FusedRow(Span<float> gate, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> tanhC, Span<float> hidden, bool standard, bool keep)
    {
        int h = c.Length;
        if (gate.Length < 4 * h || hidden.Length < h || !cPrev.IsEmpty && cPrev.Length < h || standard && keep && tanhC.Length < h)
            throw new ArgumentException("A row's spans are shorter than its hidden size.");
        ref float i = ref MemoryMarshal.GetReference(gate);
        ref float f = ref Unsafe.Add(ref i, h);
        ref float g = ref Unsafe.Add(ref i, 2 * h);
        ref float o = ref Unsafe.Add(ref i, 3 * h);
        ref float cp = ref MemoryMarshal.GetReference(cPrev);
        ref float cOut = ref MemoryMarshal.GetReference(c);
        ref float tc = ref MemoryMarshal.GetReference(tanhC);
        ref float hv = ref MemoryMarshal.GetReference(hidden);
        bool hasPrev = !cPrev.IsEmpty;
        for (int j = 0; j < h; j += Vector512<float>.Count)
        {
            nuint at = (nuint)j;
            var iv = Activations<float>.Sigmoid(Vector512.LoadUnsafe(ref i, at));
            var fv = Activations<float>.Sigmoid(Vector512.LoadUnsafe(ref f, at));
            var gv = Activations<float>.Tanh(Vector512.LoadUnsafe(ref g, at));
            var ov = Activations<float>.Sigmoid(Vector512.LoadUnsafe(ref o, at));
            var cv = hasPrev ? Vector512.FusedMultiplyAdd(fv, Vector512.LoadUnsafe(ref cp, at), iv * gv) : iv * gv;
            cv.StoreUnsafe(ref cOut, at);
            var factor = standard ? Activations<float>.Tanh(cv) : cv;
            (ov * factor).StoreUnsafe(ref hv, at);
            if (!keep) continue;
            iv.StoreUnsafe(ref i, at); fv.StoreUnsafe(ref f, at); gv.StoreUnsafe(ref g, at); ov.StoreUnsafe(ref o, at);
            if (standard) factor.StoreUnsafe(ref tc, at);
        }
    }

    /// <summary>ForwardRow as span calls, for any element type and hidden size; it always writes the activated gates (and tanh(c)).</summary>
    internal static void RowBySpans(Span<T> gate, ReadOnlySpan<T> cPrev, Span<T> c, Span<T> tanhC, Span<T> hidden, bool standard)
    {
        ForwardGates(gate, cPrev, c);
        Output(gate[(3 * c.Length)..], c, standard ? tanhC : default, hidden);
    }

    private static Span<float> Cast(Span<T> x) => MemoryMarshal.Cast<T, float>(x);
    private static ReadOnlySpan<float> Cast(ReadOnlySpan<T> x) => MemoryMarshal.Cast<T, float>(x);

    // Activates one row's gates [i | f | g | o] in place and writes c = f·c₋₁ + i·g (c₋₁ empty: zero state).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardGates(Span<T> gate, ReadOnlySpan<T> cPrev, Span<T> c)
    {
        int h = c.Length;
        Activations<T>.Sigmoid(gate[..(2 * h)], gate[..(2 * h)]);        // i, f
        Activations<T>.Tanh(gate.Slice(2 * h, h), gate.Slice(2 * h, h));   // g
        Activations<T>.Sigmoid(gate[(3 * h)..], gate[(3 * h)..]);          // o
        ref T i = ref MemoryMarshal.GetReference(gate);
        ref T f = ref Unsafe.Add(ref i, h);
        ref T g = ref Unsafe.Add(ref i, 2 * h);
        ref T cOut = ref MemoryMarshal.GetReference(c);
        int j = 0;
        if (cPrev.IsEmpty)
        {
            for (; j + Vector512<T>.Count <= h; j += Vector512<T>.Count)
                (Load(ref i, j) * Load(ref g, j)).StoreUnsafe(ref cOut, (nuint)j);
            for (; j < h; j++) Unsafe.Add(ref cOut, j) = Unsafe.Add(ref i, j) * Unsafe.Add(ref g, j);
            return;
        }
        ref T cp = ref MemoryMarshal.GetReference(cPrev);
        // i·g rounded, then one fused f·c₋₁ + that: TensorPrimitives.Multiply then FusedMultiplyAdd.
        for (; j + Vector512<T>.Count <= h; j += Vector512<T>.Count)
            MatMul.Fma(Load(ref f, j), Load(ref cp, j), Load(ref i, j) * Load(ref g, j)).StoreUnsafe(ref cOut, (nuint)j);
        for (; j < h; j++)
            Unsafe.Add(ref cOut, j) = T.FusedMultiplyAdd(Unsafe.Add(ref f, j), Unsafe.Add(ref cp, j), Unsafe.Add(ref i, j) * Unsafe.Add(ref g, j));
    }

    /// <summary>
    /// Adds bias to each row of a block of consecutive rows of bias.Length (a step's gates): one
    /// call per block, not a span call per row, whose overhead was a tenth of I2 at H 64.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddToRows(Span<T> rows, ReadOnlySpan<T> bias)
    {
        int n = bias.Length;
        ref T b = ref MemoryMarshal.GetReference(bias);
        for (int at = 0; at < rows.Length; at += n)
        {
            ref T r = ref MemoryMarshal.GetReference(rows.Slice(at, n));
            int j = 0;
            for (; j + Vector512<T>.Count <= n; j += Vector512<T>.Count)
                (Load(ref r, j) + Load(ref b, j)).StoreUnsafe(ref r, (nuint)j);
            for (; j < n; j++) Unsafe.Add(ref r, j) += Unsafe.Add(ref b, j);
        }
    }

    // h = o·tanh(c), keeping tanh(c) for Backward (the standard cell), or h = o·s (the seed's: tanhC empty).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Output(ReadOnlySpan<T> o, ReadOnlySpan<T> c, Span<T> tanhC, Span<T> hidden)
    {
        ReadOnlySpan<T> factor = c;
        if (!tanhC.IsEmpty)
        {
            Activations<T>.Tanh(c, tanhC);
            factor = tanhC;
        }
        int n = hidden.Length, j = 0;
        ref T ov = ref MemoryMarshal.GetReference(o);
        ref T x = ref MemoryMarshal.GetReference(factor);
        ref T hv = ref MemoryMarshal.GetReference(hidden);
        for (; j + Vector512<T>.Count <= n; j += Vector512<T>.Count)
            (Load(ref ov, j) * Load(ref x, j)).StoreUnsafe(ref hv, (nuint)j);
        for (; j < n; j++) Unsafe.Add(ref hv, j) = Unsafe.Add(ref ov, j) * Unsafe.Add(ref x, j);
    }

    /// <summary>
    /// One row of BPTT. From dh (∂L/∂h_t from above plus from step t+1) and the row's forward values,
    /// writes dGate [di | df | dg | do] (through the activations), and dcNext = dc·f for step t−1
    /// when <paramref name="full"/> (it is read first as dc_{t+1}·f_{t+1}). <paramref name="outFactor"/>
    /// is what o multiplied in the forward pass: tanh(c) for the standard cell, s for the seed's.
    /// c₋₁ empty: step 0, from a zero state. When given, <paramref name="dGateSum"/> [4H] gets
    /// dGate added to it (the bias gradient's running sum for this batch row).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardRow(ReadOnlySpan<T> dHidden, ReadOnlySpan<T> dhNext, ReadOnlySpan<T> gate, ReadOnlySpan<T> outFactor,
        bool standard, ReadOnlySpan<T> cPrev, bool full, Span<T> dcNext, Span<T> dGate, Span<T> dGateSum = default)
    {
        int h = dHidden.Length;
        bool sum = !dGateSum.IsEmpty;
        if (sum && dGateSum.Length < 4 * h) throw new ArgumentException("The sum row is shorter than the gates.", nameof(dGateSum));
        // The sum row's four gates (all at its start when there is none: never read then)
        ref T sI = ref MemoryMarshal.GetReference(dGateSum);
        ref T sF = ref Unsafe.Add(ref sI, sum ? h : 0);
        ref T sG = ref Unsafe.Add(ref sI, sum ? 2 * h : 0);
        ref T sO = ref Unsafe.Add(ref sI, sum ? 3 * h : 0);
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
            var diV = dc * gv * ((one - iv) * iv);
            var dfV = dfv * ((one - fv) * fv);
            var dgV = dc * iv * (one - gv * gv);
            var doV = dh * xv * ((one - ov) * ov);
            diV.StoreUnsafe(ref di, (nuint)j);
            dfV.StoreUnsafe(ref df, (nuint)j);
            dgV.StoreUnsafe(ref dg, (nuint)j);
            doV.StoreUnsafe(ref dO, (nuint)j);
            if (!sum) continue;
            (Load(ref sI, j) + diV).StoreUnsafe(ref sI, (nuint)j);
            (Load(ref sF, j) + dfV).StoreUnsafe(ref sF, (nuint)j);
            (Load(ref sG, j) + dgV).StoreUnsafe(ref sG, (nuint)j);
            (Load(ref sO, j) + doV).StoreUnsafe(ref sO, (nuint)j);
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
            if (!sum) continue;
            Unsafe.Add(ref sI, j) += Unsafe.Add(ref di, j);
            Unsafe.Add(ref sF, j) += Unsafe.Add(ref df, j);
            Unsafe.Add(ref sG, j) += Unsafe.Add(ref dg, j);
            Unsafe.Add(ref sO, j) += Unsafe.Add(ref dO, j);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Load(ref T at, int j) => Vector512.LoadUnsafe(ref at, (nuint)j);
}
