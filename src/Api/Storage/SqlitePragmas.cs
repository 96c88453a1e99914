// Per-connection SQLite settings, applied as each pooled connection opens. synchronous=NORMAL is
// SQLite's recommendation with WAL: a commit no longer waits for the disk (fsync happens at
// checkpoints), and the database stays consistent through a crash of the process; only a power
// loss or OS crash can drop the last commits.
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LstmService.Api.Storage;

internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=NORMAL;";

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
