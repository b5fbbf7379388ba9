using PvEdge.Shared.Bundle;
using PvEdge.Shared.Cli;

namespace PvEdge.ModelExport.Commands;

/// <summary><c>modelexport keygen --out K</c>: an Ed25519 key pair for signing bundles: <c>K.key</c> (private, PEM PKCS#8,
/// mode 600) and <c>K.pub</c> (public, PEM SubjectPublicKeyInfo; give it to the gateways).</summary>
public sealed class KeygenCommand : ICliCommand
{
    public string Name => "keygen";

    public string Usage => "keygen --out K [--force]  Ed25519 key pair for bundle signatures: K.key (private, PEM PKCS#8) and K.pub (public, PEM)";

    public Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var output = args.Required("out");
        var force = args.Flag("force");
        args.RejectUnknown();
        var keyPath = output + ".key";
        var pubPath = output + ".pub";
        if (!force && (File.Exists(keyPath) || File.Exists(pubPath)))
        {
            throw new InputException($"{(File.Exists(keyPath) ? keyPath : pubPath)}: exists; refusing to overwrite a key (use --force)");
        }
        var dir = Path.GetDirectoryName(Path.GetFullPath(keyPath));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }
        var (privatePem, publicPem) = BundleKeys.Generate();
        File.WriteAllBytes(keyPath, privatePem);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.WriteAllBytes(pubPath, publicPem);
        context.Out.WriteLine($"wrote {keyPath} (private, keep it secret) and {pubPath} (public, install it on the gateways)");
        return Task.FromResult(0);
    }
}
