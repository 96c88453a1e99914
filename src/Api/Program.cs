// LstmService: trains LSTM sequence models from queued jobs and serves their predictions.
// The table of contents: storage, the training queue and its worker, the HTTP surface.
using LstmService.Api;
using LstmService.Api.Datasets;
using LstmService.Api.Infrastructure;
using LstmService.Api.Jobs;
using LstmService.Api.Models;
using LstmService.Api.Security;
using LstmService.Api.Storage;
using LstmService.Api.Training;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

// appsettings.json is found beside the program, whatever folder it is started from (a systemd
// unit's WorkingDirectory, say); a relative Storage:DataFolder stays relative to that folder.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.Services.AddStorage(builder.Configuration);
builder.Services.AddTrainingQueue(builder.Configuration);
builder.Services.AddModelServing(builder.Configuration);
builder.Services.AddApiConventions(builder.Configuration);
builder.Services.AddApiKeys(builder.Configuration);
builder.Services.AddRateLimits(builder.Configuration);

var app = builder.Build();

await app.MigrateDatabaseAsync();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseResponseCompression();
app.UseCors();
app.UseRequestSizeLimit();
app.UseApiKeys();
app.UseRateLimits();
app.UseStrictBodies();
app.UseIdempotencyKeys();
app.MapOpenApi();
app.UseSwaggerUI(ui =>
{
    ui.SwaggerEndpoint("/openapi/v1.json", "LstmService v1");
    ui.RoutePrefix = "swagger";
});
app.MapGet("/", () => TypedResults.Redirect("/swagger")).ExcludeFromDescription();
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready");

app.MapJobs();
app.MapModels();
app.MapDatasets();
app.MapBackups();

app.Run();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
