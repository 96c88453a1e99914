// An open-loop load generator for POST /api/models/{id}/predict: requests start on a fixed
// schedule whether or not earlier ones have answered, and each latency is measured from its
// scheduled start, so a stalled server shows up in the tail instead of slowing the client down.
// Usage: <base url> <model id> <seconds per rate> <rate> [rate ...]
// With API keys configured, set LSTM_API_KEY to a predict (or admin) key: it is sent as
// X-Api-Key, and read from the environment so it stays off the command line.
using System.Diagnostics;
using System.Text;

if (args.Length < 4)
{
    Console.Error.WriteLine("usage: <base url> <model id> <seconds per rate> <rate> [rate ...]   (LSTM_API_KEY: the key to send, if any)");
    return 2;
}
string baseUrl = args[0], model = args[1];
double seconds = double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
var rates = args[3..].Select(int.Parse).ToArray();
if (!(seconds > 0) || rates.Any(rate => rate < 1 || rate * seconds < 1))
{
    Console.Error.WriteLine("Each rate must be at least 1, and rate × seconds at least one request.");
    return 2;
}

// B2's model, batch 1: one sequence of 48 steps of 8 inputs.
var random = new Random(1);
string sequence = "[" + string.Join(",", Enumerable.Range(0, 48).Select(_ =>
    "[" + string.Join(",", Enumerable.Range(0, 8).Select(_ => (random.NextDouble() * 2 - 1).ToString("F4", System.Globalization.CultureInfo.InvariantCulture))) + "]")) + "]";
byte[] body = Encoding.UTF8.GetBytes($"{{\"sequences\":[{sequence}]}}");
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { BaseAddress = new Uri(baseUrl) };
string path = $"/api/models/{model}/predict";
if (Environment.GetEnvironmentVariable("LSTM_API_KEY") is { Length: > 0 } key) http.DefaultRequestHeaders.Add("X-Api-Key", key);

Task<HttpResponseMessage> Post()
{
    var content = new ByteArrayContent(body);
    content.Headers.ContentType = new("application/json");
    return http.PostAsync(path, content);
}

async Task<(double Latency, int Status)> Send(long scheduledTicks, Stopwatch clock)
{
    using var response = await Post();
    await response.Content.ReadAsByteArrayAsync();
    return ((clock.ElapsedTicks - scheduledTicks) * 1000.0 / Stopwatch.Frequency, (int)response.StatusCode);
}

// One request first, so a wrong model, key or address stops here with the service's answer
// rather than as a table of errors.
using (var first = await Post())
{
    if (!first.IsSuccessStatusCode)
    {
        Console.Error.WriteLine($"POST {path}: {(int)first.StatusCode} {await first.Content.ReadAsStringAsync()}");
        return 1;
    }
}

// Warm-up by time, not count: a service that has just started needs a few seconds of requests
// before its hot paths are recompiled at full optimization (500 requests were not enough).
var warmUp = Stopwatch.StartNew();
while (warmUp.Elapsed.TotalSeconds < 5) await Send(0, Stopwatch.StartNew());
// Latencies are of the answered requests (2xx) only: a refusal (a 429) comes back fast and
// would flatter them.
Console.WriteLine("| rate (req/s) | sent | errors | p50 (ms) | p99 (ms) | max (ms) |");
Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
foreach (int rate in rates)
{
    var clock = Stopwatch.StartNew();
    var tasks = new List<Task<(double Latency, int Status)>>();
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
    bool Answered((double Latency, int Status) r) => r.Status is >= 200 and <= 299;
    var latencies = results.Where(Answered).Select(r => r.Latency).Order().ToArray();
    string Percentile(double p) => latencies.Length == 0 ? "–" : $"{latencies[Math.Min(latencies.Length - 1, (int)(p * latencies.Length))]:F2}";
    // Errors by status, e.g. "150 (429 ×150)": 429s mean the predict rate limit is on.
    var failed = results.Where(r => !Answered(r)).ToArray();
    string errors = failed.Length == 0 ? "0" : $"{failed.Length} ({string.Join(", ", failed.GroupBy(r => r.Status).Select(g => $"{g.Key} ×{g.Count()}"))})";
    Console.WriteLine($"| {rate} | {results.Length} | {errors} | {Percentile(0.5)} | {Percentile(0.99)} | {Percentile(1)} |");
}
return 0;
