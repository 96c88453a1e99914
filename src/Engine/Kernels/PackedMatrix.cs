// The right operand of a product in the layout the matrix kernel reads: column panels two vectors
// wide, each panel k rows of contiguous vectors. A weight matrix that many products share (the
// recurrent weights at every step) is packed once into one of these instead of once per product.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
                // A transposed view: read along the source's rows, which are this panel's columns.
                for (int jj = 0; jj < cols; jj++)
                {
                    int from = source.Offset + (j + jj) * source.ColStride;
                    for (int p = 0; p < k; p++)
                        Unsafe.Add(ref panel, p * nr + jj) = Unsafe.Add(ref src, from + p * source.RowStride);
                }
            }
        }
    }
}
