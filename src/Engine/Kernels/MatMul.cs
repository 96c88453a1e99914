// The matrix product every hot path of the engine runs on: C = A·B (or C += A·B). B is packed into
// column panels two Vector512 wide, A is read in place, and a micro-kernel keeps an 8 × 2-vector
// block of C in registers across a block of k (see docs/dev/engine.md). Every element of
// C is computed by the same chain of FMAs in k order, whichever thread, block or code path takes
// it, so results are bit-identical with 1 or N threads.
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LstmService.Engine.Kernels;

internal static class MatMul
{
    // Below this many multiply-adds a product runs on the calling thread: handing a part to a
    // worker costs more than it saves.
    internal const long ParallelThreshold = 1 << 18;
    // Rows of C one micro-kernel call holds: 8 rows × 2 vectors = 16 accumulators of the 32 registers.
    internal const int Mr = 8;
    // A block of k (in products of more than WholeKRows rows): one packed B micro-panel (Kc × 2
    // vectors, 32 KiB in float32) stays in L1.
    private const int Kc = 256;
    // Rows of A a block of k runs over before the next: an Mc × Kc block (128 KiB in float32) stays in L2.
    private const int Mc = 128;
    // Up to this many rows a product runs its whole k in one pass, not in blocks of Kc.
    private const int WholeKRows = 64;
    // A row-major A with more rows than WholeKRows and k past Kc runs a k of up to this many in
    // one block, in row blocks of WholeKMc: B's micro-panel (up to 128 KiB in float32) stays in
    // L2 instead of L1, but each block of C is stored once instead of once per Kc of k (B3's
    // dInput [4096, 1024]·[1024, 256] is the product this is for). A transposed A
    // (the weight gradients' dGatesᵀ) measured slower so: its 4 KiB-strided reads need the small
    // k block. The same bits either way: each element's FMA chain runs in k order across blocks.
    private const int WholeKRowMajorA = 1024, WholeKMc = 64;
    // With fewer rows than this (one step of batch 1), rows go one at a time across 4 panels
    // instead of through the 8-row micro-kernel, most of whose rows would be dropped.
    private const int FewRows = 4;
    // A B of at least this many elements and more than one panel, read whole by every part of a
    // split by rows, is packed once by the threads together; a smaller one by each part, which
    // costs less than the extra hand-off, and one panel can only be packed by one.
    private const long SharedPackElements = 1 << 18;

    /// <summary>Columns of one packed panel of B: two vectors.</summary>
    public static int PanelWidth<T>() => 2 * Vector512<T>.Count;

