// Our matrix kernel against MathNet.Numerics' product as an independent reference, over shapes
// that hit every path (full and edge micro-tiles, the few-rows kernels, several k blocks, B packed
// per call or beforehand, both parallel splits).
using LstmService.Engine.Kernels;
using LstmService.Engine.Training;
using MathNet.Numerics.LinearAlgebra;

namespace LstmService.Engine.Tests;

public class MatMulTests
{
    public static TheoryData<int, int, int, bool, bool> Shapes => new()
    {
        { 1, 1, 1, false, false },
        { 3, 5, 7, false, true },
        { 4, 16, 9, true, false },
        { 7, 37, 13, false, true },
        { 33, 70, 65, true, true },
        { 2, 1030, 300, false, false },  // few rows, many columns: the column split
        { 130, 260, 40, true, true },    // many rows: the row split
        { 1, 300, 1, false, true },      // one row, k = 1
        { 3, 128, 70, true, false },     // few rows: whole groups of 4 panels
        { 8, 32, 1, false, false },      // exactly one micro-tile, k = 1
        { 9, 33, 600, true, true },      // one row and one column past a tile; k 600 in one block (at most 64 rows)
        { 200, 3, 513, false, true },    // a narrow B, the row split; a row-major A past WholeKRows: the whole k, in row blocks of 64
        { 72, 40, 300, true, false },    // a transposed A (or B) past WholeKRows: two k blocks, the column split
        { 72, 40, 1024, false, false },  // a row-major A with k at WholeKRowMajorA: one block, rows 64 + 8
        { 80, 40, 1100, false, true },   // a row-major A with k past WholeKRowMajorA: five k blocks
        { 64, 1024, 256, false, true },  // one step of B3's recurrent product
        { 300, 70, 1000, true, true },   // a transposed A of 2 × Mc rows or more: the row split, each part packing B
        { 260, 300, 900, true, true },   // the same with a B past SharedPackElements: packed once by the threads together
        { 16, 20, 13200, false, false }, // one panel of B with a long k: the row split, each part packing the panel
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Product_matches_MathNet_in_float64(int m, int n, int k, bool transposeA, bool accumulate)
    {
        var rng = new Rng((ulong)(m * 1000 + n * 10 + k));
        var a = Random(rng, m * k); var b = Random(rng, k * n); var c = Random(rng, m * n);
        var expected = Reference(a, b, c, m, n, k, transposeA, accumulate);
        var aView = transposeA ? MatrixView<double>.RowMajor(Transpose(a, m, k), m).Transposed : MatrixView<double>.RowMajor(a, k);
        using var compute = FixedThreads.Context(2);   // the same split on any machine
        MatMul.Multiply(compute, aView, MatrixView<double>.RowMajor(b, n), MatrixView<double>.RowMajor(c, n), m, n, k, accumulate);
        for (int i = 0; i < c.Length; i++) Assert.Equal(expected[i], c[i], 1e-12 * k);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Float32_product_matches_MathNet_and_is_the_same_with_one_thread_or_two(int m, int n, int k, bool transposeA, bool accumulate)
    {
        var rng = new Rng(42);
        var a = Random(rng, m * k); var b = Random(rng, k * n); var c = Random(rng, m * n);
        var expected = Reference(a, b, c, m, n, k, transposeA, accumulate);
        float[] Run(int threads)
        {
            var af = a.Select(v => (float)v).ToArray();
            var cf = c.Select(v => (float)v).ToArray();
            var aView = transposeA ? MatrixView<float>.RowMajor(Transpose(af, m, k), m).Transposed : MatrixView<float>.RowMajor(af, k);
            using var compute = FixedThreads.Context(threads);
            MatMul.Multiply(compute, aView, MatrixView<float>.RowMajor(b.Select(v => (float)v).ToArray(), n), MatrixView<float>.RowMajor(cf, n), m, n, k, accumulate);
            return cf;
        }
        var one = Run(1);
        Assert.Equal(one, Run(2));
        Assert.Equal(one, Run(3));   // a thread with a partial share of the panels or rows
        for (int i = 0; i < one.Length; i++) Assert.Equal(expected[i], one[i], 1e-5 * k);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void A_B_packed_beforehand_gives_the_same_bits_as_one_packed_per_product(int m, int n, int k, bool transposeB, bool accumulate)
    {
        // B given as a transposed view when transposeB: the way the layers pack their weights.
        var rng = new Rng(7);
        var a = Random(rng, m * k).Select(v => (float)v).ToArray();
        var b = Random(rng, k * n).Select(v => (float)v).ToArray();
        var c = Random(rng, m * n).Select(v => (float)v).ToArray();
        var bView = transposeB ? MatrixView<float>.RowMajor(Transpose(b, k, n), k).Transposed : MatrixView<float>.RowMajor(b, n);
        var perProduct = (float[])c.Clone();
        MatMul.Multiply(ComputeContext.Shared, MatrixView<float>.RowMajor(a, k), bView, MatrixView<float>.RowMajor(perProduct, n), m, n, k, accumulate);
        var packed = new PackedMatrix<float>();
        packed.Pack(bView, k, n);
        var beforehand = (float[])c.Clone();
        MatMul.Multiply(ComputeContext.Shared, MatrixView<float>.RowMajor(a, k), packed, MatrixView<float>.RowMajor(beforehand, n), m, accumulate);
        Assert.Equal(perProduct, beforehand);
        var expected = Reference(a.Select(v => (double)v).ToArray(), b.Select(v => (double)v).ToArray(), c.Select(v => (double)v).ToArray(), m, n, k, false, accumulate);
        for (int i = 0; i < c.Length; i++) Assert.Equal(expected[i], beforehand[i], 1e-5 * k);
    }

    [Theory]
    [InlineData(9, 16)]      // k below one 16 × 16 block: element by element
    [InlineData(65, 70)]     // blocks, then a k remainder and columns past the last full 16
    [InlineData(100, 400)]   // the seed example's W_hhᵀ
    public void A_transposed_view_packs_into_panels_element_for_element(int k, int n)
    {
        var w = Random(new Rng(3), n * k).Select(v => (float)v).ToArray();   // W [n, k]; B = Wᵀ [k, n]
        var packed = new PackedMatrix<float>();
        packed.Pack(MatrixView<float>.RowMajor(w, k).Transposed, k, n);
        int nr = MatMul.PanelWidth<float>();
        for (int j = 0; j < (n + nr - 1) / nr * nr; j++)
            for (int p = 0; p < k; p++)
                Assert.Equal(j < n ? w[j * k + p] : 0f, packed.Data[(j / nr * k + p) * nr + j % nr]);
    }

    [Theory]
    [InlineData(70, 100, false)]
    [InlineData(70, 100, true)]   // a transposed view: its 16 × 16 blocks written at a slice's offset
    public void Packing_in_slices_of_panels_gives_what_one_pack_gives(int k, int n, bool transposed)
    {
        var data = Random(new Rng(5), k * n).Select(v => (float)v).ToArray();
        var source = transposed ? MatrixView<float>.RowMajor(data, k).Transposed : MatrixView<float>.RowMajor(data, n);
        var whole = new PackedMatrix<float>();
        whole.Pack(source, k, n);
        var slices = new PackedMatrix<float>();
        slices.Prepare(source, k, n);
        int nr = MatMul.PanelWidth<float>();
        for (int c0 = 0; c0 < n; c0 += 2 * nr)   // two panels at a time, as the threads of a shared pack; the last one partial
            slices.PackColumns(source, c0, Math.Min(n, c0 + 2 * nr));
        Assert.Equal(whole.Data, slices.Data);
    }

    [Theory]
    [InlineData(32, 1024, 64, 256, true)]   // one thread's rows of a B3 layer-1 step
    [InlineData(13, 144, 3, 36, true)]      // an edge block of rows and one of columns
    [InlineData(13, 144, 3, 36, false)]     // step 0 from a zero state: no recurrent part
    [InlineData(5, 80, 300, 20, true)]      // k1 past Kc (one block all the same: at most 64 rows)
    [InlineData(3, 100, 7, 9, true)]        // too few rows for 8-row blocks: the separate calls
    public void A_step_product_gives_the_bits_of_its_three_separate_calls(int m, int n, int k1, int k2, bool withRecurrent)
    {
        StepProduct<float>(m, n, k1, k2, withRecurrent);
        StepProduct<double>(m, n, k1, k2, withRecurrent);   // panels of 16: other edge blocks
    }

    private static void StepProduct<T>(int m, int n, int k1, int k2, bool withRecurrent) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var rng = new Rng((ulong)(m + n + k1 + k2));
        T[] Values(int count) => Random(rng, count).Select(T.CreateChecked).ToArray();
        var (x, w1, h, w2, bias) = (Values(m * k1), Values(n * k1), Values(m * k2), Values(n * k2), Values(n));
        var (b1, b2) = (new PackedMatrix<T>(), new PackedMatrix<T>());
        b1.Pack(MatrixView<T>.RowMajor(w1, k1).Transposed, k1, n);   // Wᵀ, as the layers pack
        b2.Pack(MatrixView<T>.RowMajor(w2, k2).Transposed, k2, n);
        MatrixView<T>? hView = withRecurrent ? MatrixView<T>.RowMajor(h, k2) : null;

        var separate = Values(m * n);   // whatever the rows held before is overwritten
        MatMul.Multiply(ComputeContext.Shared, MatrixView<T>.RowMajor(x, k1), b1, MatrixView<T>.RowMajor(separate, n), m, accumulate: false);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) separate[i * n + j] += bias[j];
        if (hView is { } hv) MatMul.Multiply(ComputeContext.Shared, hv, b2, MatrixView<T>.RowMajor(separate, n), m, accumulate: true);

        var step = Values(m * n);
        MatMul.MultiplyStep(ComputeContext.Shared, MatrixView<T>.RowMajor(x, k1), b1, bias, hView, b2, MatrixView<T>.RowMajor(step, n), m);
        Assert.Equal(separate, step);
    }

    [Theory]
    [InlineData(64, 512, 200, false)]   // the column split
    [InlineData(260, 300, 900, true)]   // the row split of a transposed A, its B packed once and shared
    public void Products_on_several_threads_at_once_share_the_worker_pool_and_give_the_same_bits(int m, int n, int k, bool transposeA)
    {
        using var compute = FixedThreads.Context(2);
        // One caller holds the pool at a time; the others run their products on their own threads.
        var rng = new Rng(11);
        var a = Random(rng, m * k).Select(v => (float)v).ToArray();
        var b = Random(rng, k * n).Select(v => (float)v).ToArray();
        var aView = transposeA ? MatrixView<float>.RowMajor(a, m).Transposed : MatrixView<float>.RowMajor(a, k);
        float[] Product()
        {
            var c = new float[m * n];
            MatMul.Multiply(compute, aView, MatrixView<float>.RowMajor(b, n), MatrixView<float>.RowMajor(c, n), m, n, k, accumulate: false);
            return c;
        }
        var expected = Product();
        var results = new float[8][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            for (int r = 0; r < 20; r++) results[i] = Product();
        });
        Assert.All(results, result => Assert.Equal(expected, result));
    }

