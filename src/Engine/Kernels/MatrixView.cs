// A strided window onto a flat array: how the kernels name "this [rows, cols] block of that buffer"
// without copying. Transposing swaps the strides.
namespace LstmService.Engine.Kernels;

internal readonly record struct MatrixView<T>(T[] Data, int Offset, int RowStride, int ColStride)
{
    /// <summary>A row-major view: element (r, c) at Offset + r·cols + c.</summary>
    public static MatrixView<T> RowMajor(T[] data, int cols, int offset = 0) => new(data, offset, cols, 1);

    public MatrixView<T> Transposed => new(Data, Offset, ColStride, RowStride);

    public ref T this[int row, int col] => ref Data[Offset + row * RowStride + col * ColStride];
}
