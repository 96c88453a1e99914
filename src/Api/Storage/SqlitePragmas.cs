// Per-connection SQLite settings, applied as each pooled connection opens.
// - busy_timeout: a statement that meets a lock waits for it inside SQLite, in steps of a few
//   milliseconds. Without it, Microsoft.Data.Sqlite retries after a fixed Thread.Sleep(150), so
//   any contention cost at least 150 ms.
// - synchronous=NORMAL is SQLite's recommendation with WAL: a commit no longer waits for the disk
//   (fsync happens at checkpoints), and the database stays consistent through a crash of the
//   process; only a power loss or OS crash can drop the last commits.
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LstmService.Api.Storage;

internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
