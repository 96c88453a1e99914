// Every list of the API (jobs, models, datasets) comes a page at a time, newest first, in one
// shape: { items, page, pageSize, total }, with ?page= (from 1) and ?pageSize= (1 to 500, default 50).
namespace LstmService.Api.Infrastructure;

internal static class Paging
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;
    public const int MaxPage = 1_000_000;

    /// <summary>Adds an error for each query parameter out of range; true when both fit.</summary>
    public static bool Check(int page, int pageSize, ValidationErrors errors) =>
        errors.Require(page is >= 1 and <= MaxPage, "page", $"Must be between 1 and {MaxPage}.")
        & errors.Require(pageSize is >= 1 and <= MaxPageSize, "pageSize", $"Must be between 1 and {MaxPageSize}.");

    /// <summary>The rows of one page; page · pageSize ≤ 5·10⁸, so no overflow.</summary>
    public static IQueryable<T> PageOf<T>(this IQueryable<T> ordered, int page, int pageSize) => ordered.Skip((page - 1) * pageSize).Take(pageSize);
}
