// multipart/form-data written by hand, so that the fuzz test can break it (boundaries, lengths).
using System.Text;

namespace LstmService.Api.Tests.Fuzz;

internal static class Multipart
{
    public const string Boundary = "fuzz-boundary-7f3a";

    public sealed record Part(string Name, byte[] Content, string? FileName = null);

    public static Part Text(string name, string value) => new(name, Encoding.UTF8.GetBytes(value));

    public static Part File(byte[] content, string fileName = "model.safetensors") => new("weights", content, fileName);

    public static byte[] Build(IEnumerable<Part> parts, string boundary = Boundary, bool closed = true)
    {
        using var body = new MemoryStream();
        void Write(string text) => body.Write(Encoding.UTF8.GetBytes(text));
        foreach (var part in parts)
        {
            Write($"--{boundary}\r\nContent-Disposition: form-data; name=\"{part.Name}\"");
            Write(part.FileName is null ? "\r\n\r\n" : $"; filename=\"{part.FileName}\"\r\nContent-Type: application/octet-stream\r\n\r\n");
            body.Write(part.Content);
            Write("\r\n");
        }
        if (closed) Write($"--{boundary}--\r\n");
        return body.ToArray();
    }

    public static string ContentType(string boundary = Boundary) => $"multipart/form-data; boundary={boundary}";
}
