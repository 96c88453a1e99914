// Every field of a job request against the service's limits, with the JSON path of each bad one.
// What needs the database (the dataset, the initial model) is checked by the endpoint after this.
using LstmService.Api.Infrastructure;
using LstmService.Api.Training;
using LstmService.Engine;

namespace LstmService.Api.Jobs;

internal static class JobValidator
{
    public static ValidationErrors Validate(JobRequest request, ServiceLimits limits)
    {
        var errors = new ValidationErrors();
        errors.Require(request.Name is null || request.Name.Length <= 200, "name", "A name is at most 200 characters.");
        bool hasData = request.Data is not null, hasDataset = !string.IsNullOrEmpty(request.DatasetId);
        errors.Require(hasData != hasDataset, hasData ? "datasetId" : "data", "Give exactly one of data (inline sequences) and datasetId.");

        var model = request.Model ?? new ModelRequest();
        errors.Require(model.HiddenSize is null || (model.HiddenSize >= 1 && model.HiddenSize <= limits.MaxHiddenSize), "model.hiddenSize", $"Must be between 1 and {limits.MaxHiddenSize}.");
        errors.Require(model.Layers >= 1 && model.Layers <= limits.MaxLayers, "model.layers", $"Must be between 1 and {limits.MaxLayers}.");
        errors.Require(model.Dropout >= 0 && model.Dropout < 1, "model.dropout", "Must be in [0, 1).");
        var output = model.Output ?? new OutputRequest();
        errors.Require(output.Size >= 1 && output.Size <= limits.MaxOutputSize, "model.output.size", $"Must be between 1 and {limits.MaxOutputSize}.");
        if (output.Kind == OutputKind.Hidden)
            errors.Require(output.Size <= (model.HiddenSize ?? TrainingDefaults.HiddenSize), "model.output.size", "A hidden-unit readout cannot have more outputs than hidden units.");
        if (model.Loss == LossName.CrossEntropy)
            errors.Require(output.Steps == OutputSteps.Last, "model.output.steps", "Classification gives one label per sequence: use steps = last.");

        var training = request.Training ?? new TrainingRequest();
        errors.Require(training.Epochs is null || (training.Epochs >= 1 && training.Epochs <= limits.MaxEpochs), "training.epochs", $"Must be between 1 and {limits.MaxEpochs}.");
        errors.Require(training.BatchSize >= 1 && training.BatchSize <= limits.MaxBatchSize, "training.batchSize", $"Must be between 1 and {limits.MaxBatchSize}.");
        errors.Require(training.LearningRate is null || (training.LearningRate > 0 && training.LearningRate <= 10), "training.learningRate", "Must be in (0, 10].");
        errors.Require(training.Momentum >= 0 && training.Momentum < 1, "training.momentum", "Must be in [0, 1).");
        errors.Require(training.ClipNorm is null || training.ClipNorm > 0, "training.clipNorm", "Must be positive, or null for no clipping.");
        errors.Require(training.ValidationFraction >= 0 && training.ValidationFraction <= 0.5, "training.validationFraction", "Must be in [0, 0.5].");
        errors.Require(training.EarlyStoppingPatience is null or >= 0, "training.earlyStoppingPatience", "Must be 0 (no early stopping) or more.");
        errors.Require(training.Window is null || (training.Window >= 1 && training.Window <= limits.MaxSequenceLength), "training.window", $"Must be between 1 and {limits.MaxSequenceLength}.");
        errors.Require(training.Horizon is null || (training.Horizon >= 1 && training.Horizon <= limits.MaxOutputSize), "training.horizon", $"Must be between 1 and {limits.MaxOutputSize}.");
        errors.Require(training.TestFraction is null || (training.TestFraction >= 0 && training.TestFraction <= 0.5), "training.testFraction", "Must be in [0, 0.5].");
        errors.Require(training.SeasonLength is null || (training.SeasonLength >= 1 && training.SeasonLength <= limits.MaxSequenceLength), "training.seasonLength", $"Must be between 1 and {limits.MaxSequenceLength}.");
        errors.Require(Enum.IsDefined(training.Missing), "training.missing", "Must be interpolate, forwardFill or error.");
        errors.Require(training.Scaling is null || Enum.IsDefined(training.Scaling.Value), "training.scaling", "Must be window or zscore.");
        if (training.Targets is { } targets)
            errors.Require(targets.Count is >= 1 and <= 1024 && targets.All(t => t is { Length: > 0 and <= 200 }) && targets.Distinct().Count() == targets.Count,
                "training.targets", "Name 1 to 1024 different columns of the dataset.");
        if (training.FrozenParameters is { } frozen)
            errors.Require(frozen.Count <= 4 * limits.MaxLayers + 2 && frozen.All(n => n is { Length: > 0 and <= 64 }), "training.frozenParameters", "Name parameters such as lstm.bias_hh_l0.");

        if (request.Data is { } data)
        {
            SequenceChecks.CheckShapes(data.Sequences, "data.sequences", limits, errors);
            if (errors.IsEmpty) SequenceChecks.CheckFitsModel(data.Sequences!, "data.sequences", output.Steps, model.Loss, errors);
            if (errors.IsEmpty && model.Loss == LossName.Mse)
            {
                var first = data.Sequences![0];
                int width = (first.Targets?[0] ?? first.Target)!.Length;
                errors.Require(width == output.Size, "model.output.size", $"The targets have {width} values per row; set output.size to {width}.");
            }
        }
        return errors;
    }
}
