// Checks on client-sent sequences: shape and size first (any upload), then whether they fit a
// model (targets where its outputs are, labels for classification). Errors name the JSON path.
using LstmService.Api.Infrastructure;
using LstmService.Engine;

namespace LstmService.Api.Jobs;

internal static class SequenceChecks
{
    /// <summary>Non-empty, within limits, rectangular: every input row X wide, every target row Y wide.</summary>
    public static void CheckShapes(IReadOnlyList<SequenceData>? sequences, string path, ServiceLimits limits, ValidationErrors errors)
    {
        if (sequences is null || sequences.Count == 0) { errors.Add(path, "At least one sequence is required."); return; }
        if (!errors.Require(sequences.Count <= limits.MaxSequences, path, $"At most {limits.MaxSequences} sequences are allowed; got {sequences.Count}.")) return;
        int? inputWidth = null, targetWidth = null;
        for (int n = 0; n < sequences.Count && !errors.IsFull; n++)
        {
            var s = sequences[n];
            string at = $"{path}[{n}]";
            if (s is null || s.Inputs is null || s.Inputs.Length == 0) { errors.Add($"{at}.inputs", "A sequence needs at least one step of inputs."); continue; }
            if (!errors.Require(s.Inputs.Length <= limits.MaxSequenceLength, $"{at}.inputs", $"At most {limits.MaxSequenceLength} steps are allowed; got {s.Inputs.Length}.")) continue;
            CheckRows(s.Inputs, $"{at}.inputs", ref inputWidth, limits.MaxInputSize, errors);
            if (s.Targets is not null)
            {
                if (s.Targets.Length != s.Inputs.Length)
                    errors.Add($"{at}.targets", $"There must be one target row per step ({s.Inputs.Length}); got {s.Targets.Length}.");
                CheckRows(s.Targets, $"{at}.targets", ref targetWidth, limits.MaxOutputSize, errors);
            }
            if (s.Target is not null) CheckRows([s.Target], $"{at}.target", ref targetWidth, limits.MaxOutputSize, errors);
            if (s.Label is not null && (s.Label.Length == 0 || s.Label.Length > 200))
                errors.Add($"{at}.label", "A label must be 1 to 200 characters.");
        }
    }

    /// <summary>Every sequence carries what the model's output needs: targets per step, a target after the last step, or a label.</summary>
    public static void CheckFitsModel(IReadOnlyList<SequenceData> sequences, string path, OutputSteps steps, LossName loss, ValidationErrors errors)
    {
        for (int n = 0; n < sequences.Count && !errors.IsFull; n++)
        {
            var s = sequences[n];
            string at = $"{path}[{n}]";
            if (loss == LossName.CrossEntropy)
                errors.Require(s.Label is not null, $"{at}.label", "Cross-entropy needs a class label for every sequence.");
            else if (steps == OutputSteps.All)
                errors.Require(s.Targets is not null, $"{at}.targets", "Outputs on every step (output.steps = all) need targets, one row per step.");
            else
                errors.Require(s.Target is not null, $"{at}.target", "An output after the last step (output.steps = last) needs a target.");
        }
    }

    private static void CheckRows(double[][] rows, string path, ref int? width, int maxWidth, ValidationErrors errors)
    {
        for (int t = 0; t < rows.Length; t++)
        {
            var row = rows[t];
            string at = rows.Length == 1 && path.EndsWith(".target") ? path : $"{path}[{t}]";
            if (row is null || row.Length == 0) { errors.Add(at, "A row needs at least one value."); return; }
            width ??= row.Length;
            if (row.Length != width) { errors.Add(at, $"Every row must have {width} values, as the first one does; this one has {row.Length}."); return; }
            if (!errors.Require(row.Length <= maxWidth, at, $"At most {maxWidth} values per row are allowed.")) return;
            foreach (double v in row)
                if (!double.IsFinite(v)) { errors.Add(at, "Values must be finite numbers."); return; }
        }
    }
}
