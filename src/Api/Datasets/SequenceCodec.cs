// Sequences as compact binary for the database: little-endian doubles and lengths, no JSON text.
// Used for inline job data and uploaded datasets alike.
using LstmService.Api.Jobs;

namespace LstmService.Api.Datasets;

internal static class SequenceCodec
{
    private const int Version = 1;

    public static byte[] Encode(IReadOnlyList<SequenceData> sequences)
    {
        // Sized up front: a growing stream doubles and copies, holding up to 3× the data at once.
        using var stream = new MemoryStream(EncodedLength(sequences));
        using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Version);
            w.Write(sequences.Count);
            foreach (var s in sequences)
            {
                WriteRows(w, s.Inputs!);
                WriteRows(w, s.Targets);
                WriteRows(w, s.Target is null ? null : [s.Target]);
                w.Write(s.Label is not null);
                if (s.Label is not null) w.Write(s.Label);
            }
        }
        return stream.Length == stream.Capacity ? stream.GetBuffer() : stream.ToArray();
    }

    // What Encode writes: two ints, then per sequence three row blocks, a flag and the label (a length-prefixed string).
    private static int EncodedLength(IReadOnlyList<SequenceData> sequences)
    {
        long length = 8;
        foreach (var s in sequences)
        {
            length += RowsLength(s.Inputs) + RowsLength(s.Targets) + (s.Target is null ? 4 : 8 + 8L * s.Target.Length) + 1;
            if (s.Label is not null) length += 5 + System.Text.Encoding.UTF8.GetByteCount(s.Label); // at most 5 bytes of length prefix
        }
        return (int)Math.Min(length, Array.MaxLength);
    }

    private static long RowsLength(double[][]? rows) => rows is null ? 4 : 8 + 8L * rows.Length * (rows.Length == 0 ? 0 : rows[0].Length);

    public static List<SequenceData> Decode(byte[] bytes)
    {
        using var r = new BinaryReader(new MemoryStream(bytes));
        if (r.ReadInt32() != Version) throw new InvalidDataException("Unknown sequence encoding.");
        int count = r.ReadInt32();
        var sequences = new List<SequenceData>(count);
        for (int n = 0; n < count; n++)
        {
            var inputs = ReadRows(r)!;
            var targets = ReadRows(r);
            var target = ReadRows(r)?[0];
            string? label = r.ReadBoolean() ? r.ReadString() : null;
            sequences.Add(new SequenceData { Inputs = inputs, Targets = targets, Target = target, Label = label });
        }
        return sequences;
    }

    // rows, width, then the values row by row; −1 rows for "absent".
    private static void WriteRows(BinaryWriter w, double[][]? rows)
    {
        if (rows is null) { w.Write(-1); return; }
        w.Write(rows.Length);
        w.Write(rows.Length == 0 ? 0 : rows[0].Length);
        foreach (var row in rows)
            foreach (double v in row) w.Write(v);
    }

    private static double[][]? ReadRows(BinaryReader r)
    {
        int count = r.ReadInt32();
        if (count < 0) return null;
        int width = r.ReadInt32();
        var rows = new double[count][];
        for (int t = 0; t < count; t++)
        {
            rows[t] = new double[width];
            for (int j = 0; j < width; j++) rows[t][j] = r.ReadDouble();
        }
        return rows;
    }
}
