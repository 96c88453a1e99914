// The fuzz test's requests: for every endpoint, valid bodies with one thing broken (a field's type,
// a number out of range or not finite, the JSON cut short or nested 10,000 deep, sequences ragged
// or empty), wrong content types, broken multipart and safetensors, bad CSV, bad query parameters,
// unknown ids, oversized bodies. Deterministic for a seed; each request says which answers are right.
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LstmService.Api.Tests.Fuzz;

internal sealed class MalformedRequests(FuzzTargets targets, int seed, long maxBodyBytes)
{
    private readonly Random _random = new(seed);

    private const string JobInline = """
        {"name":"fuzz","data":{"sequences":[
          {"inputs":[[0.1,0.2],[0.3,0.4],[0.5,0.6]],"target":[0.7]},
          {"inputs":[[0.2,0.3],[0.4,0.5]],"target":[0.6]},
          {"inputs":[[0.0,0.1],[0.2,0.3],[0.4,0.5]],"target":[0.6]}]},
         "model":{"cell":"standard","hiddenSize":4,"layers":1,"dropout":0,"output":{"kind":"dense","size":1,"steps":"last"},"loss":"mse"},
         "training":{"epochs":1,"batchSize":2,"optimizer":"adam","learningRate":0.01,"momentum":0,"clipNorm":5,"validationFraction":0,
           "earlyStoppingPatience":3,"seed":1,"precision":"float32","normalize":true,"shuffle":true,"cellGradient":"full","forgetGateBiasOne":false,
           "frozenParameters":["lstm.bias_hh_l0"]}}
        """;

    private string JobOnDataset => $$$"""{"datasetId":"{{{targets.SeriesDatasetId}}}","model":{"hiddenSize":4},"training":{"window":4,"horizon":1,"epochs":1}}""";

    private const string Predict = """{"sequences":[[[0.1,0.2],[0.3,0.4]],[[0.5,0.6]]]}""";
    private const string Forecast = """{"history":[[0.1],[0.2],[0.3],[0.4]],"horizon":3}""";
    private const string Dataset = """{"name":"fuzz","sequences":[{"inputs":[[1,2],[3,4]],"target":[5]},{"inputs":[[6,7]],"target":[8]}]}""";
    private const string Csv = "a,b\n1,2\n3,4\n5,6\n7,8\n";

    private string PredictPath => $"/api/models/{targets.RegressionModelId}/predict";
    private string ForecastPath => $"/api/models/{targets.ForecastModelId}/forecast";

    // Tokens no number field accepts, whatever its range.
    private static readonly string[] NotFinite = ["NaN", "Infinity", "-Infinity", "nan", "1e309", "-1e309"];
    private static readonly string[] WrongTypes = ["\"5\"", "\"NaN\"", "true", "[]", "{}", "[1]", "\"\""];

    public IEnumerable<MalformedRequest> All() =>
        JobFields().Concat(DataValues()).Concat(Sequences()).Concat(BrokenJson()).Concat(Deep()).Concat(ContentTypes())
            .Concat(Imports()).Concat(CsvUploads()).Concat(Queries()).Concat(UnknownIds()).Concat(Oversized()).Concat(Keys());

