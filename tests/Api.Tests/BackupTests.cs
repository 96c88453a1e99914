// An online backup: taken while a job trains, it is a sound SQLite file holding what was
// committed, and a service started on it serves the models and resumes the job it caught running.
using System.Net;
using System.Net.Http.Json;
using LstmService.Api.Storage;
using LstmService.Persistence;
using Microsoft.Data.Sqlite;

namespace LstmService.Api.Tests;

public class BackupTests
{
    [Fact]
    public async Task A_backup_taken_while_a_job_trains_restores_the_models_and_resumes_the_job()
    {
        string restoredFolder = Path.Combine(Path.GetTempPath(), "lstm-tests", Guid.NewGuid().ToString("N"));
        string finishedModel, runningJob;
        using (var app = new LstmApplication(new() { ["Training:CheckpointSeconds"] = "0" }))
        {
            var client = new ServiceClient(app.CreateClient());
            var finished = await client.WaitAsync((await client.PostJobAsync(TestRequests.SmallJob(TestRequests.SineSequences(16, 8)))).Id);
            finishedModel = finished.ModelId!;
            runningJob = (await client.PostJobAsync(TestRequests.SmallJob(TestRequests.SineSequences(64, 20), epochs: 3000))).Id;
            await client.WaitAsync(runningJob, j => j.Progress.Epoch >= 3);

            var response = await client.Http.PostAsync("/api/backups", null);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var backup = (await response.Content.ReadFromJsonAsync<BackupView>(ServiceClient.Json))!;
            Assert.StartsWith(Path.Combine(app.DataFolder, "backups"), backup.File);
            Assert.Equal(new FileInfo(backup.File).Length, backup.Bytes);
            Assert.Equal(JobStatus.Running, (await client.GetJobAsync(runningJob)).Status); // the job went on

            using (var connection = new SqliteConnection($"Data Source={backup.File};Mode=ReadOnly;Pooling=False"))
            {
                connection.Open();
                using var check = connection.CreateCommand();
                check.CommandText = "PRAGMA integrity_check";
                Assert.Equal("ok", check.ExecuteScalar());
            }
            Directory.CreateDirectory(restoredFolder);
            File.Copy(backup.File, Path.Combine(restoredFolder, "lstm.db"));
            await client.Http.PostAsync($"/api/jobs/{runningJob}/cancel", null);
        }

        // Restoring is starting on the copy: the job it caught running resumes as after a crash.
        using var restored = new LstmApplication(folder: restoredFolder);
        var restoredClient = new ServiceClient(restored.CreateClient());
        var predict = await restoredClient.PostAsync($"/api/models/{finishedModel}/predict", new { sequences = new[] { new[] { new[] { 0.1, 0.2 } } } });
        Assert.Equal(HttpStatusCode.OK, predict.Status);
        var resumed = await restoredClient.WaitAsync(runningJob, j => j.Status != JobStatus.Queued && j.Progress.Epoch >= 3);
        Assert.Equal(JobStatus.Running, resumed.Status);
        await restoredClient.Http.PostAsync($"/api/jobs/{runningJob}/cancel", null);
        Assert.Equal(JobStatus.Cancelled, (await restoredClient.WaitAsync(runningJob)).Status);
    }
}
