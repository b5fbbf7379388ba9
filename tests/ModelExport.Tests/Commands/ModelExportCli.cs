using System.Globalization;
using PvEdge.Shared.Cli;

namespace PvEdge.ModelExport.Tests.Commands;

/// <summary>Runs a <c>modelexport</c> command in process through the CLI host and captures its exit code and output.</summary>
internal static class ModelExportCli
{
    public static async Task<(int Code, string Out, string Error)> Run(params string[] args)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        var code = await CliHost.RunAsync("modelexport", args, CliHost.Discover(typeof(PvEdge.ModelExport.Commands.FleetCommand).Assembly),
            new CliContext(output, error, TimeProvider.System), CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