    /// <summary>Each field of a job, and of predict and forecast, given each kind of bad value.</summary>
    private IEnumerable<MalformedRequest> JobFields()
    {
        // field → out-of-range values of the right type (each invalid for this field whatever the rest is)
        var ranges = new Dictionary<string, string[]>
        {
            ["name"] = [$"\"{new string('n', 201)}\""],
            ["model.cell"] = ["\"gru\"", "\"\"", "0"],
            ["model.hiddenSize"] = ["-1", "0", "2049", "2147483647"],
            ["model.layers"] = ["-1", "0", "9", "-2147483648"],
            ["model.dropout"] = ["-1", "1", "1.5", "1e308", "-0.0001"],
            ["model.output.kind"] = ["\"conv\"", "1"],
            ["model.output.size"] = ["-1", "0", "1025", "2147483647"],
            ["model.output.steps"] = ["\"first\"", "1"],
            ["model.loss"] = ["\"mae\"", "1"],
            ["training.epochs"] = ["-1", "0", "100001", "2147483647"],
            ["training.batchSize"] = ["-1", "0", "4097"],
            ["training.optimizer"] = ["\"rmsprop\"", "0"],
            ["training.learningRate"] = ["-1", "0", "11", "1e308", "-1e-300"],
            ["training.momentum"] = ["-1", "1", "1e308"],
            ["training.clipNorm"] = ["-1", "0", "-1e308"],
            ["training.validationFraction"] = ["-1", "0.6", "1e308"],
            ["training.earlyStoppingPatience"] = ["-1", "-2147483648"],
            ["training.seed"] = ["-1", "1.5", "18446744073709551616"],
            ["training.precision"] = ["\"float16\"", "32"],
            ["training.normalize"] = ["1", "\"true\"", "null"],
            ["training.shuffle"] = ["0", "\"false\""],
            ["training.cellGradient"] = ["\"partial\"", "0"],
            ["training.forgetGateBiasOne"] = ["1", "null"],
            ["training.frozenParameters"] = ["[\"lstm.nope\"]", "[5]", "\"lstm.bias_hh_l0\"", "[\"\"]", "[null]"],
            ["training.window"] = ["-1", "0", "10001"],
            ["training.horizon"] = ["-1", "0", "1025"],
            ["training.scaling"] = ["\"robust\"", "1"],
        };
        var integers = new HashSet<string> { "model.hiddenSize", "model.layers", "model.output.size", "training.epochs", "training.batchSize", "training.earlyStoppingPatience", "training.window", "training.horizon" };
        var nullable = new HashSet<string> { "name", "model.hiddenSize", "training.epochs", "training.learningRate", "training.clipNorm", "training.earlyStoppingPatience", "training.frozenParameters",
            "training.window", "training.horizon", "training.scaling" };
        foreach (var (body, fieldsOf) in new[] { (JobInline, (Func<string, bool>)(_ => true)), (JobOnDataset, f => f.StartsWith("training.") || f is "model.hiddenSize" or "model.layers" or "model.dropout" or "model.cell") })
            foreach (var (field, outOfRange) in ranges.Where(r => fieldsOf(r.Key)))
            {
                foreach (var token in outOfRange) yield return MalformedRequest.Json("number out of range or wrong value", "/api/jobs", JsonMutation.Replace(body, field, token), field);
                foreach (var token in NotFinite) yield return MalformedRequest.Json("NaN, Infinity or 1e309", "/api/jobs", JsonMutation.Replace(body, field, token), field);
                bool isBool = field is "training.normalize" or "training.shuffle" or "training.forgetGateBiasOne";
                foreach (var token in WrongTypes.Where(t => !(field == "name" && t.StartsWith('"')) && !(field == "training.frozenParameters" && t == "[]") && !(isBool && t == "true")))
                    yield return MalformedRequest.Json("wrong type", "/api/jobs", JsonMutation.Replace(body, field, token), field);
                if (integers.Contains(field))
                    foreach (var token in new[] { "1.5", "99999999999999999999", "-99999999999999999999", "1e3" })
                        yield return MalformedRequest.Json("huge or fractional integer", "/api/jobs", JsonMutation.Replace(body, field, token), field);
                if (!nullable.Contains(field) && !outOfRange.Contains("null"))
                    yield return MalformedRequest.Json("wrong type", "/api/jobs", JsonMutation.Replace(body, field, "null"), field);
            }
        // Whole sections of the wrong type, and ids that name nothing or the wrong thing.
        foreach (var section in new[] { "model", "training", "model.output", "data" })
            foreach (var token in new[] { "5", "\"x\"", "[]", "true" })
                yield return MalformedRequest.Json("wrong type", "/api/jobs", JsonMutation.Replace(JobInline, section, token), section);
        foreach (var (field, token) in new[] { ("datasetId", $"\"{FuzzTargets.Bogus}\""), ("datasetId", "5"), ("datasetId", "\"\""), ("datasetId", "null"), ("initialModelId", $"\"{FuzzTargets.Bogus}\""),
                     ("initialModelId", $"\"{targets.ForecastModelId}\""), ("initialModelId", "[]"), ("datasetId", $"\"{targets.RegressionModelId}\"") })
            yield return MalformedRequest.Json("unknown or mismatched id in a body", "/api/jobs", JsonMutation.Replace(JobOnDataset, field, token), field);
        yield return MalformedRequest.Json("unknown or mismatched id in a body", "/api/jobs", JsonMutation.Replace(JobInline, "datasetId", $"\"{targets.SequenceDatasetId}\""), "datasetId");
        foreach (var window in new[] { "40", "1000", "10000" }) // longer than the series: no windows at all
            yield return MalformedRequest.Json("number out of range or wrong value", "/api/jobs", JsonMutation.Replace(JobOnDataset, "training.window", window), "training.window");
        yield return MalformedRequest.Json("number out of range or wrong value", "/api/jobs", JsonMutation.Replace(JobOnDataset, "training.horizon", "1000"), "training.window");
        // A job on a sequences dataset whose model does not fit it.
        string onSequences = JsonMutation.Replace(JsonMutation.Replace(JobOnDataset, "datasetId", $"\"{targets.SequenceDatasetId}\""), "model.output", """{"steps":"all"}""");
        yield return MalformedRequest.Json("unknown or mismatched id in a body", "/api/jobs", onSequences, "data");

        foreach (var token in new[] { "-1", "0", "10001", "2147483647", "1.5", "99999999999999999999", "null", "\"3\"", "[]" }.Concat(NotFinite))
            yield return MalformedRequest.Json("number out of range or wrong value", ForecastPath, JsonMutation.Replace(Forecast, "horizon", token), "horizon");
        // The regression model has 2 inputs and 1 output: nothing to feed back.
        yield return MalformedRequest.Json("unknown or mismatched id in a body", $"/api/models/{targets.RegressionModelId}/forecast", """{"history":[[0.1,0.2]],"horizon":2}""", "id");
        yield return MalformedRequest.Json("ragged or empty sequences", PredictPath, """{"sequences":[[[0.1,0.2,0.3]]]}""", "sequences[0][0]");
        yield return MalformedRequest.Json("ragged or empty sequences", $"/api/models/{targets.ForecastModelId}/predict", """{"sequences":[[[0.1,0.2]]]}""", "sequences[0][0]");
    }

