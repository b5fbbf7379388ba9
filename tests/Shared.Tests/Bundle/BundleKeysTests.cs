using System.Diagnostics;
using PvEdge.Shared.Bundle;
using PvEdge.Shared.Cli;
using PvEdge.TestSupport;

namespace PvEdge.Shared.Tests.Bundle;

public sealed class BundleKeysTests
{
    [Fact]
    public void Generate_PemPair_UnixLineEndingsAndSignVerify()
    {
        var (privatePem, publicPem) = BundleKeys.Generate();
        var dir = Directory.CreateTempSubdirectory("pvedge-keys-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "k.key"), privatePem);

            var signature = BundleKeys.Sign(Path.Combine(dir, "k.key"), "manifest"u8);

            Assert.DoesNotContain((byte)'\r', privatePem);
            Assert.DoesNotContain((byte)'\r', publicPem);
            Assert.True(BundleKeys.Verify(BundleKeys.ParsePublic(publicPem, "k.pub"), "manifest"u8, signature));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [SkippableFact]
    public void Sign_OpensslMadeKeys_VerifiesWithOpensslPublicKey()
    {
        var openssl = ExternalTools.Require("openssl", "openssl");
        var dir = Directory.CreateTempSubdirectory("pvedge-keys-").FullName;
        try
        {
            var key = Path.Combine(dir, "o.key");
            var pub = Path.Combine(dir, "o.pub");
            RunTool(openssl, "genpkey", "-algorithm", "ed25519", "-out", key);
            RunTool(openssl, "pkey", "-in", key, "-pubout", "-out", pub);

            var signature = BundleKeys.Sign(key, "manifest"u8);

            Assert.True(BundleKeys.Verify(BundleKeys.LoadPublic(pub), "manifest"u8, signature));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void ParsePublic_NotAKey_RefusedNamingTheSource()
    {
        var e = Assert.Throws<InputException>(() => BundleKeys.ParsePublic("hello"u8, "gateway.pub"));

        Assert.StartsWith("gateway.pub:", e.Message, StringComparison.Ordinal);
    }

    private static void RunTool(string program, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true })!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, err);
    }
}
