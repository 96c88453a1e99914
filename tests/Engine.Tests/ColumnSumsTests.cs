// The bias gradients' column sums: split over threads by columns, each column still summed in row
// order, so one thread or two give the same bits, and those of the plain serial loop.
using LstmService.Engine.Kernels;
using LstmService.Engine.Training;

namespace LstmService.Engine.Tests;

[Collection(nameof(ThreadCountSensitive))]
public class ColumnSumsTests
{
    [Theory]
    [InlineData(1000, 300)]   // above the parallel threshold, a partial last vector
    [InlineData(7, 20)]       // small: on the calling thread
    public void Sums_are_the_serial_row_order_sums_with_one_thread_or_two(int rows, int cols)
    {
        var rng = new Rng(5);
        var matrix = Enumerable.Range(0, rows * cols).Select(_ => (float)rng.NextUniform(-1, 1)).ToArray();
        var start = Enumerable.Range(0, cols).Select(_ => (float)rng.NextUniform(-1, 1)).ToArray();
        var expected = (float[])start.Clone();
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++) expected[j] += matrix[r * cols + j];

        float[] Run(int threads)
        {
            var sums = (float[])start.Clone();
            int saved = MatMul.MaxThreads;
            MatMul.MaxThreads = threads;
            try { ColumnSums<float>.Add(matrix, rows, cols, sums); }
            finally { MatMul.MaxThreads = saved; }
            return sums;
        }
        Assert.Equal(expected, Run(1));
        Assert.Equal(expected, Run(2));
    }
}
