// Series jobs as the worker builds them: split by time with no leak, and every request that does
// not fit its series refused up front with the field and the reason.
using System.Net;
using System.Net.Http.Json;
using LstmService.Api.Jobs;
using LstmService.Api.Training;
using LstmService.Persistence;

namespace LstmService.Api.Tests;

public class SeriesJobTests
{
    [Fact]
    public void The_worker_trains_only_on_windows_whose_targets_precede_the_validation_part_and_validates_before_the_test_part()
    {
        // Each row holds its own index, so each target says which row it came from.
        var rows = Enumerable.Range(0, 200).Select(t => new double[] { t, 1000 + t }).ToArray();
        var series = new SeriesSource([rows], ["index", "other"], SeasonLength: 7);
        var request = new JobRequest { Training = new TrainingRequest { Window = 12, Horizon = 3, Targets = ["index"], Normalize = false, Scaling = SeriesScaling.ZScore, ValidationFraction = 0.15, TestFraction = 0.2 } }.WithDefaults();
        var data = TrainingData.Build(request, [new SequenceData { Inputs = rows }], series, new ServiceLimits());

        var split = data.Series!.Series[0].Split;
        Assert.Equal((130, 160), (split.ValidationStart, split.TestStart)); // 200 − 40 test − 30 validation
        Assert.All(data.Train, w => Assert.All(w.Targets![0], t => Assert.True(t < 130, $"training target from row {t}")));
        Assert.All(data.Validation, w => Assert.All(w.Targets![0], t => Assert.InRange(t, 130, 159)));
        Assert.Equal(130 - 12 - 3 + 1, data.Train.Count);
        Assert.Equal(30 - 3 + 1, data.Validation.Count);
        Assert.Equal((2, 3), (data.Spec.InputSize, data.Spec.OutputSize));
        Assert.Equal((12, 3, 7, 0.2), (data.Settings.Window, data.Settings.Horizon, data.Settings.SeasonLength, data.Settings.TestFraction));
    }

    [Fact]
    public void A_series_job_that_leaves_the_settings_out_gets_them_chosen_from_its_season()
    {
        var rows = Enumerable.Range(0, 400).Select(t => new double[] { Math.Sin(t / 4.0), t }).ToArray();
        var request = new JobRequest().WithDefaults();
        var data = TrainingData.Build(request, [new SequenceData { Inputs = rows }], new SeriesSource([rows], ["a", "b"], SeasonLength: 12), new ServiceLimits());
        var settings = data.Settings;
        Assert.Equal((24, 1, 12), (settings.Window, settings.Horizon, settings.SeasonLength)); // two seasons
        Assert.Equal((300, 0.001, 50), (settings.Epochs, settings.LearningRate, settings.EarlyStoppingPatience));
        Assert.Equal((SeriesScaling.Window, true), (settings.Scaling, settings.Linear));
        Assert.Equal(32, data.Spec.HiddenSize);
        Assert.NotNull(data.WindowModel!.Linear);

        // Without a season the window is 16 steps; never more than a quarter of the training rows.
        var plain = TrainingData.Build(request, [new SequenceData { Inputs = rows }], new SeriesSource([rows], ["a", "b"], SeasonLength: null), new ServiceLimits());
        Assert.Equal(16, plain.Settings.Window);
        var shortRows = rows[..100];
        var shortData = TrainingData.Build(request, [new SequenceData { Inputs = shortRows }], new SeriesSource([shortRows], ["a", "b"], SeasonLength: 12), new ServiceLimits());
        Assert.Equal(20, shortData.Settings.Window); // 80 training rows / 4

        // Default epochs stop at what the service allows; asked-for ones beyond it are refused.
        var limits = new ServiceLimits { MaxWorkPerJob = 1e9 };
        var capped = TrainingData.Build(request, [new SequenceData { Inputs = rows }], new SeriesSource([rows], ["a", "b"], SeasonLength: 12), limits);
        Assert.InRange(capped.Settings.Epochs!.Value, 1, 299);
        var asked = request with { Training = request.Training with { Epochs = 300 } };
        Assert.Equal("training.epochs", Assert.Throws<ArgumentException>(() => TrainingData.Build(asked, [new SequenceData { Inputs = rows }], new SeriesSource([rows], ["a", "b"], SeasonLength: 12), limits)).ParamName);
    }

