using PvEdge.EdgeAgent.Hosting;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Inference;

/// <summary>How the one-shot commands (<c>forecast</c>, <c>replay</c>) choose their site and model, the same way for each:
/// <c>--site S</c> (else the bundle's site, else the embedded demo site), <c>--bundle B</c> with <c>--runner onnx|formulas|engine</c> and,
/// when given, <c>--public-key K</c> that the bundle's signature must verify against. A bundle that cannot be used is one line on the
/// error stream and the site's physics model, as in the agent.</summary>
public sealed record CommandModel(string? SitePath, string? BundlePath, string Runner, string? PublicKeyFile)
{
    /// <summary>The options, for the commands' usage lines.</summary>
    public const string Usage = "[--site S] [--bundle B [--runner onnx|formulas|engine] [--public-key K]]";

    /// <summary>Reads the options (call before <see cref="CliArguments.RejectUnknown"/>).</summary>
    public static CommandModel Read(CliArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return new(args.Optional("site"), args.Optional("bundle"), args.Optional("runner", "onnx"), args.Optional("public-key"));
    }

    /// <summary>Loads the site and the model; each fallback is written to <paramref name="error"/> as one line naming <paramref name="command"/>.</summary>
    public SiteModels Load(string command, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var models = DefaultSiteModels.Load(SitePath, new ModelOptions { BundlePath = BundlePath ?? "", Runner = Runner, PublicKeyFile = PublicKeyFile ?? "" });
        foreach (var note in models.Notes ?? [])
        {
            error.WriteLine($"edgeagent {command}: model bundle {BundlePath} not usable ({note}); using the physics model of the site");
        }
        return models;
    }
}
