using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LstmService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class SeriesColumn : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "SeriesColumn",
                table: "Datasets",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "SeriesColumn",
                table: "Datasets");
        }
    }
}
