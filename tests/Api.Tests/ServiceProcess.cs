// The published service as a child process on a loopback port, for what an in-process host
// cannot show: a process killed outright (SIGKILL) or asked to stop (SIGTERM), as a container would be.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace LstmService.Api.Tests;

internal sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly SemaphoreSlim PublishLock = new(1, 1);
    private static string? _published;
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly Uri _address;
    private readonly List<HttpClient> _clients = [];

    private ServiceProcess(Process process, Uri address)
    {
        _process = process;
        _address = address;
        Client = CreateClient();
    }

    /// <summary>A client without an API key.</summary>
    public ServiceClient Client { get; }

    /// <summary>A client of its own (its own connections), sending <paramref name="apiKey"/> when given.</summary>
    public ServiceClient CreateClient(string? apiKey = null)
    {
        var http = new HttpClient { BaseAddress = _address, Timeout = TimeSpan.FromSeconds(60) };
        if (apiKey is not null) http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        lock (_clients) _clients.Add(http);
        return new ServiceClient(http);
    }

    /// <summary>Everything the process wrote to stdout and stderr so far, for a failing test's message.</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Starts the service on <paramref name="dataFolder"/> with <paramref name="settings"/> and waits until it is ready.</summary>
    public static async Task<ServiceProcess> StartAsync(string dataFolder, IReadOnlyDictionary<string, string> settings)
    {
        string folder = await PublishAsync();
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(folder, "LstmService.Api.dll"));
        foreach (var (key, value) in settings.Append(new("Storage:DataFolder", dataFolder)).Append(new("Urls", address.ToString())))
        {
            start.ArgumentList.Add($"--{key}");
            start.ArgumentList.Add(value);
        }
        var service = new ServiceProcess(Process.Start(start)!, address);
        service._process.OutputDataReceived += (_, e) => service.Append(e.Data);
        service._process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        service._process.BeginOutputReadLine();
        service._process.BeginErrorReadLine();
        await service.WaitUntilReadyAsync();
        return service;
    }

    /// <summary>SIGKILL: the process ends at once, in the middle of whatever it was doing.</summary>
    public async Task KillAsync()
    {
        _process.Kill(); // SIGKILL on Linux
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as `docker stop` sends; returns the exit code once the process has ended.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (SendSignal(_process.Id, SigTerm) != 0) throw new InvalidOperationException($"kill(SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        using var limit = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(limit.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) await KillAsync();
        _process.Dispose();
        foreach (var http in _clients) http.Dispose();
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The service exited with code {_process.ExitCode} while starting:\n{Log}");
            try
            {
                if ((await Client.Http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { } // not listening yet
            await Task.Delay(100);
        }
        throw new TimeoutException($"The service was not ready within 120 s:\n{Log}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    // `dotnet publish` of the project the tests reference, once per test run, from the build the tests already made.
    private static async Task<string> PublishAsync()
    {
        await PublishLock.WaitAsync();
        try
        {
            if (_published is not null) return _published;
            string root = RepositoryRoot();
            string output = Path.Combine(AppContext.BaseDirectory, "published-service");
#if DEBUG
            const string configuration = "Debug";
#else
            const string configuration = "Release";
#endif
            var publish = new ProcessStartInfo("dotnet", ["publish", Path.Combine(root, "src", "Api", "LstmService.Api.csproj"), "--no-build", "-c", configuration, "-o", output])
                { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(publish)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0) throw new InvalidOperationException($"dotnet publish failed:\n{await stdout}\n{await stderr}");
            return _published = output;
        }
        finally { PublishLock.Release(); }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LstmService.sln"))) return dir.FullName;
        throw new InvalidOperationException("The tests run outside the repository: LstmService.sln not found above " + AppContext.BaseDirectory);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private const int SigTerm = 15;

    // libc's kill(2): Process has no way to send SIGTERM, and a minimal machine may lack /bin/kill.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
