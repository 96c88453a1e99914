// How well a classifier labels sequences it never saw: accuracy, precision, recall and F1 per
// class, and the confusion matrix they come from.
namespace LstmService.Engine.Evaluation;

/// <summary>
/// <see cref="Confusion"/>[actual][predicted] counts; per class, precision (of the predictions of
/// it, the share that were right), recall (of its sequences, the share found) and their harmonic
/// mean F1, each null when its denominator is 0.
/// </summary>
public sealed record ClassificationMetrics(int Sequences, double Accuracy, ClassScores[] PerClass, int[][] Confusion)
{
    public static ClassificationMetrics Compute(int[] actual, int[] predicted, int classes)
    {
        if (actual.Length == 0 || actual.Length != predicted.Length)
            throw new ArgumentException($"Need as many predictions as labels, at least one; got {predicted.Length} and {actual.Length}.", nameof(predicted));
        var confusion = Enumerable.Range(0, classes).Select(_ => new int[classes]).ToArray();
        for (int i = 0; i < actual.Length; i++) confusion[actual[i]][predicted[i]]++;
        var perClass = Enumerable.Range(0, classes).Select(c =>
        {
            int right = confusion[c][c], predictedAs = confusion.Sum(row => row[c]), truly = confusion[c].Sum();
            double? precision = predictedAs == 0 ? null : (double)right / predictedAs;
            double? recall = truly == 0 ? null : (double)right / truly;
            double? f1 = precision is { } p && recall is { } r ? (p + r == 0 ? 0 : 2 * p * r / (p + r)) : null;
            return new ClassScores(precision, recall, f1, truly);
        }).ToArray();
        return new ClassificationMetrics(actual.Length, (double)Enumerable.Range(0, classes).Sum(c => confusion[c][c]) / actual.Length, perClass, confusion);
    }
}

/// <summary>One class's scores and how many held-out sequences it had (<see cref="Support"/>).</summary>
public sealed record ClassScores(double? Precision, double? Recall, double? F1, int Support);
