// The TorchSharp peer of issue 4's benchmark: the six configurations of BenchConfig with
// TorchSharp-cpu's nn.LSTM and nn.Linear, timed by the shared harness, one JSON line each on
// standard output (diagnostics go to standard error).
// Usage: [--keep-heap] [--soak N] [B1 B2 B3 I1 I2 I3], default all six.
//   --keep-heap  tells glibc's malloc (mallopt) to serve every block from the heap and never to
//                give memory back, so libtorch's large per-iteration buffers stop being mapped
//                and page-faulted anew each time; reported as engine "torchsharp-keepheap".
//   --soak N     runs N untimed iterations of each instead, printing the rate, the resident
//                memory and the page faults ten times on the way (memory must stay flat).
using System.Runtime.InteropServices;
using LstmService.Bench;
using TorchSharp;
using static TorchSharp.torch;

long soak = 0;
bool keepHeap = false;
var ids = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--soak" && i + 1 < args.Length && long.TryParse(args[i + 1], out soak) && soak > 0) i++;
    else if (args[i] == "--keep-heap") keepHeap = true;
    else ids.Add(args[i]);
}
var unknown = ids.Where(a => BenchConfig.All.All(c => !c.Id.Equals(a, StringComparison.OrdinalIgnoreCase))).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"unknown argument(s): {string.Join(", ", unknown)}; usage: [--keep-heap] [--soak N] [{string.Join(" ", BenchConfig.All.Select(c => c.Id))}]");
    return 2;
}
var configs = ids.Count == 0
    ? BenchConfig.All
    : BenchConfig.All.Where(c => ids.Any(a => a.Equals(c.Id, StringComparison.OrdinalIgnoreCase))).ToList();

string engine = "torchsharp";
if (keepHeap)
{
    // M_MMAP_MAX = 0: no block from mmap (those above 32 MiB always are, and are unmapped on free);
    // M_TRIM_THRESHOLD = 2 GiB: the heap's free top is kept, not given back to the kernel.
    if (Glibc.mallopt(Glibc.M_MMAP_MAX, 0) != 1 || Glibc.mallopt(Glibc.M_TRIM_THRESHOLD, int.MaxValue) != 1)
        throw new InvalidOperationException("mallopt failed");
    engine = "torchsharp-keepheap";
}

// Before any other torch call: interop threads can only be set before the first parallel work.
torch.set_num_interop_threads(1);
torch.set_num_threads(2);
torch.set_default_dtype(ScalarType.Float32);
Console.Error.WriteLine($"{engine}: TorchSharp {typeof(torch).Assembly.GetName().Version}, threads {torch.get_num_threads()} (interop {torch.get_num_interop_threads()}), {Environment.ProcessorCount} cores");

foreach (var config in configs)
{
    using var bench = new TorchBench(config);
    bench.Iteration(); // the first iteration (and, for training, the first loss) off the clock
    long rssBefore = Environment.WorkingSet;
    if (soak > 0)
    {
        long chunk = Math.Max(1, soak / 10), faults = MinorFaults();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (long n = 1; n <= soak; n++)
        {
            bench.Iteration();
            if (n % chunk != 0) continue;
            Console.Error.WriteLine($"{config.Id}: {n} iterations, {config.Report(chunk / clock.Elapsed.TotalSeconds):G4} {config.Unit} over the last {chunk}, " +
                $"RSS {Environment.WorkingSet / 1048576.0:F0} MiB, managed heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0:F1} MiB, " +
                $"{(MinorFaults() - faults) / (double)chunk:F0} page faults per iteration");
            faults = MinorFaults();
            clock.Restart();
        }
        continue;
    }
    var result = Harness.Run(engine, config, bench.Iteration);
    Console.Error.WriteLine($"{config.Id}: {bench.Summary()}; RSS {rssBefore / 1048576.0:F0} -> {Environment.WorkingSet / 1048576.0:F0} MiB");
    Harness.Print(result);
}
return 0;

