// The engine's matrix kernel before issue 4 (Vector<T>, 4×2 register block, no packing), kept
// here only as the reference the kernel A/B (`LstmBench kernel`) times the new one against.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LstmService.Engine.Kernels;

namespace LstmService.Bench;

internal static class ReferenceMatMul
{
    /// <summary>Threads a large product is split over; tests set 1 and 2 to prove results do not depend on it.</summary>
    public static int MaxThreads { get; set; } = Environment.ProcessorCount;

    // Below this many multiply-adds a product runs on the calling thread: handing work to the
    // pool costs more than it saves.
    private const long ParallelThreshold = 1 << 18;
    private const int RowBlock = 4;

    /// <summary>
    /// C[m, n] (+)= A[m, k] · B[k, n]. A may have any strides (so Aᵀ is free); B and C must be
    /// contiguous along columns (ColStride 1), which is the direction the kernel vectorizes.
    /// </summary>
    public static void Multiply<T>(MatrixView<T> a, MatrixView<T> b, MatrixView<T> c, int m, int n, int k, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (b.ColStride != 1 || c.ColStride != 1)
            throw new ArgumentException("B and C must be contiguous along their columns.");
        if (m == 0 || n == 0) return;
        // The kernels read without bounds checks: one check here that each view's last element is inside its array.
        if (!Fits(a, m, k) || !Fits(b, k, n) || !Fits(c, m, n))
            throw new ArgumentException($"A [{m}, {k}] · B [{k}, {n}] → C [{m}, {n}] reaches outside an operand's array.");

        int threads = (long)m * n * k >= ParallelThreshold ? MaxThreads : 1;
        if (threads <= 1) Block(a, b, c, 0, m, 0, n, k, accumulate);
        else MultiplyParallel(a, b, c, m, n, k, accumulate, threads);
    }

    private static bool Fits<T>(MatrixView<T> view, int rows, int cols) =>
        view.Offset >= 0 && view.RowStride >= 0 && view.ColStride >= 0 &&
        (rows == 0 || cols == 0 || view.Offset + (long)(rows - 1) * view.RowStride + (long)(cols - 1) * view.ColStride < view.Data.Length);

    /// <summary>dst[cols, rows] = srcᵀ for row-major src [rows, cols].</summary>
    public static void Transpose<T>(ReadOnlySpan<T> src, int rows, int cols, Span<T> dst)
    {
        if (src.Length < rows * cols || dst.Length < rows * cols) throw new ArgumentException("The spans are shorter than the matrix.");
        // In 16 × 16 tiles, so the strided writes of one tile stay within a few cache lines.
        const int tile = 16;
        ref T s = ref MemoryMarshal.GetReference(src);
        ref T d = ref MemoryMarshal.GetReference(dst);
        for (int r0 = 0; r0 < rows; r0 += tile)
            for (int c0 = 0; c0 < cols; c0 += tile)
            {
                int r1 = Math.Min(rows, r0 + tile), c1 = Math.Min(cols, c0 + tile);
                for (int r = r0; r < r1; r++)
                    for (int c = c0; c < c1; c++)
                        Unsafe.Add(ref d, c * rows + r) = Unsafe.Add(ref s, r * cols + c);
            }
    }

