// A strided window onto a flat array: how the kernels name "this [rows, cols] block of that buffer"
// without copying. Transposing swaps the strides.
namespace LstmService.Engine.Kernels;

internal readonly record struct MatrixView<T>(T[] Data, int Offset, int RowStride, int ColStride)
{
    /// <summary>A row-major view: element (r, c) at Offset + r·cols + c.</summary>
    public static MatrixView<T> RowMajor(T[] data, int cols, int offset = 0) => new(data, offset, cols, 1);

    public MatrixView<T> Transposed => new(Data, Offset, ColStride, RowStride);

    public ref T this[int row, int col] => ref Data[Offset + row * RowStride + col * ColStride];

    /// <summary>Whether a [rows, cols] matrix through this view stays inside Data: the kernels read without bounds checks.</summary>
    public bool Fits(int rows, int cols) =>
        Offset >= 0 && RowStride >= 0 && ColStride >= 0 &&
        (rows == 0 || cols == 0 || Offset + (long)(rows - 1) * RowStride + (long)(cols - 1) * ColStride < Data.Length);
}
