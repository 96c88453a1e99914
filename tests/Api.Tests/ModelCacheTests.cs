// The loaded-model cache is bounded in bytes: a model that fits stays loaded, one larger than the
// whole budget is read again for each use rather than held, and a model that does not fit
// evicts the least recently used.
using LstmService.Api.Models;
using LstmService.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LstmService.Api.Tests;

public class ModelCacheTests
{
    [Theory]
    [InlineData(1L << 30, true)]
    [InlineData(1024L, false)] // the small test model's weights alone are larger than this
    public async Task A_model_stays_loaded_only_if_it_fits_the_byte_budget(long budget, bool kept)
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var job = await client.WaitAsync((await client.PostJobAsync(TestRequests.SmallJob(TestRequests.SineSequences(8, 5)))).Id);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<LstmDbContext>>().CreateDbContextAsync();

        var cache = new ModelCache(Options.Create(new ServiceLimits { MaxCachedModelBytes = budget }), Options.Create(new ServingOptions()), TimeProvider.System, new Training.TrainingCompute());
        var first = await cache.GetAsync(job.ModelId!, db, CancellationToken.None);
        var second = await cache.GetAsync(job.ModelId!, db, CancellationToken.None);

        Assert.NotNull(first);
        Assert.Equal(kept, ReferenceEquals(first, second));
    }

    [Fact]
    public async Task A_model_that_does_not_fit_evicts_the_least_recently_used()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var ids = new List<string>();
        for (int i = 0; i < 3; i++)
            ids.Add((await client.WaitAsync((await client.PostJobAsync(TestRequests.SmallJob(TestRequests.SineSequences(8, 5, seed: i)))).Id)).ModelId!);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<LstmDbContext>>().CreateDbContextAsync();
        // Room for two: each model counts half the budget.
        var cache = new ModelCache(Options.Create(new ServiceLimits { MaxCachedModelBytes = 1 << 20, MaxCachedModels = 2 }), Options.Create(new ServingOptions()), TimeProvider.System, new Training.TrainingCompute());
        Task<LoadedModel?> Get(string id) => cache.GetAsync(id, db, CancellationToken.None);

        var a = await Get(ids[0]);
        var b = await Get(ids[1]);
        Assert.Same(a, await Get(ids[0])); // a is now the more recently used
        await Get(ids[2]);                 // evicts b

        Assert.Same(a, await Get(ids[0]));
        Assert.NotSame(b, await Get(ids[1]));
    }

    [Fact]
    public async Task A_deleted_model_is_not_served_from_the_cache()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var job = await client.WaitAsync((await client.PostJobAsync(TestRequests.SmallJob(TestRequests.SineSequences(8, 5)))).Id);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<LstmDbContext>>().CreateDbContextAsync();
        var cache = new ModelCache(Options.Create(new ServiceLimits()), Options.Create(new ServingOptions()), TimeProvider.System, new Training.TrainingCompute());

        Assert.NotNull(await cache.GetAsync(job.ModelId!, db, CancellationToken.None));
        cache.Remove(job.ModelId!);
        Assert.Null(await cache.GetAsync(job.ModelId!, db, CancellationToken.None)); // the row is still there; the cache says it is gone
    }
}
