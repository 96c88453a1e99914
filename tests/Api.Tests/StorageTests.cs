// How the service opens its database: WAL, and on every pooled connection a busy timeout inside
// SQLite and synchronous=NORMAL.
using LstmService.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LstmService.Api.Tests;

public class StorageTests
{
    [Fact]
    public async Task Every_connection_runs_in_WAL_mode_with_a_busy_timeout_and_synchronous_NORMAL()
    {
        using var app = new LstmApplication();
        app.CreateClient(); // starts the host, which migrates and switches to WAL
        var factory = app.Services.GetRequiredService<IDbContextFactory<LstmDbContext>>();
        for (int i = 0; i < 3; i++)
        {
            await using var db = await factory.CreateDbContextAsync();
            Assert.Equal(["wal"], await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToListAsync());
            Assert.Equal([1L], await db.Database.SqlQueryRaw<long>("PRAGMA synchronous").ToListAsync()); // 1 = NORMAL (2 = FULL, the default)
            Assert.Equal([30000L], await db.Database.SqlQueryRaw<long>("PRAGMA busy_timeout").ToListAsync());
        }
    }
}