    /// <summary>
    /// C[m, n] (+)= A[m, k] · B[k, n]. A and B may have any strides (so transposes are free); C must
    /// be contiguous along its columns. B is packed on the way, by each thread for its columns;
    /// pack a B that many products share once with <see cref="PackedMatrix{T}"/> instead.
    /// </summary>
    public static void Multiply<T>(ComputeContext compute, MatrixView<T> a, MatrixView<T> b, MatrixView<T> c, int m, int n, int k, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!b.Fits(k, n)) throw new ArgumentException($"B [{k}, {n}] reaches outside its array.");
        Run(compute, a, new Operand<T>(b, null), c, m, n, k, accumulate);
    }

    /// <summary>C[m, n] (+)= A[m, k] · B[k, n] with B packed beforehand.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply<T>(ComputeContext compute, MatrixView<T> a, PackedMatrix<T> b, MatrixView<T> c, int m, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Run(compute, a, new Operand<T>(default, b), c, m, b.Cols, b.Rows, accumulate);

    // B as given: a view packed per call, or a matrix packed beforehand.
    private readonly record struct Operand<T>(MatrixView<T> View, PackedMatrix<T>? Packed) where T : unmanaged, IFloatingPointIeee754<T>;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<T>(ComputeContext compute, MatrixView<T> a, Operand<T> b, MatrixView<T> c, int m, int n, int k, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (c.ColStride != 1) throw new ArgumentException("C must be contiguous along its columns.");
        if (m == 0 || n == 0) return;
        if (!a.Fits(m, k) || !c.Fits(m, n))
            throw new ArgumentException($"A [{m}, {k}] · B [{k}, {n}] → C [{m}, {n}] reaches outside an operand's array.");
        if (k == 0)
        {
            if (!accumulate) for (int i = 0; i < m; i++) c.Data.AsSpan(c.Offset + i * c.RowStride, n).Clear();
            return;
        }

        int threads = (long)m * n * k >= ParallelThreshold ? compute.ActiveThreads : 1;
        if (threads <= 1) Part(a, b, c, 0, m, 0, n, k, accumulate);
        else MultiplyParallel(compute, a, b, c, m, n, k, accumulate, threads);
    }

    private static void MultiplyParallel<T>(ComputeContext compute, MatrixView<T> a, Operand<T> b, MatrixView<T> c, int m, int n, int k, bool accumulate, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var pool = compute.Pool;
        if (!pool.TryAcquire())
        {
            Part(a, b, c, 0, m, 0, n, k, accumulate);
            return;
        }
        try
        {
            var work = compute.Work<Split<T>>();
            work.Set(a, b, c, m, n, k, accumulate, threads);
            if (!work.ByColumns && b.Packed is null && (long)k * n >= SharedPackElements && n > PanelWidth<T>())
            {
                // Split by rows, every part reads all of B: packed once and shared, each thread
                // packing a share of its panels, instead of all of it by every part.
                var packing = compute.Work<SharedPack<T>>();
                packing.Set(b.View, k, n, threads);
                try { pool.Run(packing, threads); }
                finally { packing.Done(); }
                work.UsePacked(packing.Packed);
            }
            pool.Run(work, threads);
        }
        finally { pool.Release(); }
    }

    // B packed by the pool's threads together, each a share of its panels, into one buffer that
    // every part of a product split by rows then reads.
    private sealed class SharedPack<T> : PoolWork where T : unmanaged, IFloatingPointIeee754<T>
    {
        // One per context and element type, as Split's. Its buffer grows to the largest B packed
        // this way and is kept for the next product, as each thread's own packing buffer is.
        public PackedMatrix<T> Packed { get; } = new();
        private MatrixView<T> _source;
        private int _colsPer;

        public void Set(MatrixView<T> source, int k, int n, int parts)
        {
            Packed.Prepare(source, k, n);
            _source = source;
            int nr = PanelWidth<T>();
            _colsPer = ((n + nr - 1) / nr + parts - 1) / parts * nr;
        }

        public override void Run(int part)
        {
            int from = part * _colsPer;
            if (from < Packed.Cols) Packed.PackColumns(_source, from, Math.Min(Packed.Cols, from + _colsPer));
        }

        /// <summary>Lets go of the source, so that the context does not keep the caller's array alive.</summary>
        public void Done() => _source = default;
    }

    // One product split into fixed parts: by column panels when there are enough (each thread
    // packs only its own columns of B), else by blocks of rows. A transposed A (the weight
    // gradients' dGatesᵀ, read down its columns 4H elements apart, 4 KiB in B3) with Mc rows
    // for each part is split by rows too: each thread then reads only its share of A, and each
    // block of it serves all the panels from L2, where split by columns every thread read all
    // of A and a block served only its own panels. The
    // parts depend only on the shape and the thread count, and no element is computed by two.
    private sealed class Split<T> : PoolWork where T : unmanaged, IFloatingPointIeee754<T>
    {
        // One per context and element type (ComputeContext.Work).
        private MatrixView<T> _a, _c;
        private Operand<T> _b;
        private int _m, _n, _k, _rowsPer, _colsPer;
        private bool _accumulate;

        /// <summary>Whether the parts are blocks of columns (else of rows).</summary>
        public bool ByColumns { get; private set; }

        /// <summary>B packed beforehand in place of the view given to Set: the same parts.</summary>
        public void UsePacked(PackedMatrix<T> packed) => _b = new Operand<T>(default, packed);

        public void Set(MatrixView<T> a, Operand<T> b, MatrixView<T> c, int m, int n, int k, bool accumulate, int parts)
        {
            (_a, _b, _c, _m, _n, _k, _accumulate) = (a, b, c, m, n, k, accumulate);
            int nr = PanelWidth<T>(), panels = (n + nr - 1) / nr;
            bool transposedA = a.RowStride == 1 && a.ColStride != 1;
            ByColumns = panels >= parts && !(transposedA && m >= parts * Mc);
            _colsPer = (panels + parts - 1) / parts * nr;
            _rowsPer = ((m + Mr - 1) / Mr + parts - 1) / parts * Mr;
        }

        public override void Run(int part)
        {
            int from = part * (ByColumns ? _colsPer : _rowsPer);
            if (ByColumns && from < _n) Part(_a, _b, _c, 0, _m, from, Math.Min(_n, from + _colsPer), _k, _accumulate);
            else if (!ByColumns && from < _m) Part(_a, _b, _c, from, Math.Min(_m, from + _rowsPer), 0, _n, _k, _accumulate);
        }
    }

    /// <summary>
    /// One LSTM step's gates (a time loop's block of rows, on its thread; only the few-rows
    /// fallback may use the pool): C[m, n] = (A1 · B1 + bias) + A2 · B2, or
    /// A1 · B1 + bias without A2. One kernel call per block of C, whose accumulators stay in
    /// registers through all three, instead of three passes over C: the operations and their
    /// order are those of the three separate calls, so the bits are theirs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyStep<T>(ComputeContext compute, MatrixView<T> a1, PackedMatrix<T> b1, ReadOnlySpan<T> bias, MatrixView<T>? a2, PackedMatrix<T> b2, MatrixView<T> c, int m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = b1.Cols, k1 = b1.Rows, k2 = b2.Rows;
        if (b2.Cols != n || bias.Length != n) throw new ArgumentException("B1, B2 and the bias must have the same columns.");
        if (c.ColStride != 1) throw new ArgumentException("C must be contiguous along its columns.");
        if (!a1.Fits(m, k1) || !c.Fits(m, n) || a2 is { } given && !given.Fits(m, k2))
            throw new ArgumentException($"A step's product for {m} rows reaches outside an operand's array.");
        if (m < FewRows || k1 == 0 || k2 == 0)
        {
            // Too few rows for the 8-row blocks, or an empty product: the three calls one after
            // another (the bias add is CellMath.AddToRows' operation; the kernels do not reach into the layers).
            Multiply(compute, a1, b1, c, m, accumulate: false);
            for (int i = 0; i < m; i++)
            {
                var row = c.Data.AsSpan(c.Offset + i * c.RowStride, n);
                TensorPrimitives.Add(row, bias, row);
            }
            if (a2 is { } a) Multiply(compute, a, b2, c, m, accumulate: true);
            return;
        }
        int nr = PanelWidth<T>();
        Span<T> tile = stackalloc T[Mr * nr];
        Span<T> biasTail = stackalloc T[nr];   // the last panel's bias padded to a whole panel, when n is not a multiple
        bool hasA2 = a2.HasValue;
        var second = a2.GetValueOrDefault();
        ref T a1Ref = ref MemoryMarshal.GetArrayDataReference(a1.Data);
        ref T a2Ref = ref hasA2 ? ref MemoryMarshal.GetArrayDataReference(second.Data) : ref a1Ref;
        ref T cRef = ref MemoryMarshal.GetArrayDataReference(c.Data);
        ref T tileRef = ref MemoryMarshal.GetReference(tile);
        for (int j = 0; j < n; j += nr)
        {
            int cols = Math.Min(nr, n - j);
            ref T panel1 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(b1.Data), j * k1);   // panel j/nr starts at (j/nr)·k·nr
            ref T panel2 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(b2.Data), j * k2);
            if (cols < nr)
            {
                biasTail.Clear();
                bias[j..].CopyTo(biasTail);
            }
            ReadOnlySpan<T> panelBias = cols < nr ? biasTail : bias.Slice(j, nr);
            for (int i = 0; i < m; i += Mr)
            {
                int rows = Math.Min(Mr, m - i);
                bool whole = rows == Mr && cols == nr;
                // An edge block goes through a full-size tile, of which only the real rows and columns are kept.
                ref T block = ref whole ? ref Unsafe.Add(ref cRef, c.Offset + i * c.RowStride + j) : ref tileRef;
                int stride = whole ? c.RowStride : nr;
                ref T firstRows = ref Unsafe.Add(ref a1Ref, a1.Offset + i * a1.RowStride);
                Kernel(ref firstRows, a1.RowStride, a1.ColStride, rows, ref panel1, k1, ref block, stride, add: false, ref MemoryMarshal.GetReference(panelBias),
                    ref hasA2 ? ref Unsafe.Add(ref a2Ref, second.Offset + i * second.RowStride) : ref firstRows, second.RowStride, second.ColStride, ref panel2, hasA2 ? k2 : 0);
                if (!whole) CopyBlock(ref tileRef, nr, ref Unsafe.Add(ref cRef, c.Offset + i * c.RowStride + j), c.RowStride, rows, cols);
            }
        }
    }

    // Rows [r0, r1) × columns [c0, c1) of C, c0 on a panel boundary, on the calling thread.
    private static void Part<T>(MatrixView<T> a, Operand<T> b, MatrixView<T> c, int r0, int r1, int c0, int c1, int k, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = PanelWidth<T>();
        T[] packed;
        int firstPanel;
        if (b.Packed is { } prepacked)
        {
            packed = prepacked.Data;
            firstPanel = c0 / nr;
        }
        else
        {
            packed = Scratch<T>.Get(ref Scratch<T>.B, ((c1 - c0 + nr - 1) / nr) * nr * k);
            PackedMatrix<T>.PackPanels(b.View, k, c0, c1, packed);
            firstPanel = 0;
        }
        if (r1 - r0 < FewRows) FewRowsPart(a, packed, firstPanel, c, r0, r1, c0, c1, k, accumulate);
        else BlockedPart(a, packed, firstPanel, c, r0, r1, c0, c1, k, accumulate);
    }

    // The blocked product: for each block of k and of rows, the micro-kernel runs over every
    // (panel, 8 rows) pair with the B micro-panel staying in L1 (in L2 for the whole-k blocks
    // above). A is read in place, whichever
    // way it is laid out: packing it into micro-panels first cost up to a fifth of the product
    // on these shapes (`LstmBench kernel`, docs/benchmarks.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockedPart<T>(MatrixView<T> a, T[] packed, int firstPanel, MatrixView<T> c, int r0, int r1, int c0, int c1, int k, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = PanelWidth<T>();
        Span<T> tile = stackalloc T[Mr * nr];
        ref T cRef = ref MemoryMarshal.GetArrayDataReference(c.Data);
        ref T bRef = ref MemoryMarshal.GetArrayDataReference(packed);
        ref T aRef = ref MemoryMarshal.GetArrayDataReference(a.Data);
        ref T tileRef = ref MemoryMarshal.GetReference(tile);
        // With a step's few rows, a B micro-panel serves only a few blocks of rows, and blocking k
        // would store and reload every block of C once per k block: the whole k in one pass
        // (BPTT's [32, 1024]·[1024, 256] per step).
        int kBlock = r1 - r0 <= WholeKRows ? k : Kc, mcBlock = Mc;
        if (kBlock < k && a.ColStride == 1 && k <= WholeKRowMajorA) (kBlock, mcBlock) = (k, WholeKMc);
        for (int pc = 0; pc < k; pc += kBlock)
        {
            int kc = Math.Min(kBlock, k - pc);
            bool add = accumulate || pc > 0;
            for (int ic = r0; ic < r1; ic += mcBlock)
            {
                int mc = Math.Min(mcBlock, r1 - ic);
                for (int j = c0; j < c1; j += nr)
                {
                    int cols = Math.Min(nr, c1 - j);
                    ref T bPanel = ref Unsafe.Add(ref bRef, ((firstPanel + (j - c0) / nr) * k + pc) * nr);
                    for (int ir = 0; ir < mc; ir += Mr)
                    {
                        int rows = Math.Min(Mr, mc - ir);
                        ref T aAt = ref Unsafe.Add(ref aRef, a.Offset + (ic + ir) * a.RowStride + pc * a.ColStride);
                        int cAt = c.Offset + (ic + ir) * c.RowStride + j;
                        if (rows == Mr && cols == nr)
                        {
                            Kernel(ref aAt, a.RowStride, a.ColStride, rows, ref bPanel, kc, ref Unsafe.Add(ref cRef, cAt), c.RowStride, add);
                            continue;
                        }
                        // An edge block: through a full-size tile, of which only the real rows and columns are kept.
                        if (add) CopyBlock(ref Unsafe.Add(ref cRef, cAt), c.RowStride, ref tileRef, nr, rows, cols);
                        Kernel(ref aAt, a.RowStride, a.ColStride, rows, ref bPanel, kc, ref tileRef, nr, add);
                        CopyBlock(ref tileRef, nr, ref Unsafe.Add(ref cRef, cAt), c.RowStride, rows, cols);
                    }
                }
            }
        }
    }

    // A few rows (one step of batch 1): each row across 4 panels at a time, 8 independent FMA
    // chains, reading A in place rather than padding it to 8 rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FewRowsPart<T>(MatrixView<T> a, T[] packed, int firstPanel, MatrixView<T> c, int r0, int r1, int c0, int c1, int k, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = PanelWidth<T>();
        Span<T> tile = stackalloc T[nr];
        ref T cRef = ref MemoryMarshal.GetArrayDataReference(c.Data);
        ref T bRef = ref MemoryMarshal.GetArrayDataReference(packed);
        ref T aRef = ref MemoryMarshal.GetArrayDataReference(a.Data);
        ref T tileRef = ref MemoryMarshal.GetReference(tile);
        int panelStride = k * nr;
        for (int i = r0; i < r1; i++)
        {
            ref T aRow = ref Unsafe.Add(ref aRef, a.Offset + i * a.RowStride);
            int j = c0;
            for (; j + 4 * nr <= c1; j += 4 * nr)
                RowKernel4(ref aRow, a.ColStride, ref Unsafe.Add(ref bRef, (firstPanel + (j - c0) / nr) * panelStride), panelStride, k,
                    ref Unsafe.Add(ref cRef, c.Offset + i * c.RowStride + j), accumulate);
            for (; j < c1; j += nr)
            {
                int cols = Math.Min(nr, c1 - j);
                ref T bPanel = ref Unsafe.Add(ref bRef, (firstPanel + (j - c0) / nr) * panelStride);
                ref T cAt = ref Unsafe.Add(ref cRef, c.Offset + i * c.RowStride + j);
                if (cols == nr)
                {
                    RowKernel1(ref aRow, a.ColStride, ref bPanel, k, ref cAt, accumulate);
                    continue;
                }
                if (accumulate) CopyBlock(ref cAt, 0, ref tileRef, 0, 1, cols);
                RowKernel1(ref aRow, a.ColStride, ref bPanel, k, ref tileRef, accumulate);
                CopyBlock(ref tileRef, 0, ref cAt, 0, 1, cols);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyBlock<T>(ref T from, int fromStride, ref T to, int toStride, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref from, r * fromStride), cols)
                .CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref to, r * toStride), cols));
    }

    // C[8, 2 vectors] (+)= A [8 rows, kc] · B micro-panel [kc][2 vectors]: sixteen accumulators
    // in registers across the whole k block. A's element (r, p) is at r·aRowStride + p·aColStride;
    // with fewer than 8 real rows the last one is read again for the rest (their results are
    // dropped by the caller). Nothing but locals in here: a static written near the loop made the
    // JIT spill every accumulator to the stack.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel<T>(ref T a, nint aRowStride, nint aColStride, int rows, ref T b, int kc, ref T c, int cStride, bool add)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Kernel(ref a, aRowStride, aColStride, rows, ref b, kc, ref c, cStride, add, ref Unsafe.NullRef<T>(), ref a, aRowStride, aColStride, ref b, 0);

    // The same with a second part that continues the same chains: C (+)= A·B, then + bias (one
    // vector pair for the panel's columns, when given), then + A2·B2 over kc2 (none when kc2 is 0).
    // One LSTM step's gates in one call (MultiplyStep), the accumulators never leaving registers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel<T>(ref T a, nint aRowStride, nint aColStride, int rows, ref T b, int kc, ref T c, int cStride, bool add,
        ref T bias, ref T secondA, nint secondRowStride, nint secondColStride, ref T secondB, int secondK)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint v = (nuint)Vector512<T>.Count, cs = (nuint)cStride;
        nint rs = aRowStride, last = rows - 1, step = aColStride;
        Vector512<T> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (add)
        {
            c00 = Vector512.LoadUnsafe(ref c); c01 = Vector512.LoadUnsafe(ref c, v);
            c10 = Vector512.LoadUnsafe(ref c, cs); c11 = Vector512.LoadUnsafe(ref c, cs + v);
            c20 = Vector512.LoadUnsafe(ref c, 2 * cs); c21 = Vector512.LoadUnsafe(ref c, 2 * cs + v);
            c30 = Vector512.LoadUnsafe(ref c, 3 * cs); c31 = Vector512.LoadUnsafe(ref c, 3 * cs + v);
            c40 = Vector512.LoadUnsafe(ref c, 4 * cs); c41 = Vector512.LoadUnsafe(ref c, 4 * cs + v);
            c50 = Vector512.LoadUnsafe(ref c, 5 * cs); c51 = Vector512.LoadUnsafe(ref c, 5 * cs + v);
            c60 = Vector512.LoadUnsafe(ref c, 6 * cs); c61 = Vector512.LoadUnsafe(ref c, 6 * cs + v);
            c70 = Vector512.LoadUnsafe(ref c, 7 * cs); c71 = Vector512.LoadUnsafe(ref c, 7 * cs + v);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = Vector512<T>.Zero;
        }
        for (int part = 0; ; part++)
        {
            // One reference per row of the part's A (a short block reads its last row again).
            ref T a0 = ref a;
            ref T a1 = ref Unsafe.Add(ref a, Math.Min(1, last) * rs);
            ref T a2 = ref Unsafe.Add(ref a, Math.Min(2, last) * rs);
            ref T a3 = ref Unsafe.Add(ref a, Math.Min(3, last) * rs);
            ref T a4 = ref Unsafe.Add(ref a, Math.Min(4, last) * rs);
            ref T a5 = ref Unsafe.Add(ref a, Math.Min(5, last) * rs);
            ref T a6 = ref Unsafe.Add(ref a, Math.Min(6, last) * rs);
            ref T a7 = ref Unsafe.Add(ref a, Math.Min(7, last) * rs);
            nint at = 0;
            for (int p = 0; p < kc; p++, at += step)
            {
                Vector512<T> b0 = Vector512.LoadUnsafe(ref b), b1 = Vector512.LoadUnsafe(ref b, v);
                var x = Vector512.Create(Unsafe.Add(ref a0, at));
                c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
                x = Vector512.Create(Unsafe.Add(ref a1, at));
                c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11);
                x = Vector512.Create(Unsafe.Add(ref a2, at));
                c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21);
                x = Vector512.Create(Unsafe.Add(ref a3, at));
                c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31);
                x = Vector512.Create(Unsafe.Add(ref a4, at));
                c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41);
                x = Vector512.Create(Unsafe.Add(ref a5, at));
                c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51);
                x = Vector512.Create(Unsafe.Add(ref a6, at));
                c60 = Fma(x, b0, c60); c61 = Fma(x, b1, c61);
                x = Vector512.Create(Unsafe.Add(ref a7, at));
                c70 = Fma(x, b0, c70); c71 = Fma(x, b1, c71);
                b = ref Unsafe.Add(ref b, 2 * v);
            }
            if (part == 1) break;
            if (!Unsafe.IsNullRef(ref bias))
            {
                Vector512<T> b0 = Vector512.LoadUnsafe(ref bias), b1 = Vector512.LoadUnsafe(ref bias, v);
                c00 += b0; c01 += b1; c10 += b0; c11 += b1; c20 += b0; c21 += b1; c30 += b0; c31 += b1;
                c40 += b0; c41 += b1; c50 += b0; c51 += b1; c60 += b0; c61 += b1; c70 += b0; c71 += b1;
            }
            if (secondK == 0) break;
            (rs, step, kc) = (secondRowStride, secondColStride, secondK);
            a = ref secondA;
            b = ref secondB;
        }
        c00.StoreUnsafe(ref c); c01.StoreUnsafe(ref c, v);
        c10.StoreUnsafe(ref c, cs); c11.StoreUnsafe(ref c, cs + v);
        c20.StoreUnsafe(ref c, 2 * cs); c21.StoreUnsafe(ref c, 2 * cs + v);
        c30.StoreUnsafe(ref c, 3 * cs); c31.StoreUnsafe(ref c, 3 * cs + v);
        c40.StoreUnsafe(ref c, 4 * cs); c41.StoreUnsafe(ref c, 4 * cs + v);
        c50.StoreUnsafe(ref c, 5 * cs); c51.StoreUnsafe(ref c, 5 * cs + v);
        c60.StoreUnsafe(ref c, 6 * cs); c61.StoreUnsafe(ref c, 6 * cs + v);
        c70.StoreUnsafe(ref c, 7 * cs); c71.StoreUnsafe(ref c, 7 * cs + v);
    }

    // One row of C across 4 whole panels: C[1, 8 vectors] (+)= a[k] · B panels [k][2 vectors] × 4.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowKernel4<T>(ref T a, int aStride, ref T b, int panelStride, int k, ref T c, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint v = (nuint)Vector512<T>.Count, ps = (nuint)panelStride, nr = 2 * v;
        Vector512<T> s0, s1, s2, s3, s4, s5, s6, s7;
        if (add)
        {
            s0 = Vector512.LoadUnsafe(ref c); s1 = Vector512.LoadUnsafe(ref c, v);
            s2 = Vector512.LoadUnsafe(ref c, nr); s3 = Vector512.LoadUnsafe(ref c, nr + v);
            s4 = Vector512.LoadUnsafe(ref c, 2 * nr); s5 = Vector512.LoadUnsafe(ref c, 2 * nr + v);
            s6 = Vector512.LoadUnsafe(ref c, 3 * nr); s7 = Vector512.LoadUnsafe(ref c, 3 * nr + v);
        }
        else
        {
            s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = Vector512<T>.Zero;
        }
        for (int p = 0; p < k; p++)
        {
            var x = Vector512.Create(Unsafe.Add(ref a, p * aStride));
            s0 = Fma(x, Vector512.LoadUnsafe(ref b), s0); s1 = Fma(x, Vector512.LoadUnsafe(ref b, v), s1);
            s2 = Fma(x, Vector512.LoadUnsafe(ref b, ps), s2); s3 = Fma(x, Vector512.LoadUnsafe(ref b, ps + v), s3);
            s4 = Fma(x, Vector512.LoadUnsafe(ref b, 2 * ps), s4); s5 = Fma(x, Vector512.LoadUnsafe(ref b, 2 * ps + v), s5);
            s6 = Fma(x, Vector512.LoadUnsafe(ref b, 3 * ps), s6); s7 = Fma(x, Vector512.LoadUnsafe(ref b, 3 * ps + v), s7);
            b = ref Unsafe.Add(ref b, nr);
        }
        s0.StoreUnsafe(ref c); s1.StoreUnsafe(ref c, v);
        s2.StoreUnsafe(ref c, nr); s3.StoreUnsafe(ref c, nr + v);
        s4.StoreUnsafe(ref c, 2 * nr); s5.StoreUnsafe(ref c, 2 * nr + v);
        s6.StoreUnsafe(ref c, 3 * nr); s7.StoreUnsafe(ref c, 3 * nr + v);
    }

    // One row of C across one panel.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowKernel1<T>(ref T a, int aStride, ref T b, int k, ref T c, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint v = (nuint)Vector512<T>.Count;
        Vector512<T> s0 = add ? Vector512.LoadUnsafe(ref c) : Vector512<T>.Zero;
        Vector512<T> s1 = add ? Vector512.LoadUnsafe(ref c, v) : Vector512<T>.Zero;
        for (int p = 0; p < k; p++)
        {
            var x = Vector512.Create(Unsafe.Add(ref a, p * aStride));
            s0 = Fma(x, Vector512.LoadUnsafe(ref b), s0);
            s1 = Fma(x, Vector512.LoadUnsafe(ref b, v), s1);
            b = ref Unsafe.Add(ref b, 2 * v);
        }
        s0.StoreUnsafe(ref c); s1.StoreUnsafe(ref c, v);
    }

    // One rounding per multiply-add, so every path gives the same bits. The type tests fold away
    // when the JIT specializes T.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<T> Fma<T>(Vector512<T> x, Vector512<T> y, Vector512<T> addend) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Vector512.FusedMultiplyAdd(x.As<T, float>(), y.As<T, float>(), addend.As<T, float>()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector512.FusedMultiplyAdd(x.As<T, double>(), y.As<T, double>(), addend.As<T, double>()).As<double, T>();
        throw new NotSupportedException($"{typeof(T).Name} is not a supported element type.");
    }

    // Per-thread packing buffers for B: they grow to the largest product a thread has seen and are reused.
    private static class Scratch<T>
    {
        [ThreadStatic] public static T[]? B;

        public static T[] Get(ref T[]? buffer, int length) => buffer is { } b && b.Length >= length ? b : buffer = new T[length];
    }
}
