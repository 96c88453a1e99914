// Models stay loaded after their first use, so a prediction reads no weights from the database.
// Bounded (Limits:MaxCachedModels, least recently used out first) and emptied of a model when it
// is deleted.
using LstmService.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace LstmService.Api.Models;

internal sealed class ModelCache(IOptions<ServiceLimits> limits) : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, limits.Value.MaxCachedModels) });

    /// <summary>The model, loaded from <paramref name="db"/> on first use; null when there is no such model.</summary>
    public async Task<LoadedModel?> GetAsync(string id, LstmDbContext db, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(id, out LoadedModel? model)) return model;
        var stored = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (stored is null) return null;
        model = LoadedModel.Load(stored);
        _cache.Set(id, model, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromHours(1) });
        return model;
    }

    public void Remove(string id) => _cache.Remove(id);

    public void Dispose() => _cache.Dispose();
}
