namespace LstmService.Engine.Layers;

/// <summary>Work buffers that grow to the largest batch seen and are then reused: no allocation per step.</summary>
internal static class Buffers
{
    public static T[] Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new T[length];
        return buffer;
    }
}
