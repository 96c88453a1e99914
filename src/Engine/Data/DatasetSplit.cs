// Random train/validation split, reproducible from the caller's seed so a run can be repeated
// (and resumed) with exactly the same validation set; and the stratified split that holds out
// a classifier's test part with every class in its share.
using LstmService.Engine.Training;

namespace LstmService.Engine.Data;

public static class DatasetSplit
{
    /// <summary>
    /// Validation gets round(fraction·n) sequences (halves round up), but at least 1 when
    /// fraction &gt; 0 and n ≥ 2, and training always keeps at least 1. Which ones is decided by a
    /// shuffle with <c>new Rng(seed)</c>; each part keeps the original order. Sequences are shared, not copied.
    /// Note that overlapping sliding windows split this way share rows between the two parts.
    /// </summary>
    public static (IReadOnlyList<Sequence> Train, IReadOnlyList<Sequence> Validation) Split(
        IReadOnlyList<Sequence> sequences, double validationFraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (!(validationFraction >= 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be in [0, 1).");
        int n = sequences.Count;
        if (n == 0) throw new ArgumentException("There are no sequences to split.", nameof(sequences));

        int validation = (int)Math.Round(validationFraction * n, MidpointRounding.AwayFromZero);
        if (validationFraction > 0) validation = Math.Max(validation, 1);
        validation = Math.Min(validation, n - 1);

        var order = Enumerable.Range(0, n).ToArray();
        new Rng(seed).Shuffle(order.AsSpan());
        var validationIndices = order[..validation];
        var trainIndices = order[validation..];
        // Sorted, so each part lists its sequences in the caller's order whatever the shuffle did.
        Array.Sort(validationIndices);
        Array.Sort(trainIndices);
        return (trainIndices.Select(i => sequences[i]).ToArray(), validationIndices.Select(i => sequences[i]).ToArray());
    }

    /// <summary>
    /// Of each class (by <paramref name="labels"/>, parallel to <paramref name="sequences"/>),
    /// round(fraction·count) sequences go to the held-out part, chosen by a shuffle with
    /// <c>new Rng(seed)</c>; a class keeps at least one sequence outside it. Each part keeps
    /// the original order; sequences are shared, not copied.
    /// </summary>
    public static (IReadOnlyList<Sequence> Kept, IReadOnlyList<Sequence> HeldOut) Stratified(
        IReadOnlyList<Sequence> sequences, IReadOnlyList<int> labels, double fraction, ulong seed)
    {
        if (!(fraction >= 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The fraction must be in [0, 1).");
        if (labels.Count != sequences.Count) throw new ArgumentException("Every sequence needs a label.", nameof(labels));
        var rng = new Rng(seed);
        var heldOut = new List<int>();
        foreach (var members in Enumerable.Range(0, sequences.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var order = members.ToArray();
            rng.Shuffle(order.AsSpan());
            int take = Math.Min(order.Length - 1, (int)Math.Round(fraction * order.Length, MidpointRounding.AwayFromZero));
            heldOut.AddRange(order[..take]);
        }
        var isHeldOut = heldOut.ToHashSet();
        return ([.. Enumerable.Range(0, sequences.Count).Where(i => !isHeldOut.Contains(i)).Select(i => sequences[i])],
                [.. heldOut.Order().Select(i => sequences[i])]);
    }
}
