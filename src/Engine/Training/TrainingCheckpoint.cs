// Everything a run needs to continue as if it had never stopped, taken at an epoch boundary:
// weights, optimizer state, RNG state, early-stopping state and the history so far. Serialized
// as compact binary (raw little-endian numbers) for storage beside a job.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LstmService.Engine.Training;

public sealed record TrainingCheckpoint<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Magic = 0x4B43534C; // "LSCK"
    private const int Version = 1;

    /// <summary>What the run was (precision, sizes, options): a checkpoint resumes only the run it came from.</summary>
    public required string Fingerprint { get; init; }
    public required int Epoch { get; init; }
    public required T[] Values { get; init; }
    public required long OptimizerSteps { get; init; }
    public required T[][] OptimizerState { get; init; }
    public required ulong[] RngState { get; init; }
    public required double BestLoss { get; init; }
    public required int BestEpoch { get; init; }
    public required T[] BestValues { get; init; }
    public required int EpochsSinceBest { get; init; }
    public required IReadOnlyList<EpochProgress> History { get; init; }

    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using var w = new BinaryWriter(stream);
        w.Write(Magic); w.Write(Version); w.Write(Unsafe.SizeOf<T>());
        w.Write(Fingerprint);
        w.Write(Epoch); w.Write(OptimizerSteps); w.Write(BestLoss); w.Write(BestEpoch); w.Write(EpochsSinceBest);
        foreach (ulong word in RngState) w.Write(word);
        WriteArray(w, Values);
        WriteArray(w, BestValues);
        w.Write(OptimizerState.Length);
        foreach (var buffer in OptimizerState) WriteArray(w, buffer);
        w.Write(History.Count);
        foreach (var e in History)
        {
            w.Write(e.Epoch); w.Write(e.Epochs); w.Write(e.TrainLoss);
            w.Write(e.ValidationLoss.HasValue); w.Write(e.ValidationLoss ?? 0); w.Write(e.LearningRate); w.Write(e.Seconds);
        }
        w.Flush();
        return stream.ToArray();
    }

    /// <summary>Reads what <see cref="ToBytes"/> wrote; <see cref="InvalidDataException"/> for anything else.</summary>
    public static TrainingCheckpoint<T> FromBytes(byte[] bytes)
    {
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes));
            if (r.ReadInt32() != Magic || r.ReadInt32() != Version)
                throw new InvalidDataException("Not a training checkpoint of this version.");
            if (r.ReadInt32() != Unsafe.SizeOf<T>())
                throw new InvalidDataException($"The checkpoint was written in another precision than {typeof(T).Name}.");
            string fingerprint = r.ReadString();
            int epoch = r.ReadInt32(); long steps = r.ReadInt64(); double bestLoss = r.ReadDouble(); int bestEpoch = r.ReadInt32(); int since = r.ReadInt32();
            ulong[] rng = [r.ReadUInt64(), r.ReadUInt64(), r.ReadUInt64(), r.ReadUInt64()];
            var values = ReadArray(r);
            var best = ReadArray(r);
            var state = new T[Count(r, minimumBytes: 4)][];
            for (int i = 0; i < state.Length; i++) state[i] = ReadArray(r);
            var history = new EpochProgress[Count(r, minimumBytes: 41)];
            for (int i = 0; i < history.Length; i++)
            {
                int e = r.ReadInt32(), of = r.ReadInt32(); double train = r.ReadDouble();
                bool hasValidation = r.ReadBoolean(); double validation = r.ReadDouble();
                history[i] = new EpochProgress(e, of, train, hasValidation ? validation : null, r.ReadDouble(), r.ReadDouble());
            }
            if (r.BaseStream.Position != r.BaseStream.Length) throw new InvalidDataException("The training checkpoint has trailing bytes.");
            return new TrainingCheckpoint<T>
            {
                Fingerprint = fingerprint,
                Epoch = epoch, Values = values, OptimizerSteps = steps, OptimizerState = state, RngState = rng,
                BestLoss = bestLoss, BestEpoch = bestEpoch, BestValues = best, EpochsSinceBest = since, History = history,
            };
        }
        catch (Exception e) when (e is EndOfStreamException or OverflowException or ArgumentException or FormatException)
        {
            throw new InvalidDataException("The training checkpoint is truncated or corrupt.", e);
        }
    }

    private static void WriteArray(BinaryWriter w, T[] values)
    {
        w.Write(values.Length);
        w.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    // A count of items of at least minimumBytes each, refused before allocating when the bytes left cannot hold them.
    private static int Count(BinaryReader r, int minimumBytes)
    {
        int count = r.ReadInt32();
        if (count < 0 || (long)count * minimumBytes > r.BaseStream.Length - r.BaseStream.Position) throw new EndOfStreamException();
        return count;
    }

    private static T[] ReadArray(BinaryReader r)
    {
        int length = Count(r, Unsafe.SizeOf<T>());
        var values = new T[length];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }
}