    [Fact]
    public void A_season_inferred_from_the_spacing_that_the_series_is_too_short_for_becomes_1()
    {
        var rows = Enumerable.Range(0, 40).Select(t => new double[] { t }).ToArray();
        var request = new JobRequest { Training = new TrainingRequest { Window = 4 } }.WithDefaults();
        var data = TrainingData.Build(request, [new SequenceData { Inputs = rows }], new SeriesSource([rows], ["v"], SeasonLength: 52), new ServiceLimits());
        Assert.Equal(1, data.Series!.SeasonLength);
    }

    [Theory]
    [InlineData("""{"window":4,"targets":["b","nope"]}""", "training.targets", "'nope' is not a column of this dataset; its columns are a, b.")]
    [InlineData("""{"window":4,"missing":"error"}""", "training.missing", "The series has 2 empty cells: row 2, column b; row 5, column a. Fill them in, or set training.missing to interpolate or forwardFill.")]
    [InlineData("""{"window":4,"seasonLength":30}""", "training.seasonLength", "A season of 30 steps needs a training part longer than that; the series has 24 training rows.")]
    [InlineData("""{"window":25}""", "training.window", "The series has 30 rows: 3 for validation and 3 for testing leave 24 to train on, fewer than one window of 25 + 1 rows. Use a shorter window or smaller validation and test fractions.")]
    [InlineData("""{"window":4,"missing":"sometimes"}""", "training.missing", null)]
    public async Task A_series_job_that_does_not_fit_its_series_is_a_400_naming_the_field(string training, string field, string? message)
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var csv = "a,b\n" + string.Join("\n", Enumerable.Range(0, 30).Select(t => t == 4 ? $",{t}" : t == 1 ? $"{t}," : $"{t},{2 * t}"));
        var dataset = await SeriesEvaluationTests.UploadCsvAsync(client, "gappy", csv);
        var (status, body) = await client.PostRawAsync("/api/jobs", $$"""{"datasetId":"{{dataset.Id}}","training":{{training}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var messages = body!["errors"]![field]!.AsArray().Select(m => m!.GetValue<string>()).ToList();
        if (message is not null) Assert.Equal([message], messages);
        Assert.Equal(0, (await client.Http.GetFromJsonAsync<JobPage>("/api/jobs", ServiceClient.Json))!.Total);
    }

    [Theory]
    [InlineData("targets", """["a"]""")]
    [InlineData("seasonLength", "7")]
    [InlineData("testFraction", "0.2")]
    [InlineData("missing", "\"error\"")]
    public async Task Series_settings_on_a_job_of_sequences_are_a_400(string name, string value)
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var (status, body) = await client.PostRawAsync("/api/jobs",
            $$$"""{"data":{"sequences":[{"inputs":[[1],[2]],"target":[3]},{"inputs":[[2],[3]],"target":[4]}]},"model":{"output":{"steps":"last"}},"training":{"{{{name}}}":{{{value}}}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(body!["errors"]![$"training.{name}"]);
    }

    [Fact]
    public async Task A_float32_series_whose_held_out_part_float32_cannot_hold_is_refused_at_submission_unless_its_windows_are_scaled()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        // The last row is in the test part: never trained on, but read when the model is scored.
        var csv = "v\n" + string.Join("\n", Enumerable.Range(0, 39).Select(t => t.ToString())) + "\n1e300\n";
        var dataset = await SeriesEvaluationTests.UploadCsvAsync(client, "huge", csv);
        var (status, body) = await client.PostAsync("/api/jobs", new { datasetId = dataset.Id, training = new { window = 4, scaling = "zscore" } });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("beyond float32", body!["errors"]!["data"]![0]!.GetValue<string>());

        // A window relative to its last row, over its own spread, stays within a few units whatever its level.
        var job = await client.PostJobAsync(new { datasetId = dataset.Id, training = new { window = 4, epochs = 2 } });
        var done = await client.WaitAsync(job.Id);
        Assert.True(done.Status == JobStatus.Succeeded, done.Error);
        Assert.True(double.IsFinite(done.Evaluation!.Metrics!["v"]!.Rmse!.Value));
    }
}
