// The schema as migrations build it on a real SQLite file: it matches the model, and its keys
// keep a job's loss history to one row per epoch.
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace LstmService.Persistence.Tests;

public sealed class DatabaseTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"lstm-persistence-{Guid.NewGuid():N}.db");

    private LstmDbContext Open() => new(new DbContextOptionsBuilder<LstmDbContext>().UseSqlite($"Data Source={_file}").Options);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(_file);
    }

    private static TrainingJob Job(string id) => new() { Id = id, Name = id, RequestJson = "{}", CreatedAt = DateTime.UtcNow, Epochs = 3 };

    [Fact]
    public async Task The_migrations_build_the_model_with_nothing_left_over()
    {
        await using var db = Open();
        await db.Database.MigrateAsync();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.False(db.Database.HasPendingModelChanges(), "the model has changes no migration captures: add one");
    }

    [Fact]
    public async Task An_epoch_is_stored_once_per_job()
    {
        await using (var db = Open())
        {
            await db.Database.MigrateAsync();
            db.Jobs.Add(Job("a"));
            db.EpochMetrics.Add(new EpochMetric { JobId = "a", Epoch = 1, TrainLoss = 0.5 });
            await db.SaveChangesAsync();
        }
        await using (var db = Open())
        {
            db.EpochMetrics.Add(new EpochMetric { JobId = "a", Epoch = 1, TrainLoss = 0.4 });
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        }
    }

    [Fact]
    public async Task Deleting_a_job_deletes_its_loss_history_and_statuses_are_stored_as_words()
    {
        await using var db = Open();
        await db.Database.MigrateAsync();
        var job = Job("b");
        job.Status = JobStatus.Running;
        db.Jobs.Add(job);
        db.EpochMetrics.AddRange(new EpochMetric { JobId = "b", Epoch = 1 }, new EpochMetric { JobId = "b", Epoch = 2 });
        await db.SaveChangesAsync();
        Assert.Equal("Running", await db.Database.SqlQueryRaw<string>("SELECT Status AS Value FROM Jobs WHERE Id = 'b'").SingleAsync());

        db.Jobs.Remove(job);
        await db.SaveChangesAsync();
        Assert.Equal(0, await db.EpochMetrics.CountAsync());
    }
}
