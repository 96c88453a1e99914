// The right operand of a product in the layout the matrix kernel reads: column panels two vectors
// wide, each panel k rows of contiguous vectors. A weight matrix that many products share (the
// recurrent weights at every step) is packed once into one of these instead of once per product.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LstmService.Engine.Kernels;

internal sealed class PackedMatrix<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>k: the rows of B.</summary>
    public int Rows { get; private set; }
    /// <summary>n: the columns of B.</summary>
    public int Cols { get; private set; }
    internal T[] Data { get; private set; } = [];

    /// <summary>Packs source [rows, cols] (any strides: Wᵀ is W's transposed view). Reuses the buffer when it is large enough.</summary>
    public void Pack(MatrixView<T> source, int rows, int cols)
    {
        Prepare(source, rows, cols);
        PackPanels(source, rows, 0, cols, Data);
    }

    /// <summary>
    /// Sizes this for source [rows, cols] without packing it: the parts of a split then pack it
    /// together, each its own columns (<see cref="PackColumns"/>).
    /// </summary>
    internal void Prepare(MatrixView<T> source, int rows, int cols)
    {
        if (!source.Fits(rows, cols))
            throw new ArgumentException($"[{rows}, {cols}] reaches outside the source array.");
        int nr = MatMul.PanelWidth<T>();
        int length = checked((cols + nr - 1) / nr * nr * rows);
        if (Data.Length < length) Data = new T[length];
        Rows = rows;
        Cols = cols;
    }

    /// <summary>Packs columns [c0, c1) of source, c0 on a panel boundary, into their panels here (sized by <see cref="Prepare"/>).</summary>
    internal void PackColumns(MatrixView<T> source, int c0, int c1) =>
        PackPanels(source, Rows, c0, c1, Data, c0 * Rows);

    /// <summary>
    /// Columns [c0, c1) of source [k, ·] → panels in dst from index at, panel q's element (p, j)
    /// at at + (q·k + p)·nr + j, columns past c1 zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackPanels(MatrixView<T> source, int k, int c0, int c1, T[] dst, int at = 0)
    {
        int nr = MatMul.PanelWidth<T>();
        ref T src = ref MemoryMarshal.GetArrayDataReference(source.Data);
        ref T d = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(dst), at);
        for (int j = c0; j < c1; j += nr)
        {
            ref T panel = ref Unsafe.Add(ref d, (j - c0) / nr * k * nr);
            int cols = Math.Min(nr, c1 - j);
            if (cols < nr) MemoryMarshal.CreateSpan(ref panel, k * nr).Clear();
            if (source.ColStride == 1 && cols == nr)
            {
                // A whole panel row is two vectors: moved as such, not as a 128-byte span copy
                // (B1's backward repacks W_hh this way after every step, 1,600 rows of it).
                nuint v = (nuint)Vector512<T>.Count;
                for (int p = 0; p < k; p++)
                {
                    ref T from = ref Unsafe.Add(ref src, source.Offset + p * source.RowStride + j);
                    Vector512.LoadUnsafe(ref from).StoreUnsafe(ref panel, (nuint)(p * nr));
                    Vector512.LoadUnsafe(ref from, v).StoreUnsafe(ref panel, (nuint)(p * nr) + v);
                }
            }
            else if (source.ColStride == 1)
            {
                for (int p = 0; p < k; p++)
                    MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref src, source.Offset + p * source.RowStride + j), cols)
                        .CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref panel, p * nr), cols));
            }
            else
            {
                // A transposed view (Wᵀ of a row-major W): the source's rows are this panel's
                // columns. Blocks of 16 × 16 go through registers; the rest one element at a time.
                int done = 0, doneK = 0;
                if (typeof(T) == typeof(float) && Avx512F.IsSupported && source.RowStride == 1)
                {
                    done = cols / 16 * 16;
                    doneK = k / 16 * 16;
                    for (int jj = 0; jj < done; jj += 16)
                        for (int p = 0; p < doneK; p += 16)
                            Transpose16(ref Unsafe.As<T, float>(ref Unsafe.Add(ref src, source.Offset + (j + jj) * source.ColStride + p)), source.ColStride,
                                ref Unsafe.As<T, float>(ref Unsafe.Add(ref panel, p * nr + jj)), nr);
                }
                for (int jj = 0; jj < cols; jj++)
                {
                    int from = source.Offset + (j + jj) * source.ColStride;
                    for (int p = jj < done ? doneK : 0; p < k; p++)
                        Unsafe.Add(ref panel, p * nr + jj) = Unsafe.Add(ref src, from + p * source.RowStride);
                }
            }
        }
    }

    // to[r·toStride + c] = from[c·fromStride + r] for a 16 × 16 block of floats: four rounds of
    // two-source permutes, each swapping the off-diagonal blocks of the size before it (8, 4, 2,
    // 1), all sixteen rows in registers (written out: an array of rows went through the stack).
    private static void Transpose16(ref float from, int fromStride, ref float to, int toStride)
    {
        nuint s = (nuint)fromStride;
        Vector512<float> r0 = Vector512.LoadUnsafe(ref from), r1 = Vector512.LoadUnsafe(ref from, s),
            r2 = Vector512.LoadUnsafe(ref from, 2 * s), r3 = Vector512.LoadUnsafe(ref from, 3 * s),
            r4 = Vector512.LoadUnsafe(ref from, 4 * s), r5 = Vector512.LoadUnsafe(ref from, 5 * s),
            r6 = Vector512.LoadUnsafe(ref from, 6 * s), r7 = Vector512.LoadUnsafe(ref from, 7 * s),
            r8 = Vector512.LoadUnsafe(ref from, 8 * s), r9 = Vector512.LoadUnsafe(ref from, 9 * s),
            r10 = Vector512.LoadUnsafe(ref from, 10 * s), r11 = Vector512.LoadUnsafe(ref from, 11 * s),
            r12 = Vector512.LoadUnsafe(ref from, 12 * s), r13 = Vector512.LoadUnsafe(ref from, 13 * s),
            r14 = Vector512.LoadUnsafe(ref from, 14 * s), r15 = Vector512.LoadUnsafe(ref from, 15 * s);
        (r0, r8) = Swap(r0, r8, Low8, High8); (r1, r9) = Swap(r1, r9, Low8, High8);
        (r2, r10) = Swap(r2, r10, Low8, High8); (r3, r11) = Swap(r3, r11, Low8, High8);
        (r4, r12) = Swap(r4, r12, Low8, High8); (r5, r13) = Swap(r5, r13, Low8, High8);
        (r6, r14) = Swap(r6, r14, Low8, High8); (r7, r15) = Swap(r7, r15, Low8, High8);
        (r0, r4) = Swap(r0, r4, Low4, High4); (r1, r5) = Swap(r1, r5, Low4, High4);
        (r2, r6) = Swap(r2, r6, Low4, High4); (r3, r7) = Swap(r3, r7, Low4, High4);
        (r8, r12) = Swap(r8, r12, Low4, High4); (r9, r13) = Swap(r9, r13, Low4, High4);
        (r10, r14) = Swap(r10, r14, Low4, High4); (r11, r15) = Swap(r11, r15, Low4, High4);
        (r0, r2) = Swap(r0, r2, Low2, High2); (r1, r3) = Swap(r1, r3, Low2, High2);
        (r4, r6) = Swap(r4, r6, Low2, High2); (r5, r7) = Swap(r5, r7, Low2, High2);
        (r8, r10) = Swap(r8, r10, Low2, High2); (r9, r11) = Swap(r9, r11, Low2, High2);
        (r12, r14) = Swap(r12, r14, Low2, High2); (r13, r15) = Swap(r13, r15, Low2, High2);
        (r0, r1) = Swap(r0, r1, Low1, High1); (r2, r3) = Swap(r2, r3, Low1, High1);
        (r4, r5) = Swap(r4, r5, Low1, High1); (r6, r7) = Swap(r6, r7, Low1, High1);
        (r8, r9) = Swap(r8, r9, Low1, High1); (r10, r11) = Swap(r10, r11, Low1, High1);
        (r12, r13) = Swap(r12, r13, Low1, High1); (r14, r15) = Swap(r14, r15, Low1, High1);
        nuint t = (nuint)toStride;
        r0.StoreUnsafe(ref to); r1.StoreUnsafe(ref to, t); r2.StoreUnsafe(ref to, 2 * t); r3.StoreUnsafe(ref to, 3 * t);
        r4.StoreUnsafe(ref to, 4 * t); r5.StoreUnsafe(ref to, 5 * t); r6.StoreUnsafe(ref to, 6 * t); r7.StoreUnsafe(ref to, 7 * t);
        r8.StoreUnsafe(ref to, 8 * t); r9.StoreUnsafe(ref to, 9 * t); r10.StoreUnsafe(ref to, 10 * t); r11.StoreUnsafe(ref to, 11 * t);
        r12.StoreUnsafe(ref to, 12 * t); r13.StoreUnsafe(ref to, 13 * t); r14.StoreUnsafe(ref to, 14 * t); r15.StoreUnsafe(ref to, 15 * t);
    }

    // Rows x and its partner y, a block apart: lane l of the new x is x[l] where l's block bit is
    // clear, else y[l − block]; lane l of the new y is x[l + block] where it is clear, else y[l].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float>, Vector512<float>) Swap(Vector512<float> x, Vector512<float> y, Vector512<int> low, Vector512<int> high) =>
        (Avx512F.PermuteVar16x32x2(x, low, y), Avx512F.PermuteVar16x32x2(x, high, y));

    private static readonly Vector512<int> Low8 = Indices(8, low: true), High8 = Indices(8, low: false);
    private static readonly Vector512<int> Low4 = Indices(4, low: true), High4 = Indices(4, low: false);
    private static readonly Vector512<int> Low2 = Indices(2, low: true), High2 = Indices(2, low: false);
    private static readonly Vector512<int> Low1 = Indices(1, low: true), High1 = Indices(1, low: false);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector512<int> Indices(int block, bool low)
    {
        Span<int> lanes = stackalloc int[16];
        for (int l = 0; l < 16; l++)
            lanes[l] = (l & block) == 0 ? (low ? l : l + block) : (low ? 16 + l - block : 16 + l);
        return Vector512.Create((ReadOnlySpan<int>)lanes);
    }
}
