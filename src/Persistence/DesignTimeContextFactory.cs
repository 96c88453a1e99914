// Lets `dotnet ef migrations add` build the context without starting the service.
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LstmService.Persistence;

internal sealed class DesignTimeContextFactory : IDesignTimeDbContextFactory<LstmDbContext>
{
    public LstmDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<LstmDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
