using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LstmService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class SeriesEvaluation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DatasetId",
                table: "Models",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EvaluationJson",
                table: "Models",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ForecastingJson",
                table: "Models",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "IntervalsJson",
                table: "Models",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TrainingJson",
                table: "Models",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "IrregularSteps",
                table: "Datasets",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "MissingCells",
                table: "Datasets",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "Rows",
                table: "Datasets",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "SeasonLength",
                table: "Datasets",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TimeColumn",
                table: "Datasets",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TimeSpacing",
                table: "Datasets",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "DatasetId",
                table: "Models");

            migrationBuilder.DropColumn(
                name: "EvaluationJson",
                table: "Models");

            migrationBuilder.DropColumn(
                name: "ForecastingJson",
                table: "Models");

            migrationBuilder.DropColumn(
                name: "IntervalsJson",
                table: "Models");

            migrationBuilder.DropColumn(
                name: "TrainingJson",
                table: "Models");

            migrationBuilder.DropColumn(
                name: "IrregularSteps",
                table: "Datasets");

            migrationBuilder.DropColumn(
                name: "MissingCells",
                table: "Datasets");

            migrationBuilder.DropColumn(
                name: "Rows",
                table: "Datasets");

            migrationBuilder.DropColumn(
                name: "SeasonLength",
                table: "Datasets");

            migrationBuilder.DropColumn(
                name: "TimeColumn",
                table: "Datasets");

            migrationBuilder.DropColumn(
                name: "TimeSpacing",
                table: "Datasets");
        }
    }
}
