// The served OpenAPI document as client generators read it: every number typed as a number
// (arrays of them down to their items) with the bounds the service applies, every enum a string.
using System.Text.Json.Nodes;

namespace LstmService.Api.Tests;

public class OpenApiDocumentTests
{
    private static async Task<JsonNode> DocumentAsync()
    {
        using var app = new LstmApplication();
        return JsonNode.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"))!;
    }

    // Every object in the document with its path, depth first.
    private static IEnumerable<(string Path, JsonObject Node)> Objects(JsonNode? node, string path = "$")
    {
        if (node is JsonObject o)
        {
            yield return (path, o);
            foreach (var (key, child) in o) foreach (var inner in Objects(child, $"{path}.{key}")) yield return inner;
        }
        else if (node is JsonArray a)
            for (int i = 0; i < a.Count; i++) foreach (var inner in Objects(a[i], $"{path}[{i}]")) yield return inner;
    }

    private static bool HasType(JsonObject schema, string type) =>
        schema["type"] is JsonValue v ? v.GetValue<string>() == type : schema["type"] is JsonArray a && a.Any(t => t!.GetValue<string>() == type);

    [Fact]
    public async Task Every_number_and_every_enum_has_its_json_type()
    {
        var document = await DocumentAsync();
        var schemas = Objects(document).Where(p => p.Path.Contains(".schema", StringComparison.Ordinal) || p.Path.Contains(".schemas.", StringComparison.Ordinal)).ToList();
        Assert.Empty(schemas.Where(s => s.Node["format"] is not null && s.Node["type"] is null).Select(s => s.Path));
        Assert.Empty(schemas.Where(s => s.Node["format"]?.GetValue<string>() is "double" or "float" && !HasType(s.Node, "number")).Select(s => s.Path));
        Assert.Empty(schemas.Where(s => s.Node["enum"] is JsonArray values && values.Any(v => v is JsonValue j && j.TryGetValue(out string? _)) && !HasType(s.Node, "string")).Select(s => s.Path));

        var inputs = document["components"]!["schemas"]!["SequenceData"]!["properties"]!["inputs"]!;
        Assert.Equal("number", inputs["items"]!["items"]!["type"]!.GetValue<string>());
        var forecast = document["components"]!["schemas"]!["ForecastResponse"]!["properties"]!["forecast"]!;
        Assert.Equal("number", forecast["items"]!["items"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_operation_has_a_unique_id_and_optional_fields_carry_the_services_defaults()
    {
        var document = await DocumentAsync();
        var ids = document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => o.Value!["operationId"]?.GetValue<string>())).ToList();
        Assert.DoesNotContain(null, ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Contains("CreateJob", ids);
        var operations = document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => o.Value!)).ToList();
        Assert.All(operations, o => Assert.False(string.IsNullOrEmpty(o["description"]?.GetValue<string>()), o["operationId"]!.GetValue<string>()));
        Assert.All(operations, o => Assert.DoesNotContain("\n", o["summary"]!.GetValue<string>()));
        Assert.Equal("Queues a training job", operations.Single(o => o["operationId"]!.GetValue<string>() == "CreateJob")["summary"]!.GetValue<string>());

        var training = document["components"]!["schemas"]!["TrainingRequest"]!["properties"]!;
        Assert.Equal((32, 5.0, 0.1, true, 1UL), (training["batchSize"]!["default"]!.GetValue<int>(), training["clipNorm"]!["default"]!.GetValue<double>(),
            training["validationFraction"]!["default"]!.GetValue<double>(), training["normalize"]!["default"]!.GetValue<bool>(), training["seed"]!["default"]!.GetValue<ulong>()));
        // Chosen from the data when left out: no fixed default to declare.
        Assert.Null(training["epochs"]!["default"]);
        Assert.Equal(1, document["components"]!["schemas"]!["OutputRequest"]!["properties"]!["size"]!["default"]!.GetValue<int>());
        // Enums too, beside the reference to their shared schema.
        Assert.Equal(("adam", "float32", "standard", "all"), (training["optimizer"]!["default"]!.GetValue<string>(), training["precision"]!["default"]!.GetValue<string>(),
            document["components"]!["schemas"]!["ModelRequest"]!["properties"]!["cell"]!["default"]!.GetValue<string>(),
            document["components"]!["schemas"]!["OutputRequest"]!["properties"]!["steps"]!["default"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Every_error_an_operation_can_answer_is_declared_with_its_problem_details()
    {
        var paths = (await DocumentAsync())["paths"]!;
        static string[] Statuses(JsonNode operation) => [.. operation["responses"]!.AsObject().Select(r => r.Key).Order(StringComparer.Ordinal)];
        Assert.Equal(["202", "400", "401", "403", "409", "413", "415", "422", "429"], Statuses(paths["/api/jobs"]!["post"]!)); // 409, 422: Idempotency-Key
        Assert.Equal(["200", "400", "401", "404", "413", "415", "429"], Statuses(paths["/api/models/{id}/predict"]!["post"]!)); // a predict key may: no 403
        Assert.Equal(["200", "401", "404"], Statuses(paths["/api/models/{id}"]!["get"]!));
        Assert.Equal("#/components/schemas/ProblemDetails", paths["/api/jobs"]!["post"]!["responses"]!["429"]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>());
        var weights = paths["/api/models/{id}/weights"]!["get"]!["responses"]!["200"]!["content"]!.AsObject();
        Assert.Equal(["application/octet-stream"], weights.Select(c => c.Key));
    }

    [Fact]
    public async Task The_document_explains_the_flow_and_each_tag()
    {
        var document = await DocumentAsync();
        Assert.Equal("LstmService", document["info"]!["title"]!.GetValue<string>());
        Assert.Contains("POST /api/jobs", document["info"]!["description"]!.GetValue<string>());
        Assert.All(document["tags"]!.AsArray(), tag => Assert.False(string.IsNullOrEmpty(tag!["description"]?.GetValue<string>()), tag!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_csv_upload_body_is_text_and_its_example_uploads()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var document = JsonNode.Parse(await client.Http.GetStringAsync("/openapi/v1.json"))!;
        var csv = document["paths"]!["/api/datasets"]!["post"]!["requestBody"]!["content"]!["text/csv"]!;
        Assert.Equal("string", csv["schema"]!["type"]!.GetValue<string>());
        // Alone, as generated clients need it: a file.
        var file = document["paths"]!["/api/datasets/csv"]!["post"]!["requestBody"]!["content"]!.AsObject().Single();
        Assert.Equal(("text/csv", "string", "binary"), (file.Key, file.Value!["schema"]!["type"]!.GetValue<string>(), file.Value!["schema"]!["format"]!.GetValue<string>()));
        var (status, _) = await client.PostRawAsync("/api/datasets?name=example", csv["example"]!.GetValue<string>(), "text/csv");
        Assert.Equal(System.Net.HttpStatusCode.Created, status);
    }

    [Fact]
    public async Task Required_and_nullable_are_what_the_service_reads_and_writes()
    {
        var schemas = (await DocumentAsync())["components"]!["schemas"]!;
        static string[] Required(JsonNode schema) => [.. schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? []];
        // A request's required field takes no null; its alternatives are optional.
        Assert.False(HasType(schemas["PredictRequest"]!["properties"]!["sequences"]!.AsObject(), "null"));
        Assert.Equal(["name", "sequences"], Required(schemas["DatasetUpload"]!).Order());
        Assert.Empty(Required(schemas["EvaluateRequest"]!));
        // An answer's field is required when every answer has it (null included), and not when the service leaves it out.
        Assert.Contains("intervalSteps", Required(schemas["ForecastResponse"]!));
        Assert.Contains("weightsEpoch", Required(schemas["JobView"]!));
        Assert.Equal(["split"], Required(schemas["ModelEvaluation"]!));
        Assert.DoesNotContain("instance", Required(schemas["ProblemDetails"]!));
        // A shared enum has no null among its values; the property that may be null says so.
        Assert.DoesNotContain(null, schemas["SeriesScaling"]!["enum"]!.AsArray());
        // A map of numbers says its values are numbers.
        Assert.True(HasType(schemas["IntervalCoverage"]!["properties"]!["empirical"]!["additionalProperties"]!.AsObject(), "number"));
    }

    [Fact]
    public async Task Each_bound_on_a_job_field_is_the_one_the_service_applies()
    {
        using var app = new LstmApplication(new() { ["RateLimits:JobsPerMinute"] = "0" }); // some 60 requests
        var client = new ServiceClient(app.CreateClient());
        var schemas = JsonNode.Parse(await client.Http.GetStringAsync("/openapi/v1.json"))!["components"]!["schemas"]!;
        int checkedBounds = 0;
        foreach (var (prefix, schema) in new[] { ("model", "ModelRequest"), ("model.output", "OutputRequest"), ("training", "TrainingRequest") })
            foreach (var (name, property) in schemas[schema]!["properties"]!.AsObject())
            {
                string field = $"{prefix}.{name}";
                double step = HasType(property!.AsObject(), "integer") ? 1 : 1e-3;
                var cases = new List<(double Inside, double Outside)>();
                if (property["minimum"] is { } min) cases.Add((min.GetValue<double>(), min.GetValue<double>() - step));
                if (property["exclusiveMinimum"] is { } xmin) cases.Add((xmin.GetValue<double>() + step, xmin.GetValue<double>()));
                if (property["maximum"] is { } max) cases.Add((max.GetValue<double>(), max.GetValue<double>() + step));
                if (property["exclusiveMaximum"] is { } xmax) cases.Add((xmax.GetValue<double>() - step, xmax.GetValue<double>()));
                foreach (var (inside, outside) in cases)
                {
                    var refused = await FieldErrors(client, field, outside);
                    Assert.True(refused.Length > 0, $"{field} = {outside} is outside the document's bound but was taken");
                    Assert.DoesNotContain(refused[0], await FieldErrors(client, field, inside));
                    checkedBounds++;
                }
            }
        Assert.True(checkedBounds >= 20, $"{checkedBounds} bounds");
    }

    // The errors a job request gets on one field set to a value; the name is always too long, so no job is ever queued.
    private static async Task<string[]> FieldErrors(ServiceClient client, string field, double value)
    {
        var job = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(TestRequests.SmallJob(TestRequests.SineSequences(4, 3), name: new string('n', 201))))!;
        var parts = field.Split('.');
        var parent = parts[..^1].Aggregate(job, (node, part) => node[part]!);
        parent[parts[^1]] = value == Math.Floor(value) && Math.Abs(value) < 1e9 ? JsonValue.Create((long)value) : JsonValue.Create(value);
        var (status, body) = await client.PostRawAsync("/api/jobs", job.ToJsonString());
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, status);
        return body!["errors"]![field]?.AsArray().Select(e => e!.GetValue<string>()).ToArray() ?? [];
    }
}
