using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LstmService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class JobCrashes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Crashes",
                table: "Jobs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Crashes",
                table: "Jobs");
        }
    }
}
