// The loaded-model cache is bounded in bytes: a model that fits stays loaded, one larger than the
// whole budget is read again for each use rather than held.
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

        using var cache = new ModelCache(Options.Create(new ServiceLimits { MaxCachedModelBytes = budget }));
        var first = await cache.GetAsync(job.ModelId!, db, CancellationToken.None);
        var second = await cache.GetAsync(job.ModelId!, db, CancellationToken.None);

        Assert.NotNull(first);
        Assert.Equal(kept, ReferenceEquals(first, second));
    }
}
