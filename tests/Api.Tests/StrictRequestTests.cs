// A request body that does not fit its endpoint is refused whole: every unknown field (with the
// known one it is likely meant to be), every value of the wrong kind, every enum value that is not
// allowed, each by its JSON path, and nothing is stored.
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LstmService.Api.Jobs;

namespace LstmService.Api.Tests;

public class StrictRequestTests
{
    private static Dictionary<string, string[]> Errors(JsonNode? body) =>
        body!["errors"]!.AsObject().ToDictionary(e => e.Key, e => e.Value!.AsArray().Select(m => m!.GetValue<string>()).ToArray());

    [Fact]
    public async Task Misspelled_fields_are_a_400_that_says_what_was_meant_and_no_job_runs_on_defaults()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var (status, body) = await client.PostRawAsync("/api/jobs", """
            { "data": { "sequences": [ { "inputs": [[1]], "target": [1] } ] },
              "model": { "hidden_size": 8 }, "training": { "epoch": 3, "lr": 0.1, "bacthSize": 4 }, "wat": 1 }
            """);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(new Dictionary<string, string[]>
        {
            ["model.hidden_size"] = ["There is no field 'hidden_size' here. Did you mean 'hiddenSize'?"],
            ["training.epoch"] = ["There is no field 'epoch' here. Did you mean 'epochs'?"],
            ["training.lr"] = ["There is no field 'lr' here. Did you mean 'learningRate'?"],
            ["training.bacthSize"] = ["There is no field 'bacthSize' here. Did you mean 'batchSize'?"],
            ["wat"] = ["There is no field 'wat' here; the fields are name, data, datasetId, initialModelId, model, training."],
        }, Errors(body));
        Assert.Equal(0, (await client.Http.GetFromJsonAsync<JobPage>("/api/jobs", ServiceClient.Json))!.Total);
    }

    [Fact]
    public async Task Every_value_of_the_wrong_kind_is_listed_at_once_with_the_allowed_enum_values()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var (status, body) = await client.PostRawAsync("/api/jobs", """
            { "data": { "sequences": [ { "inputs": [[1], ["x"]], "target": [1] }, { "inputs": "no", "target": [true] } ] },
              "model": { "cell": "gru", "hiddenSize": 1.5, "dropout": "0.1" },
              "training": { "optimizer": "rmsprop", "seed": -1, "epochs": 1e20, "shuffle": "yes", "normalize": null } }
            """);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(new Dictionary<string, string[]>
        {
            ["data.sequences[0].inputs[1][0]"] = ["Must be a finite number."],
            ["data.sequences[1].inputs"] = ["Must be an array."],
            ["data.sequences[1].target[0]"] = ["Must be a finite number."],
            ["model.cell"] = ["'gru' is not allowed: one of standard, seed."],
            ["model.hiddenSize"] = ["Must be a whole number."],
            ["model.dropout"] = ["Must be a finite number."],
            ["training.optimizer"] = ["'rmsprop' is not allowed: one of sgd, adam."],
            ["training.seed"] = ["Must be a whole number from 0 to 18446744073709551615."],
            ["training.epochs"] = ["Must be a whole number from -2147483648 to 2147483647."],
            ["training.shuffle"] = ["Must be true or false."],
            ["training.normalize"] = ["Must not be null."],
        }, Errors(body));
    }

    [Theory]
    [InlineData("/api/jobs", "text/plain", "This endpoint takes a body of type application/json; the request's Content-Type is 'text/plain'.")]
    [InlineData("/api/datasets?name=d", "application/xml", "This endpoint takes a body of type application/json or text/csv; the request's Content-Type is 'application/xml'.")]
    [InlineData("/api/models/import", "application/json", "This endpoint takes a body of type multipart/form-data; the request's Content-Type is 'application/json'.")]
    public async Task A_content_type_the_endpoint_does_not_take_is_a_415_that_names_the_ones_it_does(string path, string contentType, string detail)
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var (status, body) = await client.PostRawAsync(path, "{}", contentType);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal(detail, body!["detail"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"training":{"epochs":[1,2,]}}""", "training.epochs", "The JSON cannot be read at line 1, byte 28: a comma before a closing bracket.")]
    [InlineData("""{"training":{"learningRate":NaN}}""", "training.learningRate", "The JSON cannot be read at line 1, byte 29: something that is not JSON (names and strings take double quotes; NaN and Infinity are not numbers).")]
    [InlineData("""{"training":{""", "training", "The JSON cannot be read at line 1, byte 14: an object or array that is not closed.")]
    public async Task Json_that_cannot_be_parsed_says_where_in_its_own_terms_without_dotnet_text(string json, string field, string message)
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var (status, body) = await client.PostRawAsync("/api/jobs", json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal([message], Errors(body)[field]);
    }

    [Fact]
    public async Task Predict_forecast_and_dataset_bodies_are_as_strict_and_a_right_body_still_works()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var (status, body) = await client.PostAsync("/api/datasets", new { name = "d", sequence = new[] { new { inputs = new[] { new[] { 1.0 } } } } });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(["There is no field 'sequence' here. Did you mean 'sequences'?"], Errors(body)["sequence"]);

        var job = await client.PostJobAsync(new { data = new { sequences = new[] { new { inputs = new[] { new[] { 1.0 }, new[] { 2.0 } }, target = new[] { 3.0 } } } },
            model = new { hiddenSize = 2, output = new { steps = "last" } }, training = new { epochs = 1, validationFraction = 0 } });
        var done = await client.WaitAsync(job.Id);
        (status, body) = await client.PostAsync($"/api/models/{done.ModelId}/forecast", new { history = new[] { new[] { 1.0 } }, horizn = 3 });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(["There is no field 'horizn' here. Did you mean 'horizon'?"], Errors(body)["horizn"]);
        (status, _) = await client.PostAsync($"/api/models/{done.ModelId}/predict", new { sequences = new[] { new[] { new[] { 1.0 } } } });
        Assert.Equal(HttpStatusCode.OK, status);
    }
}
