// Every log line the service writes, at every level, whatever the appsettings filter, for tests
// that check what is logged (and what never is).
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace LstmService.Api.Tests;

internal sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Message)> _lines = new();

    public IReadOnlyCollection<(LogLevel Level, string Category, string Message)> Lines => _lines;

    /// <summary>The application with this capture added to its logging.</summary>
    public WebApplicationFactory<Program> Attach(LstmApplication app) =>
        app.WithWebHostBuilder(b => b.ConfigureLogging(logging => logging.AddProvider(this).AddFilter<LogCapture>(null, LogLevel.Trace)));

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<(LogLevel, string, string)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((logLevel, category, formatter(state, exception) + (exception is null ? "" : " " + exception)));
    }
}
