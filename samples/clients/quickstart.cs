// LstmService from C# with HttpClient alone: upload a CSV series, train a model with the service's
// defaults, read how it scored against the baselines, and forecast a year ahead with intervals.
//
//     dotnet run samples/clients/quickstart.cs [base-url]
//
// The base URL defaults to http://localhost:5080 (`dotnet run --project src/Api`). For a service
// with API keys, set LSTM_API_KEY to an admin key. (A generated client: docs/clients.md.)
#:property PublishAot=false
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

var baseUrl = args.Length > 0 ? args[0].TrimEnd('/') : "http://localhost:5080";
var sample = Path.Combine(AppContext.GetData("EntryPointFileDirectoryPath") as string ?? "samples/clients", "..", "elec-equip.csv");
using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
if (Environment.GetEnvironmentVariable("LSTM_API_KEY") is { Length: > 0 } key) http.DefaultRequestHeaders.Add("X-Api-Key", key);

// 1. The series: monthly orders of electrical equipment, a date column and a value column.
var csv = new StringContent(File.ReadAllText(sample), System.Text.Encoding.UTF8, "text/csv");
var dataset = await Create("/api/datasets/csv?name=elec-equip", csv);
Console.WriteLine($"dataset {dataset["id"]}: {dataset["rows"]} rows, spacing {dataset["timeSpacing"]}, season {dataset["seasonLength"]}");

// 2. A job with nothing but the dataset: the service picks the window, model size and epochs.
var job = await Create("/api/jobs", JsonContent.Create(new { datasetId = (string)dataset["id"]! }));
while ((string)job["status"]! is "queued" or "running")
{
    await Task.Delay(1000);
    job = await Answer(await http.GetAsync($"/api/jobs/{job["id"]}"));
    Console.WriteLine($"  {job["status"]}: {(double)job["progress"]!["fraction"]!:P0}");
}
if ((string)job["status"]! != "succeeded") throw new Exception($"job {job["status"]}: {job["error"]}");

// 3. How good is it? One-step errors on the held-out months, beside the naive forecasts.
var evaluation = job["evaluation"]!;
Console.WriteLine($"held-out RMSE: model {(double)evaluation["metrics"]!["orders"]!["rmse"]!:F2}, "
    + $"naive {(double)evaluation["baselines"]!["naive"]!["orders"]!["rmse"]!:F2}, "
    + $"seasonal naive {(double)evaluation["baselines"]!["seasonalNaive"]!["orders"]!["rmse"]!:F2}");

// 4. The next 12 months after the last 24, with 80% prediction intervals where calibrated.
var history = File.ReadLines(sample).Skip(1).TakeLast(24).Select(line => new[] { double.Parse(line.Split(',')[1], CultureInfo.InvariantCulture) }).ToArray();
var forecast = await Answer(await http.PostAsJsonAsync($"/api/models/{job["modelId"]}/forecast", new { history, horizon = 12 }));
int calibrated = (int)forecast["intervalSteps"]!;
for (int step = 0; step < 12; step++)
    Console.WriteLine($"  month +{step + 1,2}: {(double)forecast["forecast"]![step]![0]!:F1}"
        + (step < calibrated ? $"  [{(double)forecast["lower"]![step]![0]!:F1}, {(double)forecast["upper"]![step]![0]!:F1}]" : ""));

// 5. A mistake is a 400 that names the field and what is wrong with it.
try
{
    await Create("/api/jobs", JsonContent.Create(new { datasetId = (string)dataset["id"]!, training = new { epoch = 3 } }));
}
catch (HttpRequestException error)
{
    Console.WriteLine($"as expected: {error.Message}");
}

// A POST that creates something, sent with an Idempotency-Key: a retry under the same key (after a
// lost connection, say) gets the first answer instead of creating a second job.
async Task<JsonNode> Create(string path, HttpContent content)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
    request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
    return await Answer(await http.SendAsync(request));
}

// The JSON of a success; for an error, the service's problem details as an exception.
static async Task<JsonNode> Answer(HttpResponseMessage response)
{
    var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    if (!response.IsSuccessStatusCode)
    {
        var errors = body["errors"]?.AsObject().Select(field => $"{field.Key}: {field.Value![0]}") ?? [(string?)body["detail"]];
        throw new HttpRequestException($"{(int)response.StatusCode} {body["title"]} {string.Join("; ", errors)}", null, response.StatusCode);
    }
    return body;
}
