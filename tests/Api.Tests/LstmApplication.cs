// The service under test: the real Program on a real SQLite file of its own, deleted afterwards.
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace LstmService.Api.Tests;

public sealed class LstmApplication : WebApplicationFactory<Program>
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lstm-tests", Guid.NewGuid().ToString("N"));

    public LstmApplication(Dictionary<string, string?>? settings = null, string? folder = null)
    {
        if (folder is not null) _folder = folder;
        Settings = settings ?? [];
    }

    public Dictionary<string, string?> Settings { get; }
    public string DataFolder => _folder;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Storage:DataFolder", _folder);
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        SqliteConnection.ClearAllPools();
        if (Settings.GetValueOrDefault("KeepData") is null)
            try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
