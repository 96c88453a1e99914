// Models stay loaded after their first use, so a prediction reads no weights from the database.
// Bounded in bytes (Limits:MaxCachedModelBytes) and in count (Limits:MaxCachedModels), least
// recently used out first, and told when a model is deleted, so a load that raced the delete
// cannot bring it back.
using LstmService.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace LstmService.Api.Models;

internal sealed class ModelCache(IOptions<ServiceLimits> limits) : IDisposable
{
    private static readonly object Deleted = new();
    // Sizes are bytes; each model counts at least its share of the budget, so the count holds too.
    private readonly long _budget = Math.Max(1, limits.Value.MaxCachedModelBytes);
    private readonly long _share = Math.Max(1, limits.Value.MaxCachedModelBytes / Math.Max(1, limits.Value.MaxCachedModels));
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, limits.Value.MaxCachedModelBytes) });
    private readonly Lock _gate = new();

    /// <summary>The model, loaded from <paramref name="db"/> on first use; null when there is no such model.</summary>
    public async Task<LoadedModel?> GetAsync(string id, LstmDbContext db, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(id, out object? entry)) return entry as LoadedModel;
        var stored = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (stored is null) return null;
        var model = LoadedModel.Load(stored);
        lock (_gate)
        {
            if (_cache.TryGetValue(id, out entry)) return entry as LoadedModel; // loaded meanwhile, or deleted
            // A loaded network holds its weights and their gradients: twice the stored file. A model
            // larger than the whole budget is not kept, and is read again for each prediction.
            long bytes = Math.Max(_share, 2L * stored.File.Length);
            if (bytes <= _budget) _cache.Set(id, model, new MemoryCacheEntryOptions { Size = bytes, SlidingExpiration = TimeSpan.FromHours(1) });
        }
        return model;
    }

    /// <summary>Forgets the model and remembers for a while that it is gone (ids are never reused).</summary>
    public void Remove(string id)
    {
        lock (_gate)
            _cache.Set(id, Deleted, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(10) });
    }

    public void Dispose() => _cache.Dispose();
}
