// From a job's request and its sequences to what the engine trains on: the model spec (sizes
// taken from the data), windows for a time series cut by time into training, validation and
// test parts, class indices for labels, the seeded validation split of sequences, and the
// normalizer fitted on the training part.
using LstmService.Api.Jobs;
using LstmService.Engine;
using LstmService.Engine.Data;

namespace LstmService.Api.Training;

/// <summary>
/// What a job trains on. <see cref="Settings"/> are the request's training settings with every
/// default filled in; <see cref="Series"/> is set for a series job (what evaluation needs).
/// A classifier's held-out <see cref="Test"/> sequences stay in the caller's units (empty otherwise).
/// </summary>
internal sealed record TrainingData(ModelSpec Spec, IReadOnlyList<Sequence> Train, IReadOnlyList<Sequence> Validation, Normalizer? Normalizer, string[]? Labels,
    TrainingRequest Settings, SeriesPlan? Series, IReadOnlyList<Sequence> Test)
{
    /// <summary>
    /// Throws <see cref="ArgumentException"/> (with ParamName a request field) when the data and
    /// the request do not fit together. <paramref name="series"/>: the data are a whole time
    /// series to be cut into windows (a CSV dataset); else <paramref name="sequences"/> are.
    /// </summary>
    public static TrainingData Build(JobRequest request, IReadOnlyList<SequenceData> sequences, SeriesSource? series, ServiceLimits limits)
    {
        var (spec, train, validation, test, normalizer, labels, settings, plan) = Prepare(request, sequences, series, limits);
        if (normalizer is not null) (train, validation) = (normalizer.Apply(train), normalizer.Apply(validation));
        if (request.Training.Precision == Precision.Float32)
            CheckFloat32Range([.. train, .. validation, .. Scored(test, plan).Select(s => normalizer?.Apply(s) ?? s)]);
        return new TrainingData(spec, train, validation, normalizer, labels, settings, plan, test);
    }

    /// <summary>
    /// What <see cref="Build"/> checks, for a job's submission, without keeping a normalized copy
    /// of the data (one sequence at a time is normalized to check its range): the model spec.
    /// </summary>
    public static ModelSpec Check(JobRequest request, IReadOnlyList<SequenceData> sequences, SeriesSource? series, ServiceLimits limits)
    {
        var (spec, train, validation, test, normalizer, _, _, plan) = Prepare(request, sequences, series, limits);
        if (request.Training.Precision == Precision.Float32)
            foreach (var sequence in train.Concat(validation).Concat(Scored(test, plan)))
                CheckFloat32Range([normalizer?.Apply(sequence) ?? sequence]);
        return spec;
    }

    // What the model reads when it is evaluated after training, so a value it cannot hold fails the
    // submission rather than the finished job: a classifier's test part, a series' every row (every column is an input).
    private static IEnumerable<Sequence> Scored(IReadOnlyList<Sequence> test, SeriesPlan? plan) =>
        plan is null ? test : [new Sequence(plan.Rows)];

    // Everything but normalizing the data: the spec, the sequences (windows, labels), the split, the normalizer, the settings.
    private static (ModelSpec, IReadOnlyList<Sequence>, IReadOnlyList<Sequence>, IReadOnlyList<Sequence>, Normalizer?, string[]?, TrainingRequest, SeriesPlan?) Prepare(
        JobRequest request, IReadOnlyList<SequenceData> sequences, SeriesSource? series, ServiceLimits limits)
    {
        var model = request.Model;
        var training = request.Training;
        var steps = model.Output.Steps;
        int outputSize = model.Output.Size;
        string[]? labels = null;
        List<Sequence> all;
        SeriesPlan? plan = null;
        IReadOnlyList<Sequence>? train = null, validation = null;

        if (series is not null)
        {
            plan = SeriesPlan.Create(training, series, limits);
            (train, validation) = plan.Split.Windows(plan.Rows, plan.Window, plan.Horizon, plan.InputColumns, plan.Targets);
            all = [.. train, .. validation];
            steps = OutputSteps.Last;
            outputSize = plan.Horizon * plan.Targets.Length;
            training = plan.Settings(training);
        }
        else if (training.Targets is not null || training.SeasonLength is not null || training.Missing != MissingPolicy.Interpolate)
        {
            string field = training.Targets is not null ? "training.targets" : training.SeasonLength is not null ? "training.seasonLength" : "training.missing";
            throw new ArgumentException("Only a job on a CSV series dataset has targets, a season and missing values.", field);
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
            HiddenSize = model.HiddenSize,
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

        double work = JobWork.Estimate(spec, all, training.Epochs);
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
        return (spec, train!, validation!, test, normalizer, labels, training, plan);
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
