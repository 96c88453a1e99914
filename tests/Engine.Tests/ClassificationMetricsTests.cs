// A classifier's scores against counts worked by hand, and the stratified hold-out.
using LstmService.Engine.Data;
using LstmService.Engine.Evaluation;

namespace LstmService.Engine.Tests;

public class ClassificationMetricsTests
{
    [Fact]
    public void Accuracy_precision_recall_and_f1_follow_from_the_confusion_matrix()
    {
        int[] actual = [0, 0, 0, 1, 1, 2, 2, 2, 2];
        int[] predicted = [0, 0, 1, 1, 2, 2, 2, 2, 0];
        var m = ClassificationMetrics.Compute(actual, predicted, classes: 4);
        Assert.Equal([[2, 1, 0, 0], [0, 1, 1, 0], [1, 0, 3, 0], [0, 0, 0, 0]], m.Confusion);
        Assert.Equal(6 / 9.0, m.Accuracy, 12);
        // Class 0: predicted 3 times (2 right), 3 members (2 found).
        Assert.Equal((2 / 3.0, 2 / 3.0, 2 / 3.0, 3), (m.PerClass[0].Precision!.Value, m.PerClass[0].Recall!.Value, m.PerClass[0].F1!.Value, m.PerClass[0].Support));
        // Class 2: predicted 4 times (3 right), 4 members (3 found).
        Assert.Equal(0.75, m.PerClass[2].Precision);
        Assert.Equal(0.75, m.PerClass[2].Recall);
        // Class 1: precision 1/2, recall 1/2. Class 3 never occurs nor is predicted: no scores.
        Assert.Equal(0.5, m.PerClass[1].F1);
        Assert.Equal((null, null, null, 0), (m.PerClass[3].Precision, m.PerClass[3].Recall, m.PerClass[3].F1, m.PerClass[3].Support));
    }

    [Fact]
    public void The_stratified_hold_out_takes_each_class_in_its_share_and_keeps_one_of_each()
    {
        int[] labels = [.. Enumerable.Repeat(0, 30), .. Enumerable.Repeat(1, 10), 2];
        var sequences = labels.Select((l, i) => new Sequence([[i]], Labels: [l])).ToArray();
        var (kept, heldOut) = DatasetSplit.Stratified(sequences, labels, 0.2, seed: 3);
        Assert.Equal((6, 2, 0), (heldOut.Count(s => s.Labels![0] == 0), heldOut.Count(s => s.Labels![0] == 1), heldOut.Count(s => s.Labels![0] == 2)));
        Assert.Equal(sequences.Length, kept.Count + heldOut.Count);
        Assert.Empty(kept.Intersect(heldOut));
        Assert.Equal(heldOut.OrderBy(s => s.Inputs[0][0]), heldOut); // in the caller's order
        Assert.Equal(heldOut, DatasetSplit.Stratified(sequences, labels, 0.2, seed: 3).HeldOut); // the seed decides
    }
}
