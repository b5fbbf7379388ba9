using PvEdge.Shared.Cli;
using PvEdge.Shared.Sites;

namespace PvEdge.ModelExport.Commands;

/// <summary>The options every command that works on one site shares: <c>--site S</c> (the site file of formats.md, loaded and checked
/// by one call) and <c>--out</c> (a file, or a bundle folder for <c>finetune</c>). One place, so the commands name and check them alike.</summary>
internal sealed record SiteCommandOptions(string SitePath, string Output)
{
    /// <summary>Reads <c>--site</c> and <c>--out</c> (both required; call before <see cref="CliArguments.RejectUnknown"/>).</summary>
    public static SiteCommandOptions Read(CliArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return new(args.Required("site"), args.Required("out"));
    }

    /// <summary>The site file, parsed and validated (one-line <see cref="InputException"/> naming the file and key otherwise).</summary>
    public Site LoadSite() => SiteLoader.Load(SitePath);

    /// <summary>Creates the folder that will hold the output file.</summary>
    public void CreateOutputFolder()
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(Output));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }
    }
}
