// /api/backups: a consistent copy of the database, taken while the service runs, for an operator
// to copy off the volume. SQLite's VACUUM INTO reads one snapshot of what is committed; in WAL
// mode the worker and other requests go on writing beside it.
using LstmService.Api.Security;
using LstmService.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LstmService.Api.Storage;

public static class BackupsApi
{
    public static RouteGroupBuilder MapBackups(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/backups").WithTags("Backups").RequireApiKey();
        group.MapPost("/", CreateBackup);
        return group;
    }

    /// <summary>Writes a new backup file into Storage:BackupFolder (the data folder's <c>backups</c> by default). Admin only.</summary>
    internal static async Task<Created<BackupView>> CreateBackup(LstmDbContext db, IConfiguration configuration, TimeProvider clock, CancellationToken cancellationToken)
    {
        string folder = Path.GetFullPath(configuration["Storage:BackupFolder"] ?? Path.Combine(configuration["Storage:DataFolder"] ?? "data", "backups"));
        Directory.CreateDirectory(folder);
        var now = clock.GetUtcNow().UtcDateTime;
        // The time sorts the files; the random part keeps two backups in the same second apart.
        string file = Path.Combine(folder, $"lstm-{now:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..8]}.db");
        await db.Database.ExecuteSqlAsync($"VACUUM INTO {file}", cancellationToken);
        return TypedResults.Created((string?)null, new BackupView(file, new FileInfo(file).Length, now));
    }
}

/// <summary>A backup written by the service: where (a path inside the service's file system), how big, when.</summary>
public sealed record BackupView(string File, long Bytes, DateTime CreatedAt);
