namespace LstmService.Persistence;

/// <summary>A training job's life: queued → running → succeeded | failed | cancelled (running → queued again on a graceful stop).</summary>
public enum JobStatus { Queued, Running, Succeeded, Failed, Cancelled }
