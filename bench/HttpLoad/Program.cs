// An open-loop load generator for POST /api/models/{id}/predict: requests start on a fixed
// schedule whether or not earlier ones have answered, and each latency is measured from its
// scheduled start, so a stalled server shows up in the tail instead of slowing the client down.
// Usage: <base url> <model id> <seconds per rate> <rate> [rate ...]
using System.Diagnostics;
using System.Text;

string baseUrl = args[0], model = args[1];
double seconds = double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
var rates = args[3..].Select(int.Parse).ToArray();

// B2's model, batch 1: one sequence of 48 steps of 8 inputs.
var random = new Random(1);
string sequence = "[" + string.Join(",", Enumerable.Range(0, 48).Select(_ =>
    "[" + string.Join(",", Enumerable.Range(0, 8).Select(_ => (random.NextDouble() * 2 - 1).ToString("F4", System.Globalization.CultureInfo.InvariantCulture))) + "]")) + "]";
byte[] body = Encoding.UTF8.GetBytes($"{{\"sequences\":[{sequence}]}}");
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { BaseAddress = new Uri(baseUrl) };
string path = $"/api/models/{model}/predict";

async Task<(double Latency, bool Ok)> Send(long scheduledTicks, Stopwatch clock)
{
    var content = new ByteArrayContent(body);
    content.Headers.ContentType = new("application/json");
    using var response = await http.PostAsync(path, content);
    await response.Content.ReadAsByteArrayAsync();
    return ((clock.ElapsedTicks - scheduledTicks) * 1000.0 / Stopwatch.Frequency, response.IsSuccessStatusCode);
}

// Warm-up by time, not count: a service that has just started needs a few seconds of requests
// before its hot paths are recompiled at full optimization (500 requests were not enough).
var warmUp = Stopwatch.StartNew();
while (warmUp.Elapsed.TotalSeconds < 5) await Send(0, Stopwatch.StartNew());
Console.WriteLine("| rate (req/s) | sent | errors | p50 (ms) | p99 (ms) | max (ms) |");
Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
foreach (int rate in rates)
{
    var clock = Stopwatch.StartNew();
    var tasks = new List<Task<(double Latency, bool Ok)>>();
    long total = (long)(rate * seconds);
    for (long n = 0; n < total; n++)
    {
        long scheduled = (long)(n * Stopwatch.Frequency / (double)rate);
        while (clock.ElapsedTicks < scheduled)
        {
            long waitMs = (scheduled - clock.ElapsedTicks) * 1000 / Stopwatch.Frequency;
            if (waitMs > 1) await Task.Delay((int)waitMs - 1); else Thread.SpinWait(50);
        }
        tasks.Add(Send(scheduled, clock));
    }
    var results = await Task.WhenAll(tasks);
    var latencies = results.Select(r => r.Latency).Order().ToArray();
    double Percentile(double p) => latencies[Math.Min(latencies.Length - 1, (int)(p * latencies.Length))];
    Console.WriteLine($"| {rate} | {results.Length} | {results.Count(r => !r.Ok)} | {Percentile(0.5):F2} | {Percentile(0.99):F2} | {latencies[^1]:F2} |");
}