    // Apart from Multiply, so that the closures the lambdas need are allocated only when a
    // product is really split, not on every small product of the time loop.
    private static void MultiplyParallel<T>(MatrixView<T> a, MatrixView<T> b, MatrixView<T> c, int m, int n, int k, bool accumulate, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int panel = 2 * Vector<T>.Count;
        if (m >= threads * RowBlock)
        {
            int rowBlocks = (m + RowBlock - 1) / RowBlock;
            int rowsPer = (rowBlocks + threads - 1) / threads * RowBlock;
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, part =>
            {
                int from = part * rowsPer;
                if (from < m) Block(a, b, c, from, Math.Min(m, from + rowsPer), 0, n, k, accumulate);
            });
        }
        else
        {
            // Few rows (one step of a small batch): split the columns on panel boundaries.
            int panels = (n + panel - 1) / panel;
            int colsPer = (panels + threads - 1) / threads * panel;
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, part =>
            {
                int from = part * colsPer;
                if (from < n) Block(a, b, c, 0, m, from, Math.Min(n, from + colsPer), k, accumulate);
            });
        }
    }

    // Rows [r0, r1) × columns [c0, c1) of C. Register-blocked: 4 rows × 2 vectors of C stay in
    // registers across the whole k loop.
    private static void Block<T>(MatrixView<T> a, MatrixView<T> b, MatrixView<T> c, int r0, int r1, int c0, int c1, int k, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = Vector<T>.Count;
        ref T aRef = ref MemoryMarshal.GetArrayDataReference(a.Data);
        ref T bRef = ref MemoryMarshal.GetArrayDataReference(b.Data);
        ref T cRef = ref MemoryMarshal.GetArrayDataReference(c.Data);
        int blockRows = r0 + (r1 - r0) / RowBlock * RowBlock;
        int j = c0;
        for (; j + 2 * v <= c1; j += 2 * v)
            for (int i = r0; i < blockRows; i += RowBlock)
                Kernel4x2(ref aRef, a, ref bRef, b, ref cRef, c, i, j, k, accumulate);
        for (; j + v <= c1; j += v)
            for (int i = r0; i < blockRows; i++)
                Kernel1x1(ref aRef, a, ref bRef, b, ref cRef, c, i, j, k, accumulate);
        for (; j < c1; j++)
            for (int i = r0; i < blockRows; i++)
                Scalar(ref aRef, a, ref bRef, b, ref cRef, c, i, j, k, accumulate);

        // The rows left over (fewer than 4; all of them for one step of batch 1) go across the
        // columns 4 vectors at a time: four independent FMA chains hide the FMA latency that a
        // single chain would wait on.
        for (int i = blockRows; i < r1; i++)
        {
            int jj = c0;
            for (; jj + 4 * v <= c1; jj += 4 * v)
                Kernel1x4(ref aRef, a, ref bRef, b, ref cRef, c, i, jj, k, accumulate);
            for (; jj + v <= c1; jj += v)
                Kernel1x1(ref aRef, a, ref bRef, b, ref cRef, c, i, jj, k, accumulate);
            for (; jj < c1; jj++)
                Scalar(ref aRef, a, ref bRef, b, ref cRef, c, i, jj, k, accumulate);
        }
    }

    private static void Scalar<T>(ref T aRef, MatrixView<T> a, ref T bRef, MatrixView<T> b, ref T cRef, MatrixView<T> c, int i, int j, int k, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T sum = accumulate ? Unsafe.Add(ref cRef, c.Offset + i * c.RowStride + j) : T.Zero;
        int ai = a.Offset + i * a.RowStride, bj = b.Offset + j;
        for (int p = 0; p < k; p++)
            sum = T.FusedMultiplyAdd(Unsafe.Add(ref aRef, ai + p * a.ColStride), Unsafe.Add(ref bRef, bj + p * b.RowStride), sum);
        Unsafe.Add(ref cRef, c.Offset + i * c.RowStride + j) = sum;
    }

    private static void Kernel1x4<T>(ref T aRef, MatrixView<T> a, ref T bRef, MatrixView<T> b, ref T cRef, MatrixView<T> c, int i, int j, int k, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint v = (nuint)Vector<T>.Count;
        nuint c0 = (nuint)(c.Offset + i * c.RowStride + j);
        Vector<T> s0, s1, s2, s3;
        if (accumulate)
        {
            s0 = Vector.LoadUnsafe(ref cRef, c0); s1 = Vector.LoadUnsafe(ref cRef, c0 + v);
            s2 = Vector.LoadUnsafe(ref cRef, c0 + 2 * v); s3 = Vector.LoadUnsafe(ref cRef, c0 + 3 * v);
        }
        else
        {
            s0 = s1 = s2 = s3 = Vector<T>.Zero;
        }
        int ai = a.Offset + i * a.RowStride, acs = a.ColStride;
        nuint bp = (nuint)(b.Offset + j), bs = (nuint)b.RowStride;
        for (int p = 0; p < k; p++, ai += acs, bp += bs)
        {
            var x = new Vector<T>(Unsafe.Add(ref aRef, ai));
            s0 = Fma(x, Vector.LoadUnsafe(ref bRef, bp), s0);
            s1 = Fma(x, Vector.LoadUnsafe(ref bRef, bp + v), s1);
            s2 = Fma(x, Vector.LoadUnsafe(ref bRef, bp + 2 * v), s2);
            s3 = Fma(x, Vector.LoadUnsafe(ref bRef, bp + 3 * v), s3);
        }
        s0.StoreUnsafe(ref cRef, c0); s1.StoreUnsafe(ref cRef, c0 + v);
        s2.StoreUnsafe(ref cRef, c0 + 2 * v); s3.StoreUnsafe(ref cRef, c0 + 3 * v);
    }

    private static void Kernel4x2<T>(ref T aRef, MatrixView<T> a, ref T bRef, MatrixView<T> b, ref T cRef, MatrixView<T> c, int i, int j, int k, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = Vector<T>.Count;
        nuint c0 = (nuint)(c.Offset + i * c.RowStride + j), cs = (nuint)c.RowStride;
        Vector<T> c00, c01, c10, c11, c20, c21, c30, c31;
        if (accumulate)
        {
            c00 = Vector.LoadUnsafe(ref cRef, c0); c01 = Vector.LoadUnsafe(ref cRef, c0 + (nuint)v);
            c10 = Vector.LoadUnsafe(ref cRef, c0 + cs); c11 = Vector.LoadUnsafe(ref cRef, c0 + cs + (nuint)v);
            c20 = Vector.LoadUnsafe(ref cRef, c0 + 2 * cs); c21 = Vector.LoadUnsafe(ref cRef, c0 + 2 * cs + (nuint)v);
            c30 = Vector.LoadUnsafe(ref cRef, c0 + 3 * cs); c31 = Vector.LoadUnsafe(ref cRef, c0 + 3 * cs + (nuint)v);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = Vector<T>.Zero;
        }
        int ai = a.Offset + i * a.RowStride, ars = a.RowStride, acs = a.ColStride;
        nuint bp = (nuint)(b.Offset + j), bs = (nuint)b.RowStride;
        for (int p = 0; p < k; p++, ai += acs, bp += bs)
        {
            Vector<T> b0 = Vector.LoadUnsafe(ref bRef, bp), b1 = Vector.LoadUnsafe(ref bRef, bp + (nuint)v);
            var a0 = new Vector<T>(Unsafe.Add(ref aRef, ai));
            c00 = Fma(a0, b0, c00); c01 = Fma(a0, b1, c01);
            var a1 = new Vector<T>(Unsafe.Add(ref aRef, ai + ars));
            c10 = Fma(a1, b0, c10); c11 = Fma(a1, b1, c11);
            var a2 = new Vector<T>(Unsafe.Add(ref aRef, ai + 2 * ars));
            c20 = Fma(a2, b0, c20); c21 = Fma(a2, b1, c21);
            var a3 = new Vector<T>(Unsafe.Add(ref aRef, ai + 3 * ars));
            c30 = Fma(a3, b0, c30); c31 = Fma(a3, b1, c31);
        }
        c00.StoreUnsafe(ref cRef, c0); c01.StoreUnsafe(ref cRef, c0 + (nuint)v);
        c10.StoreUnsafe(ref cRef, c0 + cs); c11.StoreUnsafe(ref cRef, c0 + cs + (nuint)v);
        c20.StoreUnsafe(ref cRef, c0 + 2 * cs); c21.StoreUnsafe(ref cRef, c0 + 2 * cs + (nuint)v);
        c30.StoreUnsafe(ref cRef, c0 + 3 * cs); c31.StoreUnsafe(ref cRef, c0 + 3 * cs + (nuint)v);
    }

    private static void Kernel1x1<T>(ref T aRef, MatrixView<T> a, ref T bRef, MatrixView<T> b, ref T cRef, MatrixView<T> c, int i, int j, int k, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint c0 = (nuint)(c.Offset + i * c.RowStride + j);
        Vector<T> acc = accumulate ? Vector.LoadUnsafe(ref cRef, c0) : Vector<T>.Zero;
        int ai = a.Offset + i * a.RowStride;
        nuint bp = (nuint)(b.Offset + j), bs = (nuint)b.RowStride;
        for (int p = 0; p < k; p++, ai += a.ColStride, bp += bs)
            acc = Fma(new Vector<T>(Unsafe.Add(ref aRef, ai)), Vector.LoadUnsafe(ref bRef, bp), acc);
        acc.StoreUnsafe(ref cRef, c0);
    }

    // One rounding per multiply-add, the same as the scalar tail's T.FusedMultiplyAdd, so every
    // path through the kernel gives the same bits. The type tests fold away when the JIT
    // specializes T.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Fma<T>(Vector<T> x, Vector<T> y, Vector<T> addend) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Vector.FusedMultiplyAdd(x.As<T, float>(), y.As<T, float>(), addend.As<T, float>()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector.FusedMultiplyAdd(x.As<T, double>(), y.As<T, double>(), addend.As<T, double>()).As<double, T>();
        throw new NotSupportedException($"{typeof(T).Name} is not a supported element type.");
    }
}