// The process's minor page faults so far (field 10 of /proc/self/stat), or 0 elsewhere.
static long MinorFaults() => File.Exists("/proc/self/stat")
    ? long.Parse(File.ReadAllText("/proc/self/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[7])
    : 0;

/// <summary>One configuration's model, data and optimizer, made once; Iteration is what is timed.</summary>
sealed class TorchBench : IDisposable
{
    // Fixed seeds for the data: the inputs and the targets of every configuration.
    const int InputSeed = 1, TargetSeed = 2;

    readonly BenchConfig config;
    readonly TorchSharp.Modules.LSTM lstm;
    readonly TorchSharp.Modules.Linear? head;
    readonly Tensor x, target;
    readonly optim.Optimizer? optimizer;
    float firstLoss = float.NaN;
    long iterations;

    public TorchBench(BenchConfig config)
    {
        this.config = config;
        if (config.HiddenReadout && config.Outputs > config.Hidden)
            throw new InvalidOperationException($"{config.Id}: a hidden-unit readout of {config.Outputs} outputs needs at least that many hidden units");
        torch.random.manual_seed(1); // the same initial weights whichever configurations run before
        lstm = nn.LSTM(config.Input, config.Hidden, numLayers: config.Layers, batchFirst: true);
        head = config.HiddenReadout ? null : nn.Linear(config.Hidden, config.Outputs);

        x = tensor(Harness.RandomFloats(config.Batch * config.Steps * config.Input, InputSeed),
            [config.Batch, config.Steps, config.Input]);
        long[] targetShape = config.AllSteps ? [config.Batch, config.Steps, config.Outputs] : [config.Batch, config.Outputs];
        target = tensor(Harness.RandomFloats((int)targetShape.Aggregate(1L, (a, b) => a * b), TargetSeed), targetShape);

        if (config.Kind == BenchKind.Inference)
        {
            lstm.eval();
            head?.eval();
            return;
        }
        lstm.train();
        head?.train();
        var parameters = lstm.parameters().Concat(head?.parameters() ?? []).ToList();
        optimizer = config.Adam
            ? optim.Adam(parameters, lr: config.LearningRate)
            : optim.SGD(parameters, config.LearningRate);
    }

    /// <summary>One timed unit: a training step (zero_grad, forward, MSE, backward, step) or a
    /// forward without gradients. Every tensor it makes is freed by its dispose scope.</summary>
    public void Iteration()
    {
        using var scope = NewDisposeScope();
        if (optimizer is null)
        {
            using var noGrad = no_grad();
            Forward();
        }
        else
        {
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(Forward(), target, nn.Reduction.Mean);
            loss.backward();
            optimizer.step();
            if (iterations == 0) firstLoss = loss.item<float>();
        }
        iterations++;
    }

    /// <summary>LSTM + head, batch first: the head sees every step or the last one; a hidden-unit
    /// readout (the seed example) is the first Outputs units of the top layer's output.</summary>
    Tensor Forward()
    {
        var (output, _, _) = lstm.call(x);
        if (config.HiddenReadout)
            return config.AllSteps ? output.narrow(2, 0, config.Outputs) : output.select(1, -1).narrow(1, 0, config.Outputs);
        return head!.call(config.AllSteps ? output : output.select(1, -1));
    }

    /// <summary>For training, that the loss fell on the fixed data (a check that training really happened).</summary>
    public string Summary()
    {
        if (optimizer is null) return $"{iterations} forwards";
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        float lastLoss = nn.functional.mse_loss(Forward(), target, nn.Reduction.Mean).item<float>();
        return $"{iterations} iterations, loss {firstLoss:G4} -> {lastLoss:G4}";
    }

    public void Dispose()
    {
        optimizer?.Dispose();
        head?.Dispose();
        lstm.Dispose();
        x.Dispose();
        target.Dispose();
    }
}

static class Glibc
{
    public const int M_TRIM_THRESHOLD = -1, M_MMAP_MAX = -4;

    [DllImport("libc.so.6")]
    public static extern int mallopt(int param, int value);
}
