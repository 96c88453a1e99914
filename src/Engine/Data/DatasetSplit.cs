// Random train/validation split, reproducible from the caller's seed so a run can be repeated
// (and resumed) with exactly the same validation set.
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
}