    /// <summary>A data value of every body replaced by something that is not a finite number.</summary>
    private IEnumerable<MalformedRequest> DataValues()
    {
        var bodies = new (string Path, string Body, string Under)[]
        {
            ("/api/jobs", JobInline, "data"), (PredictPath, Predict, "sequences"), (ForecastPath, Forecast, "history"), ("/api/datasets", Dataset, "sequences"),
        };
        string[] tokens = [.. NotFinite, "\"1\"", "\"NaN\"", "true", "null", "{}", "[1]", "1e400", "0x10", "01", "+1", ".5", "1.", "--1", "1e", "Infinity1"];
        foreach (var (path, body, under) in bodies)
        {
            var numbers = JsonMutation.NumberPaths(body, under);
            for (int i = 0; i < 60; i++)
            {
                string at = numbers[_random.Next(numbers.Count)], token = tokens[_random.Next(tokens.Length)];
                string kind = NotFinite.Contains(token) || token is "1e400" or "Infinity1" ? "NaN, Infinity or 1e309" : token.StartsWith('"') || token is "true" or "null" or "{}" or "[1]" ? "wrong type" : "invalid JSON";
                yield return MalformedRequest.Json(kind, path, JsonMutation.Replace(body, at, token), kind == "invalid JSON" ? null : at);
            }
        }
    }

