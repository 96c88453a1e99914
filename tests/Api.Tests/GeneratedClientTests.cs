// The OpenAPI document as client authors use it: NSwag generates a C# client from the document the
// service serves, Roslyn compiles it with a user's program (GeneratedClient/ClientSession.cs), and
// that program runs a whole session against the service through the generated code alone.
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NJsonSchema.CodeGeneration.CSharp;
using NSwag;
using NSwag.CodeGeneration.CSharp;
using NSwag.CodeGeneration.OperationNameGenerators;

namespace LstmService.Api.Tests;

public class GeneratedClientTests
{
    [Fact]
    public async Task A_client_generated_by_NSwag_compiles_and_runs_a_whole_session()
    {
        using var app = new LstmApplication();
        var http = app.CreateClient();
        var document = await OpenApiDocument.FromJsonAsync(await http.GetStringAsync("/openapi/v1.json"));
        var settings = new CSharpClientGeneratorSettings
        {
            ClassName = "LstmClient",
            OperationNameGenerator = new SingleClientFromOperationIdOperationNameGenerator(),
            CSharpGeneratorSettings = { Namespace = "Generated", JsonLibrary = CSharpJsonLibrary.SystemTextJson },
        };
        var client = new CSharpClientGenerator(document, settings).GenerateFile();

        var session = Compile(client, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "GeneratedClient", "ClientSession.cs")));
        var run = session.GetType("ClientSession")!.GetMethod("RunAsync")!;
        await (Task)run.Invoke(null, [http, Path.Combine(AppContext.BaseDirectory, "Samples", "elec-equip.csv")])!;
    }

    // Compiled as a user's project would be: the generated file and the program, warnings as they
    // come, errors listed in full.
    private static Assembly Compile(params string[] sources)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(Assert).Assembly.Location)
            .Distinct()
            .Select(path => MetadataReference.CreateFromFile(path));
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = sources.Prepend("global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; global using System.Net.Http; global using System.Threading.Tasks;")
            .Select(source => CSharpSyntaxTree.ParseText(source, options));
        var compilation = CSharpCompilation.Create("GeneratedClientSession", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable));
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        Assert.True(result.Success, string.Join("\n", errors.Take(20)));
        return Assembly.Load(image.ToArray());
    }
}
