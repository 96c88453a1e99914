// Turns what goes wrong before a handler runs into problem details instead of an empty 400 or a
// 500: unreadable JSON (with the path of the bad value), a body over the size limit, a wrong
// content type. Anything else unexpected is a 500 problem that says nothing internal.
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace LstmService.Api.Infrastructure;

internal sealed class RequestErrorHandler(IProblemDetailsService problems, ILogger<RequestErrorHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem;
        if (exception is BadHttpRequestException bad)
        {
            http.Response.StatusCode = bad.StatusCode;
            problem = bad.InnerException is JsonException json
                ? new HttpValidationProblemDetails(new Dictionary<string, string[]> { [FieldOf(json.Path)] = [JsonMessage(json)] })
                    { Title = "The request body is not valid JSON for this endpoint.", Status = bad.StatusCode }
                : ParameterOf(bad.Message) is { } parameter
                    ? new HttpValidationProblemDetails(new Dictionary<string, string[]> { [parameter] = [BindingMessage(bad.Message)] })
                        { Title = "A parameter could not be read.", Status = bad.StatusCode }
                    : new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["body"] = [bad.Message] }) // e.g. no body at all
                        { Title = "The request could not be read.", Status = bad.StatusCode };
        }
        else
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
            http.Response.StatusCode = StatusCodes.Status500InternalServerError;
            problem = new ProblemDetails { Title = "An internal error occurred.", Status = 500 };
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    // ASP.NET Core names the parameter it could not bind: 'Failed to bind parameter "int page" from "abc".',
    // 'Required parameter "JobRequest request" was not provided from body.', 'Implicit body inferred for
    // parameter "request" but no body was provided.'
    private static string? ParameterOf(string message)
    {
        if (IsMissingBody(message)) return "body";
        var match = System.Text.RegularExpressions.Regex.Match(message, "parameter \"[^\" ]+ (?<name>[^\"]+)\"");
        return match.Success ? match.Groups["name"].Value : null;
    }

    private static bool IsMissingBody(string message) =>
        message.Contains("from body", StringComparison.Ordinal) || message.Contains("no body was provided", StringComparison.Ordinal);

    private static string BindingMessage(string message) =>
        IsMissingBody(message) ? "A JSON body is required." : "The value has the wrong type or is not one of the allowed values.";

    // "$.data.sequences[0].inputs[1][0]" → "data.sequences[0].inputs[1][0]": the field as the client wrote it.
    private static string FieldOf(string? path) => string.IsNullOrEmpty(path) || path == "$" ? "body" : path.TrimStart('$', '.');

    // System.Text.Json's messages name .NET types and reader options; say where and what, in JSON's terms.
    private static string JsonMessage(JsonException e)
    {
        if (e.Message.Contains("could not be converted", StringComparison.Ordinal))
            return "The value has the wrong type or is not one of the allowed values (numbers must be finite; enums are camelCase strings).";
        string what = e.Message switch
        {
            var m when m.Contains("trailing comma", StringComparison.Ordinal) => "a comma before a closing bracket",
            var m when m.Contains("invalid start of a value", StringComparison.Ordinal) || m.Contains("invalid start of a property name", StringComparison.Ordinal)
                => "something that is not JSON (names and strings take double quotes; NaN and Infinity are not numbers)",
            var m when m.Contains("end of data", StringComparison.Ordinal) || m.Contains("Expected depth to be zero", StringComparison.Ordinal) => "an object or array that is not closed",
            var m when m.Contains("does not contain any JSON tokens", StringComparison.Ordinal) => "no JSON at all",
            var m when m.Contains("is invalid after", StringComparison.Ordinal) => "a missing comma or colon",
            _ => "text that is not valid JSON",
        };
        return e.LineNumber is { } line ? $"The JSON cannot be read at line {line + 1}, byte {e.BytePositionInLine + 1}: {what}." : $"The JSON cannot be read: {what}.";
    }
}