    /// <summary>Sequences that are empty, ragged, too long or too wide, or carry the wrong targets.</summary>
    private IEnumerable<MalformedRequest> Sequences()
    {
        const string kind = "ragged or empty sequences";
        string longInputs = "[" + string.Join(",", Enumerable.Repeat("[0,0]", 10_001)) + "]";
        string wideRow = "[[" + string.Join(",", Enumerable.Repeat("0", 1025)) + "]]";
        foreach (var (path, body, seqs, inputs) in new[]
        {
            ("/api/jobs", JobInline, "data.sequences", "data.sequences[1].inputs"),
            ("/api/datasets", Dataset, "sequences", "sequences[1].inputs"),
        })
        {
            foreach (var token in new[] { "[]", "null", "[null]", "[[]]", "[{}]", "[1]", "\"many\"", "{}" })
                yield return MalformedRequest.Json(kind, path, JsonMutation.Replace(body, seqs, token), seqs);
            foreach (var token in new[] { "[]", "null", "[[]]", "[[0.1,0.2],[0.3]]", "[[0.1,0.2],[0.3,0.4,0.5]]", "[[0.1,0.2],[]]", "[[0.1,0.2],null]", "[0.1,0.2]", longInputs, wideRow })
                yield return MalformedRequest.Json(kind, path, JsonMutation.Replace(body, inputs, token), inputs);
            string target = seqs + "[1].target";
            foreach (var token in new[] { "[]", "[0.1,0.2]", "[[0.1]]" })
                yield return MalformedRequest.Json(kind, path, JsonMutation.Replace(body, target, token), seqs);
            yield return MalformedRequest.Json(kind, path, JsonMutation.Replace(body, seqs + "[0].label", $"\"{new string('l', 201)}\""), seqs + "[0].label");
            yield return MalformedRequest.Json(kind, path, JsonMutation.Replace(body, seqs + "[1].targets", "[[1],[2],[3]]"), seqs + "[1].targets");
        }
        // Steps of every sequence, targets per step or labels that the model does not take.
        yield return MalformedRequest.Json(kind, "/api/jobs", JsonMutation.Replace(JobInline, "model.output.steps", "\"all\""), "data.sequences[0].targets");
        yield return MalformedRequest.Json(kind, "/api/jobs", JsonMutation.Replace(JobInline, "model.loss", "\"crossEntropy\""), "data.sequences[0].label");
        yield return MalformedRequest.Json(kind, "/api/jobs", JsonMutation.Replace(JsonMutation.Replace(JobInline, "model.loss", "\"crossEntropy\""), "data.sequences",
            """[{"inputs":[[1,2]],"label":"a"},{"inputs":[[1,2]],"label":"a"}]"""), "data");
        foreach (var (path, body, under) in new[] { (PredictPath, Predict, "sequences"), (ForecastPath, Forecast, "history") })
        {
            // history is one sequence [T][X], predict's sequences are [n][T][X]: the same breaks, one level less deep.
            foreach (var token in new[] { "[]", "null", "[[]]", "[null]", "[[[]]]", "[[[0.1,0.2],[0.3]]]", "[[[0.1,0.2],null]]", "\"x\"", "{}", "[" + longInputs + "]" })
                yield return MalformedRequest.Json(kind, path, JsonMutation.Replace(body, under, under == "history" && token.StartsWith("[[") ? token[1..^1] : token), under);
        }
        yield return MalformedRequest.Json(kind, $"/api/models/{targets.ForecastModelId}/forecast", JsonMutation.Replace(Forecast, "history", "[[0.1],[0.2,0.3]]"), "history[1]");
    }

    /// <summary>Every JSON body cut short at random places, or broken in its syntax.</summary>
    private IEnumerable<MalformedRequest> BrokenJson()
    {
        var bodies = new (string Path, string Body)[] { ("/api/jobs", JobInline), ("/api/jobs", JobOnDataset), (PredictPath, Predict), (ForecastPath, Forecast), ("/api/datasets", Dataset),
            ($"/api/models/{FuzzTargets.Bogus}/predict", Predict) };
        foreach (var (path, body) in bodies)
        {
            string compact = JsonNode.Parse(body)!.ToJsonString();
            for (int i = 0; i < 25; i++)
                yield return MalformedRequest.Json("invalid JSON", path, compact[..(_random.Next(compact.Length))]);
            foreach (var broken in new[] { compact + "}", compact + ",", compact.Replace("\"", "'"), compact.Replace(":", "=") , compact[..^1] + ",}", "/*c*/" + compact,
                         compact + compact, "null", "[]", "5", "\"body\"", "{", "}", "{\"a\" 1}", "\u0000" })
                yield return MalformedRequest.Json("invalid JSON", path, broken);
            var invalidUtf8 = Encoding.UTF8.GetBytes(compact).ToList();
            invalidUtf8.InsertRange(compact.IndexOf(':') + 2, new byte[] { 0xff, 0xfe });
            yield return new MalformedRequest("invalid JSON", HttpMethod.Post, path, [.. invalidUtf8], "application/json", [400]);
            yield return new MalformedRequest("invalid JSON", HttpMethod.Post, path, [], "application/json", [400]);
        }
    }

