// Where the data lives and how the database is opened: SQLite in the data folder (./data by
// default) in WAL mode with a busy timeout, migrated at start-up.
using LstmService.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace LstmService.Api.Storage;

public static class StorageSetup
{
    /// <summary>
    /// Registers the context factory. The connection string is ConnectionStrings:Lstm when set,
    /// else a file lstm.db in Storage:DataFolder (created if missing).
    /// </summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        string connectionString = configuration.GetConnectionString("Lstm") ?? DefaultConnectionString(configuration);
        // DefaultTimeout bounds Microsoft.Data.Sqlite's own retries of a locked statement (30 s); SqlitePragmas
        // sets SQLite's busy timeout to the same, so a statement waits for a lock instead of failing.
        var builder = new SqliteConnectionStringBuilder(connectionString) { DefaultTimeout = 30, Pooling = true };
        services.AddDbContextFactory<LstmDbContext>(options => options.UseSqlite(builder.ConnectionString).AddInterceptors(new SqlitePragmas()));
        return services;
    }

    /// <summary>Applies pending migrations and switches the file to WAL, before the service takes requests.</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        var factory = app.Services.GetRequiredService<IDbContextFactory<LstmDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        await db.Database.MigrateAsync();
        // WAL lets readers go on while the worker writes; the mode is stored in the file.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }

    private static string DefaultConnectionString(IConfiguration configuration)
    {
        string folder = Path.GetFullPath(configuration["Storage:DataFolder"] ?? "data");
        Directory.CreateDirectory(folder);
        return $"Data Source={Path.Combine(folder, "lstm.db")}";
    }
}
