// The column sums of a row-major matrix (the bias gradients: dGates summed over every step and
// sequence), split by blocks of columns over the worker pool. Each column is summed by one thread
// in row order, so the bits do not depend on the thread count.
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace LstmService.Engine.Kernels;

internal sealed class ColumnSums<T> : PoolWork where T : unmanaged, IFloatingPointIeee754<T>
{
    // One per element type: only the pool's holder sets and runs it.
    private static readonly ColumnSums<T> Work = new();

    private T[] _matrix = [], _sums = [];
    private int _rows, _cols, _colsPer;

    /// <summary>sums[j] += Σ over rows r of matrix[r·cols + j], for r in row order.</summary>
    public static void Add(T[] matrix, int rows, int cols, T[] sums)
    {
        int parts = Math.Min(MatMul.MaxThreads, cols / Vector512<T>.Count);
        if (parts > 1 && (long)rows * cols >= MatMul.ParallelThreshold && WorkerPool.TryAcquire())
        {
            try
            {
                // Whole vectors per part, so each part's spans vectorize as the serial loop's do.
                int vectors = (cols + Vector512<T>.Count - 1) / Vector512<T>.Count;
                (Work._matrix, Work._sums, Work._rows, Work._cols) = (matrix, sums, rows, cols);
                Work._colsPer = (vectors + parts - 1) / parts * Vector512<T>.Count;
                WorkerPool.Run(Work, parts);
                return;
            }
            finally
            {
                (Work._matrix, Work._sums) = ([], []);
                WorkerPool.Release();
            }
        }
        Sum(matrix, rows, cols, 0, cols, sums);
    }

    public override void Run(int part)
    {
        int from = part * _colsPer, to = Math.Min(_cols, from + _colsPer);
        if (from < to) Sum(_matrix, _rows, _cols, from, to, _sums);
    }

    // Columns [from, to).
    private static void Sum(T[] matrix, int rows, int cols, int from, int to, T[] sums)
    {
        var slice = sums.AsSpan(from, to - from);
        for (int r = 0; r < rows; r++)
            TensorPrimitives.Add(slice, matrix.AsSpan(r * cols + from, to - from), slice);
    }
}
