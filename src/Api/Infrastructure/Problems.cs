// Error answers as RFC 7807 problem details with the application/problem+json content type.
using Microsoft.AspNetCore.Http.HttpResults;

namespace LstmService.Api.Infrastructure;

internal static class Problems
{
    public static ProblemHttpResult NotFound(string resource, string id) =>
        TypedResults.Problem(title: $"No such {resource}.", detail: $"There is no {resource} {id}.", statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult Conflict(string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status409Conflict);

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>A 400 on <paramref name="field"/> with the exception's message, without the " (Parameter 'x')" .NET appends.</summary>
    public static ValidationProblem Invalid(string field, ArgumentException e) =>
        Invalid(field, e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal));
}
