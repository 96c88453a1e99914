// Models stay loaded after their first use, so a prediction reads no weights from the database.
// Bounded in bytes (Limits:MaxCachedModelBytes) and in count (Limits:MaxCachedModels): a model
// that does not fit evicts the least recently used ones until it does. Told when a model is
// deleted, so a load that raced the delete cannot bring it back.
using LstmService.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LstmService.Api.Models;

internal sealed class ModelCache(IOptions<ServiceLimits> limits, IOptions<ServingOptions> serving, TimeProvider clock, Training.TrainingCompute training)
{
    // How long a deleted id answers "no such model" from here, longer than any load takes.
    private static readonly TimeSpan DeletedFor = TimeSpan.FromMinutes(10);

    private readonly Lock _gate = new();
    private readonly long _budget = Math.Max(1, limits.Value.MaxCachedModelBytes);
    // Each model counts at least its share of the budget, so the count limit holds too.
    private readonly long _share = Math.Max(1, limits.Value.MaxCachedModelBytes / Math.Max(1, limits.Value.MaxCachedModels));
    private readonly Dictionary<string, LinkedListNode<Cached>> _models = [];
    private readonly LinkedList<Cached> _recency = []; // most recently used first
    private readonly Dictionary<string, DateTimeOffset> _deleted = []; // id → until when
    private long _bytes;

    /// <summary>The model, loaded from <paramref name="db"/> on first use; null when there is no such model.</summary>
    public async Task<LoadedModel?> GetAsync(string id, LstmDbContext db, CancellationToken cancellationToken)
    {
        lock (_gate)
            if (TryGet(id, out var cached)) return cached;
        var stored = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (stored is null) return null;
        var model = LoadedModel.Load(stored, serving.Value, training);
        // A loaded network holds its weights and their gradients: twice the stored file. A model
        // larger than the whole budget is not kept, and is read again for each prediction.
        long bytes = Math.Max(_share, 2L * stored.File.Length);
        lock (_gate)
        {
            if (TryGet(id, out var cached)) return cached; // loaded meanwhile, or deleted
            if (bytes > _budget) return model;
            while (_bytes + bytes > _budget) Evict(_recency.Last!.Value.Id);
            _models[id] = _recency.AddFirst(new Cached(id, model, bytes));
            _bytes += bytes;
        }
        return model;
    }

    /// <summary>Forgets the model and remembers for a while that it is gone (ids are never reused).</summary>
    public void Remove(string id)
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            Evict(id);
            foreach (var expired in _deleted.Where(d => d.Value <= now).Select(d => d.Key).ToList()) _deleted.Remove(expired);
            _deleted[id] = now + DeletedFor;
        }
    }

    // Under _gate. True with the model when it is loaded, true with null when it was deleted.
    private bool TryGet(string id, out LoadedModel? model)
    {
        model = null;
        if (_deleted.TryGetValue(id, out var until) && until > clock.GetUtcNow()) return true;
        if (!_models.TryGetValue(id, out var node)) return false;
        _recency.Remove(node);
        _recency.AddFirst(node);
        model = node.Value.Model;
        return true;
    }

    private void Evict(string id)
    {
        if (!_models.Remove(id, out var node)) return;
        _recency.Remove(node);
        _bytes -= node.Value.Bytes;
    }

    private sealed record Cached(string Id, LoadedModel Model, long Bytes);
}
