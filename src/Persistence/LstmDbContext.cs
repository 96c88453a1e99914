// The service's database: jobs (the durable queue), their loss histories, models and datasets,
// and the answers to idempotent POSTs.
// EF Core is the repository; endpoints and the worker use this context directly.
using Microsoft.EntityFrameworkCore;

namespace LstmService.Persistence;

public sealed class LstmDbContext(DbContextOptions<LstmDbContext> options) : DbContext(options)
{
    public DbSet<TrainingJob> Jobs => Set<TrainingJob>();
    public DbSet<EpochMetric> EpochMetrics => Set<EpochMetric>();
    public DbSet<StoredModel> Models => Set<StoredModel>();
    public DbSet<StoredDataset> Datasets => Set<StoredDataset>();
    public DbSet<IdempotentRequest> IdempotentRequests => Set<IdempotentRequest>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<TrainingJob>(job =>
        {
            job.HasKey(j => j.Id);
            job.Property(j => j.Status).HasConversion<string>().HasMaxLength(16);
            job.HasIndex(j => new { j.Status, j.CreatedAt });
        });
        model.Entity<EpochMetric>(metric =>
        {
            // One row per job and epoch: a resumed job cannot write an epoch twice.
            metric.HasKey(m => new { m.JobId, m.Epoch });
            metric.HasOne<TrainingJob>().WithMany().HasForeignKey(m => m.JobId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<StoredModel>(m =>
        {
            m.ToTable("Models");
            m.HasKey(x => x.Id);
            m.HasIndex(x => x.CreatedAt);
        });
        model.Entity<StoredDataset>(d =>
        {
            d.ToTable("Datasets");
            d.HasKey(x => x.Id);
        });
        model.Entity<IdempotentRequest>(r =>
        {
            r.HasKey(x => new { x.Caller, x.Key });
            r.Property(x => x.Key).HasMaxLength(IdempotentRequest.MaxKeyLength);
            r.HasIndex(x => x.CreatedAt); // expiry
        });
    }
}
