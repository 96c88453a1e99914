// The RateLimits configuration section: per API key, or per client address without one. 0 = off.
namespace LstmService.Api.Security;

internal sealed class RateLimits
{
    /// <summary>Predict and forecast calls per second, sustained.</summary>
    public int PredictPerSecond { get; set; } = 100;

    /// <summary>Predict and forecast calls allowed at once after a quiet spell.</summary>
    public int PredictBurst { get; set; } = 200;

    /// <summary>Jobs, dataset uploads and model imports per minute, sustained (one bucket for the three).</summary>
    public int JobsPerMinute { get; set; } = 60;

    /// <summary>Jobs, dataset uploads and model imports allowed at once after a quiet spell.</summary>
    public int JobsBurst { get; set; } = 30;
}
