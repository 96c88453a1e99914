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
        if (!source.Fits(rows, cols))
            throw new ArgumentException($"[{rows}, {cols}] reaches outside the source array.");
        int nr = MatMul.PanelWidth<T>();
        int length = checked((cols + nr - 1) / nr * nr * rows);
        if (Data.Length < length) Data = new T[length];
        Rows = rows;
        Cols = cols;
        PackPanels(source, rows, 0, cols, Data);
    }

    /// <summary>Columns [c0, c1) of source [k, ·] → panels in dst, panel q's element (p, j) at (q·k + p)·nr + j, columns past c1 zero.</summary>
    internal static void PackPanels(MatrixView<T> source, int k, int c0, int c1, T[] dst)
    {
        int nr = MatMul.PanelWidth<T>();
        ref T src = ref MemoryMarshal.GetArrayDataReference(source.Data);
        ref T d = ref MemoryMarshal.GetArrayDataReference(dst);
        for (int j = c0; j < c1; j += nr)
        {
            ref T panel = ref Unsafe.Add(ref d, (j - c0) / nr * k * nr);
            int cols = Math.Min(nr, c1 - j);
            if (cols < nr) MemoryMarshal.CreateSpan(ref panel, k * nr).Clear();
            if (source.ColStride == 1)
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
    // two-source permutes, each swapping the off-diagonal blocks of the size before it (8, 4, 2, 1).
    private static void Transpose16(ref float from, int fromStride, ref float to, int toStride)
    {
        Span<Vector512<float>> rows = stackalloc Vector512<float>[16];
        for (int i = 0; i < 16; i++) rows[i] = Vector512.LoadUnsafe(ref from, (nuint)(i * fromStride));
        for (int block = 8; block >= 1; block /= 2)
        {
            var (low, high) = SwapIndices(block);
            for (int i = 0; i < 16; i++)
            {
                if ((i & block) != 0) continue;
                var x = rows[i];
                var y = rows[i + block];
                rows[i] = Avx512F.PermuteVar16x32x2(x, low, y);
                rows[i + block] = Avx512F.PermuteVar16x32x2(x, high, y);
            }
        }
        for (int i = 0; i < 16; i++) rows[i].StoreUnsafe(ref to, (nuint)(i * toStride));
    }

    // For rows x (block bit clear) and y = x's partner: lane l of the new x is x[l] where l's block
    // bit is clear, else y[l − block]; lane l of the new y is x[l + block] where it is clear, else y[l].
    private static (Vector512<int> Low, Vector512<int> High) SwapIndices(int block) => block switch
    {
        8 => (Low8, High8),
        4 => (Low4, High4),
        2 => (Low2, High2),
        _ => (Low1, High1),
    };

    private static readonly Vector512<int> Low8 = Indices(8, low: true), High8 = Indices(8, low: false);
    private static readonly Vector512<int> Low4 = Indices(4, low: true), High4 = Indices(4, low: false);
    private static readonly Vector512<int> Low2 = Indices(2, low: true), High2 = Indices(2, low: false);
    private static readonly Vector512<int> Low1 = Indices(1, low: true), High1 = Indices(1, low: false);

    private static Vector512<int> Indices(int block, bool low)
    {
        Span<int> lanes = stackalloc int[16];
        for (int l = 0; l < 16; l++)
            lanes[l] = (l & block) == 0 ? (low ? l : l + block) : (low ? 16 + l - block : 16 + l);
        return Vector512.Create((ReadOnlySpan<int>)lanes);
    }
}
