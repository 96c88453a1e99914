// From a job's request and its sequences to what the engine trains on: the model spec (sizes
// taken from the data), windows for a time series cut by time into training, validation and
// test parts, class indices for labels, the seeded validation split of sequences, and the
// normalizer fitted on the training part.
using LstmService.Api.Jobs;
using LstmService.Engine;
using LstmService.Engine.Data;
using LstmService.Engine.Forecasting;

namespace LstmService.Api.Training;

/// <summary>
/// What a job trains on. <see cref="Settings"/> are the request's training settings with every
/// default filled in; <see cref="Series"/> is set for a series job (what evaluation needs).
/// A classifier's held-out <see cref="Test"/> sequences stay in the caller's units (empty otherwise).
/// <see cref="WindowModel"/> surrounds the LSTM of a window-scaled series model (null otherwise).
/// </summary>
internal sealed record TrainingData(ModelSpec Spec, IReadOnlyList<Sequence> Train, IReadOnlyList<Sequence> Validation, Normalizer? Normalizer, string[]? Labels,
    TrainingRequest Settings, SeriesPlan? Series, WindowModel? WindowModel, IReadOnlyList<Sequence> Test)
{
    /// <summary>
    /// Throws <see cref="ArgumentException"/> (with ParamName a request field) when the data and
    /// the request do not fit together. <paramref name="series"/>: the data are a whole time
    /// series to be cut into windows (a CSV dataset); else <paramref name="sequences"/> are.
    /// </summary>
    public static TrainingData Build(JobRequest request, IReadOnlyList<SequenceData> sequences, SeriesSource? series, ServiceLimits limits)
    {
        var data = Prepare(request, sequences, series, limits);
        if (data.Normalizer is { } normalizer) data = data with { Train = normalizer.Apply(data.Train), Validation = normalizer.Apply(data.Validation) };
        if (request.Training.Precision == Precision.Float32)
            CheckFloat32Range([.. data.Train, .. data.Validation, .. Scored(data).Select(s => data.Normalizer?.Apply(s) ?? s)]);
        return data;
    }

    /// <summary>
    /// What <see cref="Build"/> checks, for a job's submission, without keeping a normalized copy
    /// of the data (one sequence at a time is normalized to check its range): the model spec and
    /// the settings with their defaults.
    /// </summary>
    public static (ModelSpec Spec, TrainingRequest Settings) Check(JobRequest request, IReadOnlyList<SequenceData> sequences, SeriesSource? series, ServiceLimits limits)
    {
        var data = Prepare(request, sequences, series, limits);
        if (request.Training.Precision == Precision.Float32)
            foreach (var sequence in data.Train.Concat(data.Validation).Concat(Scored(data)))
                CheckFloat32Range([data.Normalizer?.Apply(sequence) ?? sequence]);
        return (data.Spec, data.Settings);
    }

    // What the model reads when it is evaluated after training, so a value it cannot hold fails the
    // submission rather than the finished job: a classifier's test part, a z-scored series' every
    // row (every column is an input). Scaled windows are checked as they are made.
    private static IEnumerable<Sequence> Scored(TrainingData data) =>
        data.Series is null ? data.Test : data.WindowModel is null ? [.. data.Series.Series.Select(s => new Sequence(s.Rows))] : [];

    // Everything but normalizing the data: the spec, the sequences (windows, labels), the split, the normalizer, the settings.
    private static TrainingData Prepare(
        JobRequest request, IReadOnlyList<SequenceData> sequences, SeriesSource? series, ServiceLimits limits)
    {
        var (model, training) = TrainingDefaults.Fill(request.Model, request.Training, series is not null);
        var steps = model.Output.Steps;
        int outputSize = model.Output.Size;
        string[]? labels = null;
        List<Sequence> all;
        SeriesPlan? plan = null;
        WindowModel? windowModel = null;
        IReadOnlyList<Sequence>? train = null, validation = null;

        if (series is not null)
        {
            plan = SeriesPlan.Create(training, series, limits);
            (train, validation, windowModel) = plan.Windows();
            all = [.. train, .. validation];
            steps = OutputSteps.Last;
            outputSize = plan.Horizon * plan.Targets.Length;
            training = plan.Settings(training);
        }
        else if (training.Targets is not null || training.SeasonLength is not null || training.Missing != MissingPolicy.Interpolate || training.Scaling is not null || training.Linear is not null)
        {
            string field = training.Targets is not null ? "training.targets" : training.SeasonLength is not null ? "training.seasonLength"
                : training.Scaling is not null ? "training.scaling" : training.Linear is not null ? "training.linear" : "training.missing";
            throw new ArgumentException("Only a job on a CSV series dataset has targets, a season, missing values, scaling and a linear part.", field);
        }
        else if (model.Loss == LossName.CrossEntropy)
        {
            labels = [.. sequences.Select(s => s.Label!).Distinct().Order(StringComparer.Ordinal)];
            if (labels.Length < 2) throw new ArgumentException("Classification needs at least two different labels.", "data");
            var index = labels.Select((label, i) => (label, i)).ToDictionary(p => p.label, p => p.i);
            all = [.. sequences.Select(s => new Sequence(s.Inputs!, Labels: [index[s.Label!]]))];
            outputSize = labels.Length;
        }
        else
        {
            all = [.. sequences.Select(s => new Sequence(s.Inputs!, steps == OutputSteps.All ? s.Targets : [s.Target!]))];
        }

        var spec = new ModelSpec
        {
            InputSize = all[0].Inputs[0].Length,
            HiddenSize = model.HiddenSize!.Value,
            Layers = model.Layers,
            Cell = model.Cell,
            Dropout = model.Dropout,
            Output = model.Output.Kind,
            OutputSize = outputSize,
            Steps = steps,
            Loss = model.Loss == LossName.CrossEntropy ? LossKind.CrossEntropy : LossKind.MeanSquaredError,
        };
        spec.Validate();
        long parameters = spec.ParameterLayout().Sum(p => p.Shape.Aggregate(1L, (a, b) => a * b));
        if (parameters > limits.MaxParameters)
            throw new ArgumentException($"This model has {parameters:N0} parameters; at most {limits.MaxParameters:N0} are allowed.", "model.hiddenSize");
        long total = all.Sum(s => (long)s.Inputs.Length * s.Inputs[0].Length + (s.Targets?.Sum(r => (long)r.Length) ?? 0));
        if (total > limits.MaxTrainingValues)
            throw new ArgumentException($"The training data hold {total:N0} numbers; at most {limits.MaxTrainingValues:N0} are allowed.", "data");
        Sequence.Validate(all, spec, requireTargets: true);
        var parameterNames = spec.ParameterLayout().Select(p => p.Name).ToHashSet();
        foreach (var name in training.FrozenParameters ?? [])
            if (!parameterNames.Contains(name))
                throw new ArgumentException($"'{name}' is not a parameter of this model ({string.Join(", ", parameterNames)}).", "training.frozenParameters");

        // Default epochs are as many as the service allows, up to the default; asked-for ones must fit.
        if (request.Training.Epochs is null)
            training = training with { Epochs = (int)Math.Clamp(limits.MaxWorkPerJob / JobWork.Estimate(spec, all, 1), 1, training.Epochs!.Value) };
        double work = JobWork.Estimate(spec, all, training.Epochs!.Value);
        if (work > limits.MaxWorkPerJob)
            throw new ArgumentException($"This job would take about {work:G3} multiply-adds (training.epochs × {all.Sum(s => (long)s.Inputs.Length):N0} steps of data × " +
                $"{JobWork.PerStep(spec):N0} per step for this model); at most {limits.MaxWorkPerJob:G3} are allowed (Limits:MaxWorkPerJob). Use fewer epochs, less data or a smaller model.", "training.epochs");

        IReadOnlyList<Sequence> test = [];
        if (plan is null)
        {
            // A classifier holds out a stratified test part; other sequence models are judged by their validation loss.
            double testFraction = training.TestFraction ?? (labels is null ? 0 : 0.1);
            if (testFraction > 0 && labels is null) throw new ArgumentException("Only a job on a CSV series dataset or a classifier holds out a test part.", "training.testFraction");
            IReadOnlyList<Sequence> rest = all;
            if (testFraction > 0) (rest, test) = DatasetSplit.Stratified(all, [.. all.Select(s => s.Labels![0])], testFraction, training.Seed);
            (train, validation) = DatasetSplit.Split(rest, training.ValidationFraction, training.Seed);
            training = training with { TestFraction = testFraction };
        }
        var normalizer = training.Normalize ? Normalizer.Fit(train!, normalizeTargets: spec.Loss == LossKind.MeanSquaredError) : null;
        return new TrainingData(spec, train!, validation!, normalizer, labels, training, plan, windowModel, test);
    }

    // Finite doubles can still overflow float32; say so now rather than fail the job later.
    private static void CheckFloat32Range(IEnumerable<Sequence> sequences)
    {
        foreach (var s in sequences)
            foreach (var row in s.Targets is null ? s.Inputs : [.. s.Inputs, .. s.Targets])
                foreach (double v in row)
                    if (Math.Abs(v) > float.MaxValue)
                        throw new ArgumentException($"The value {v:R} (after normalization) is beyond float32; use precision float64 or rescale the data.", "data");
    }
}