    [Fact]
    public void With_k_zero_the_product_is_zero_or_leaves_C_as_it_was()
    {
        var c = new[] { 1.0, 2.0, 3.0, 4.0 };
        MatMul.Multiply(ComputeContext.Shared, MatrixView<double>.RowMajor([], 0), MatrixView<double>.RowMajor([], 2), MatrixView<double>.RowMajor(c, 2), 2, 2, 0, accumulate: true);
        Assert.Equal([1.0, 2.0, 3.0, 4.0], c);
        MatMul.Multiply(ComputeContext.Shared, MatrixView<double>.RowMajor([], 0), MatrixView<double>.RowMajor([], 2), MatrixView<double>.RowMajor(c, 2), 2, 2, 0, accumulate: false);
        Assert.Equal([0.0, 0.0, 0.0, 0.0], c);
    }

    private static double[] Reference(double[] a, double[] b, double[] c, int m, int n, int k, bool _, bool accumulate)
    {
        var product = Matrix<double>.Build.Dense(m, k, (i, j) => a[i * k + j]) * Matrix<double>.Build.Dense(k, n, (i, j) => b[i * n + j]);
        return Enumerable.Range(0, m * n).Select(x => product[x / n, x % n] + (accumulate ? c[x] : 0)).ToArray();
    }

    private static double[] Random(Rng rng, int count) => Enumerable.Range(0, count).Select(_ => rng.NextUniform(-1, 1)).ToArray();

    // [rows, cols] → [cols, rows], so that a transposed view of the result reads the original.
    private static TItem[] Transpose<TItem>(TItem[] x, int rows, int cols)
    {
        var t = new TItem[x.Length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
        return t;
    }
}