    /// <summary>Arrays nested 10,000 deep wherever a value goes.</summary>
    private IEnumerable<MalformedRequest> Deep()
    {
        string deep = JsonMutation.Nested(10_000);
        foreach (var (path, body, field) in new[]
        {
            ("/api/jobs", JobInline, "data.sequences"), ("/api/jobs", JobInline, "data.sequences[0].inputs"), ("/api/jobs", JobInline, "data.sequences[0].inputs[0]"),
            ("/api/jobs", JobInline, "data.sequences[0].inputs[0][0]"), ("/api/jobs", JobInline, "training.epochs"), ("/api/jobs", JobInline, "model"), ("/api/jobs", JobInline, "name"),
            (PredictPath, Predict, "sequences"), (PredictPath, Predict, "sequences[0]"), (PredictPath, Predict, "sequences[0][0][0]"), (ForecastPath, Forecast, "history"), (ForecastPath, Forecast, "horizon"),
            ("/api/datasets", Dataset, "sequences"), ("/api/datasets", Dataset, "sequences[0].inputs[0]"), ("/api/datasets", Dataset, "name"),
        })
        {
            yield return MalformedRequest.Json("deep nesting", path, JsonMutation.Replace(body, field, deep));
            yield return MalformedRequest.Json("deep nesting", path, JsonMutation.Replace(body, field, JsonMutation.Nested(65)));
        }
        yield return MalformedRequest.Json("deep nesting", "/api/jobs", deep);
        yield return MalformedRequest.Json("deep nesting", "/api/jobs", new string('{', 5000) + new string('}', 5000));
        yield return MalformedRequest.Json("deep nesting", "/api/jobs", string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000));
    }

    /// <summary>JSON endpoints sent other content types, or JSON under another name.</summary>
    private IEnumerable<MalformedRequest> ContentTypes()
    {
        string[] types = ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/octet-stream", "", "application/json; charset=utf-16", "image/png", "text/csv"];
        foreach (var (path, body) in new[] { ("/api/jobs", JobInline), (PredictPath, Predict), (ForecastPath, Forecast), ("/api/datasets", Dataset) })
            foreach (var type in types.Where(t => !(path == "/api/datasets" && t == "text/csv")))
            {
                // /api/datasets reads CSV and JSON itself; anything else is a 400 on body there, a 415 elsewhere.
                int[] expected = path == "/api/datasets" ? [400, 415] : [415, 400];
                yield return new MalformedRequest("wrong content type", HttpMethod.Post, path, Encoding.UTF8.GetBytes(body), type, expected);
                yield return new MalformedRequest("wrong content type", HttpMethod.Post, path, Encoding.UTF8.GetBytes(body), null, expected);
            }
        // CSV sent as JSON, JSON sent as CSV.
        yield return new MalformedRequest("wrong content type", HttpMethod.Post, "/api/datasets?name=x", Encoding.UTF8.GetBytes(Csv), "application/json", [400]);
        yield return new MalformedRequest("wrong content type", HttpMethod.Post, "/api/datasets?name=x", Encoding.UTF8.GetBytes(Dataset), "text/csv", [400]);
    }

    /// <summary>POST /api/models/import with broken multipart, corrupt safetensors, bad spec and name parts.</summary>
    private IEnumerable<MalformedRequest> Imports()
    {
        const string path = "/api/models/import";
        var file = targets.ModelFile;
        MalformedRequest Form(string kind, byte[] body, string? contentType = null, string? field = null, params int[] expected) =>
            new(kind, HttpMethod.Post, path, body, contentType ?? Multipart.ContentType(), expected.Length == 0 ? [400] : expected, field);

        foreach (var (kind, corrupt) in new CorruptSafeTensors(file, _random).All())
        {
            var parts = new List<Multipart.Part> { Multipart.File(corrupt) };
            if (_random.Next(3) == 0) parts.Add(Multipart.Text("name", "fuzz"));
            yield return Form(kind, Multipart.Build(parts), field: "weights");
        }
        // Broken multipart around a valid file.
        var good = Multipart.Build([Multipart.File(file)]);
        const string broken = "invalid multipart";
        yield return Form(broken, good, Multipart.ContentType("other-boundary"));
        yield return Form(broken, good, "multipart/form-data");
        yield return Form(broken, good, "multipart/form-data; boundary=");
        yield return Form(broken, good, "multipart/form-data; boundary=" + new string('b', 200));
        yield return Form(broken, Multipart.Build([Multipart.File(file)], closed: false));
        yield return Form(broken, Multipart.Build([Multipart.File(file)], "fuzz-boundary-7f3aX"));
        for (int i = 0; i < 12; i++) yield return Form(broken, good[..(_random.Next(good.Length - 30))]); // short of the closing boundary
        yield return Form(broken, Encoding.UTF8.GetBytes("--" + Multipart.Boundary + "\r\nContent-Disposition: form-data\r\n\r\nx\r\n--" + Multipart.Boundary + "--\r\n"));
        yield return Form(broken, Encoding.UTF8.GetBytes("--" + Multipart.Boundary + "\r\n" + new string('h', 20_000) + "\r\n\r\nx\r\n--" + Multipart.Boundary + "--\r\n"));
        yield return Form(broken, Encoding.UTF8.GetBytes("garbage"));
        yield return Form(broken, []);
        // Parts missing or wrong.
        yield return Form(broken, Multipart.Build([Multipart.Text("spec", "{\"cell\":\"standard\"}")]), field: "weights");
        yield return Form(broken, Multipart.Build([Multipart.Text("weights", "not a file")]), field: "weights");
        yield return Form(broken, Multipart.Build([new Multipart.Part("model", file, "m.safetensors")]), field: "weights");
        yield return Form(broken, Multipart.Build([Multipart.File([])]), field: "weights");
        foreach (var spec in new[] { "{", "[]", "5", "\"x\"", "{\"cell\":\"gru\"}", "{\"cell\":\"seed\"}", "{\"output\":{\"steps\":\"all\"}}", "{\"loss\":\"crossEntropy\"}", "{\"hiddenSize\":\"4\"}",
                     "{\"dropout\":NaN}", "{\"output\":{\"kind\":\"hidden\"}}", JsonMutation.Nested(10_000) })
            yield return Form("invalid multipart", Multipart.Build([Multipart.File(file), Multipart.Text("spec", spec)]), field: spec.StartsWith('{') && !spec.Contains("NaN") && spec != "{" && !spec.Contains("\"4\"") && !spec.Contains("gru") ? "weights" : "spec");
        yield return Form("invalid multipart", Multipart.Build([Multipart.File(file), Multipart.Text("name", new string('n', 201))]), field: "name");
        // A file sent as the raw body, or as JSON.
        yield return new MalformedRequest("wrong content type", HttpMethod.Post, path, file, "application/octet-stream", [400, 415]);
        yield return new MalformedRequest("wrong content type", HttpMethod.Post, path, Encoding.UTF8.GetBytes(Predict), "application/json", [400, 415]);
        yield return new MalformedRequest("wrong content type", HttpMethod.Post, path, null, null, [400, 415]);
    }

    /// <summary>CSV series with missing or non-numeric cells, ragged rows, bad headers, bad names.</summary>
    private IEnumerable<MalformedRequest> CsvUploads()
    {
        MalformedRequest Upload(string kind, string csv, string query = "?name=fuzz", string? field = null) =>
            new(kind, HttpMethod.Post, "/api/datasets" + query, Encoding.UTF8.GetBytes(csv), "text/csv", [400], field);
        var rows = Csv.TrimEnd('\n').Split('\n');
        for (int i = 0; i < 40; i++)
        {
            int r = _random.Next(1, rows.Length), c = _random.Next(2);
            string Set(string cell) => string.Join("\n", rows.Select((row, n) => n != r ? row : string.Join(",", row.Split(',').Select((v, k) => k == c ? cell : v)))) + "\n";
            // An empty cell is a missing value (accepted and counted), so it is no malformed request.
            string[] junk = ["abc", "NaN", "Infinity", "-Infinity", "1e309", "1,5", "0x1F", "1 2", "∞", "1e", "--1", "\"1\"\"\""];
            var bad = junk[_random.Next(junk.Length)];
            yield return Upload("CSV: non-numeric cell", Set(bad), field: bad is "1,5" ? null : $"line {r + 1}");
        }
        foreach (var csv in new[] { "a,b\n1,2\n3\n", "a,b\n1,2\n3,4,5\n", "a,b\n1,2,3\n4,5\n", "a\n1\n2,3\n", "a,b\n1,2\n\n3,4\n" })
            yield return Upload("CSV: ragged row", csv);
        foreach (var csv in new[] { "", "\n", "a,b\n", "a,b\n1,2\n", "a,a\n1,2\n3,4\n", ",b\n1,2\n3,4\n", "a,\"b\n1,2\n3,4\n",
                     string.Join(",", Enumerable.Range(0, 1025).Select(i => $"c{i}")) + "\n" + string.Join(",", Enumerable.Repeat("1", 1025)) + "\n" + string.Join(",", Enumerable.Repeat("1", 1025)) + "\n",
                     "a,b\n1,2\n3,4\0\n", "\u0000\u0001\u0002" })
            yield return Upload("CSV: bad header or shape", csv);
        foreach (var query in new[] { "", "?name=", $"?name={new string('n', 201)}", "?other=1" })
            yield return Upload("CSV: bad header or shape", Csv, query, "name");
    }

    /// <summary>Query parameters of the jobs list out of range or of the wrong type.</summary>
    private IEnumerable<MalformedRequest> Queries()
    {
        foreach (var (query, field) in new[]
        {
            ("status=7", "status"), ("status=-1", "status"), ("status=0", "status"), ("status=bogus", "status"), ("status=queued%00", "status"), ("status=1e3", "status"),
            ("page=0", "page"), ("page=-1", "page"), ("page=1e309", "page"), ("page=99999999999", "page"), ("page=NaN", "page"), ("page=1.5", "page"), ("page=abc", "page"), ("page=2147483647", "page"),
            ("pageSize=0", "pageSize"), ("pageSize=501", "pageSize"), ("pageSize=-5", "pageSize"), ("pageSize=", "pageSize"), ("pageSize=1&pageSize=2", "pageSize"), ("page=1&page=2", "page"),
        })
            yield return new MalformedRequest("bad query parameter", HttpMethod.Get, "/api/jobs?" + query, null, null, [400], field);
    }

    /// <summary>Every path with an id, given ids that name nothing; wrong methods; a conflict.</summary>
    private IEnumerable<MalformedRequest> UnknownIds()
    {
        string[] ids = [FuzzTargets.Bogus, "nope", "..%2F..%2Fetc%2Fpasswd", new string('a', 2000), "%C3%B1", "'%20OR%201=1%20--", "0", "-1", targets.FinishedJobId + "x", "%E2%80%AE"];
        foreach (var id in ids)
        {
            foreach (var (method, path) in new[]
            {
                ("GET", $"/api/jobs/{id}"), ("GET", $"/api/jobs/{id}/losses"), ("GET", $"/api/jobs/{id}/losses.svg"), ("GET", $"/api/jobs/{id}/events"), ("POST", $"/api/jobs/{id}/cancel"), ("DELETE", $"/api/jobs/{id}"),
                ("GET", $"/api/models/{id}"), ("GET", $"/api/models/{id}/weights"), ("DELETE", $"/api/models/{id}"), ("GET", $"/api/datasets/{id}"), ("DELETE", $"/api/datasets/{id}"),
            })
                yield return new MalformedRequest("unknown id", new HttpMethod(method), path, null, null, [404]);
            yield return MalformedRequest.Json("unknown id", $"/api/models/{id}/predict", Predict, null, 404);
            yield return MalformedRequest.Json("unknown id", $"/api/models/{id}/forecast", Forecast, null, 404);
        }
        // A model id where a job id goes, and the reverse.
        yield return new MalformedRequest("unknown id", HttpMethod.Get, $"/api/jobs/{targets.RegressionModelId}", null, null, [404]);
        yield return new MalformedRequest("unknown id", HttpMethod.Get, $"/api/models/{targets.FinishedJobId}", null, null, [404]);
        yield return new MalformedRequest("unknown id", HttpMethod.Delete, $"/api/datasets/{targets.RegressionModelId}", null, null, [404]);
        foreach (var (method, path) in new[] { ("PUT", "/api/jobs"), ("DELETE", "/api/jobs"), ("PATCH", $"/api/models/{targets.RegressionModelId}"), ("PUT", $"/api/datasets/{targets.SeriesDatasetId}"),
                     ("GET", $"/api/models/{targets.RegressionModelId}/predict"), ("PATCH", $"/api/jobs/{targets.FinishedJobId}"), ("POST", "/api/models"), ("GET", "/api/models/import") })
            yield return new MalformedRequest("wrong method", new HttpMethod(method), path, null, null, path.EndsWith("/import") ? [404, 405] : [405]); // GET import is GET {id}
        for (int i = 0; i < 3; i++)
            yield return new MalformedRequest("conflict", HttpMethod.Post, $"/api/jobs/{targets.FinishedJobId}/cancel", null, null, [409]);
    }

    /// <summary>Every endpoint without a key, with a wrong one, and with a predict key where an admin key is needed.</summary>
    private IEnumerable<MalformedRequest> Keys()
    {
        var endpoints = new (string Method, string Path, bool PredictKeyMay)[]
        {
            ("POST", "/api/jobs", false), ("GET", "/api/jobs", true), ("GET", $"/api/jobs/{targets.FinishedJobId}", true), ("GET", $"/api/jobs/{targets.FinishedJobId}/losses", true),
            ("GET", $"/api/jobs/{targets.FinishedJobId}/losses.svg", true), ("GET", $"/api/jobs/{targets.FinishedJobId}/events", true), ("POST", $"/api/jobs/{targets.FinishedJobId}/cancel", false),
            ("DELETE", $"/api/jobs/{targets.FinishedJobId}", false),
            ("GET", "/api/models", true), ("GET", $"/api/models/{targets.RegressionModelId}", true), ("POST", PredictPath, true), ("POST", ForecastPath, true),
            ("GET", $"/api/models/{targets.RegressionModelId}/weights", true), ("POST", "/api/models/import", false), ("DELETE", $"/api/models/{targets.RegressionModelId}", false),
            ("POST", "/api/datasets", false), ("GET", "/api/datasets", true), ("GET", $"/api/datasets/{targets.SeriesDatasetId}", true), ("DELETE", $"/api/datasets/{targets.SeriesDatasetId}", false),
            ("POST", "/api/backups", false),
        };
        foreach (var (method, path, predictKeyMay) in endpoints)
        {
            // Valid bodies, so that the key is what is wrong (a wrong content type is a 415 before the key is read).
            bool import = path == "/api/models/import";
            byte[]? body = import ? Multipart.Build([Multipart.File(targets.ModelFile)]) : path == PredictPath ? Encoding.UTF8.GetBytes(Predict)
                : path == ForecastPath ? Encoding.UTF8.GetBytes(Forecast) : path == "/api/jobs" ? Encoding.UTF8.GetBytes(JobInline) : path == "/api/datasets" ? Encoding.UTF8.GetBytes(Dataset) : null;
            var request = new MalformedRequest("API key missing, wrong or too weak", new HttpMethod(method), path, body, body is null ? null : import ? Multipart.ContentType() : "application/json", [401]);
            yield return request with { ApiKey = null };
            yield return request with { ApiKey = "not-a-key-of-this-service" };
            yield return request with { ApiKey = "" };
            yield return request with { ApiKey = FuzzTargets.AdminKey.ToUpperInvariant() };
            if (!predictKeyMay) yield return request with { ApiKey = FuzzTargets.PredictKey, Expected = [403] };
        }
        foreach (var method in new[] { "GET", "PUT", "DELETE" })
            yield return new MalformedRequest("wrong method", new HttpMethod(method), "/api/backups", null, null, [405]);
        yield return new MalformedRequest("unknown id", HttpMethod.Get, "/api/backups/latest", null, null, [404, 405]);
    }

    /// <summary>Bodies just over the size limit, valid in every other way, on every endpoint that takes one.</summary>
    private IEnumerable<MalformedRequest> Oversized()
    {
        int steps = (int)(maxBodyBytes / 10) + 10; // "[0.1,0.2]," per step
        string inputs = "[" + string.Join(",", Enumerable.Repeat("[0.1,0.2]", steps)) + "]";
        string csv = "a,b\n" + string.Concat(Enumerable.Repeat("1,2\n", (int)(maxBodyBytes / 4) + 10));
        yield return MalformedRequest.Json("oversized body", "/api/jobs", JsonMutation.Replace(JobInline, "data.sequences[0].inputs", inputs), null, 413);
        yield return MalformedRequest.Json("oversized body", PredictPath, JsonMutation.Replace(Predict, "sequences[0]", inputs), null, 413);
        yield return MalformedRequest.Json("oversized body", "/api/datasets", JsonMutation.Replace(Dataset, "sequences[0].inputs", inputs), null, 413);
        yield return new MalformedRequest("oversized body", HttpMethod.Post, "/api/datasets?name=big", Encoding.UTF8.GetBytes(csv), "text/csv", [413]);
        var padded = Multipart.Build([Multipart.File(targets.ModelFile), Multipart.Text("name", "big"), Multipart.Text("pad", new string(' ', (int)maxBodyBytes))]);
        yield return new MalformedRequest("oversized body", HttpMethod.Post, "/api/models/import", padded, Multipart.ContentType(), [413]);
    }
}
