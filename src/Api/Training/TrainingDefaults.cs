// What a job gets for the settings it leaves out. A model of sequences gets fixed defaults; a
// series model gets settings chosen from its series' season, measured on the public series
// (docs/dev/forecasting-measurements.md): the rule, not a per-file tuning.
using LstmService.Api.Jobs;

namespace LstmService.Api.Training;

internal static class TrainingDefaults
{
    public const int HiddenSize = 64, Epochs = 50;
    public const double LearningRate = 0.001;

    // Series models: small, stopped by their validation loss. The LSTM learns what the linear part
    // leaves; at 0.003 it overfitted elec-equip's 200 windows on one seed in three, at 0.001 on none.
    public const int SeriesHiddenSize = 32, SeriesEpochs = 300, SeriesPatience = 50;
    public const double SeriesLearningRate = 0.001;
    // Two seasons: the linear part needs the change a season and a step back (y_t − y_{t−1} ≈
    // y_{t−s} − y_{t−s−1}); at one season it lost to the seasonal naive forecast on elec-equip.
    public const int SeasonsPerWindow = 2, WindowWithoutSeason = 16;

    /// <summary>
    /// Input steps per window for a series with <paramref name="seasonLength"/> and
    /// <paramref name="trainingRows"/>: two seasons (16 steps without one), at most a quarter of
    /// the training rows so that there are windows enough to learn from, at least 2.
    /// </summary>
    public static int SeriesWindow(int seasonLength, int trainingRows) =>
        Math.Max(2, Math.Min(seasonLength > 1 ? SeasonsPerWindow * seasonLength : WindowWithoutSeason, trainingRows / 4));

    /// <summary>The request with every model and training setting it left out filled in.</summary>
    public static (ModelRequest Model, TrainingRequest Training) Fill(ModelRequest model, TrainingRequest training, bool series) => series
        ? (model with { HiddenSize = model.HiddenSize ?? SeriesHiddenSize },
           training with { Epochs = training.Epochs ?? SeriesEpochs, LearningRate = training.LearningRate ?? SeriesLearningRate, EarlyStoppingPatience = training.EarlyStoppingPatience ?? SeriesPatience })
        : (model with { HiddenSize = model.HiddenSize ?? HiddenSize },
           training with { Epochs = training.Epochs ?? Epochs, LearningRate = training.LearningRate ?? LearningRate });
}
