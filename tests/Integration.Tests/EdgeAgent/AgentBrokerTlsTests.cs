using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PvEdge.Integration.Tests.Deploy;
using PvEdge.TestSupport;

namespace PvEdge.Integration.Tests.EdgeAgent;

/// <summary>The agent against a broker set up as a utility's would be: mosquitto with TLS only (a private CA) and a password file.
/// The agent must connect with Mqtt:Tls, Mqtt:CaFile and Mqtt:CredentialsFile and publish; a wrong password or a broker
/// certificate from another CA must keep it out and say why in the log.</summary>
public sealed class AgentBrokerTlsTests : IDisposable
{
    private const string User = "gateway-7";
    private const string Password = "s3cret pass";
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-tls-").FullName;

    /// <summary>A CA and, signed by it, a certificate for 127.0.0.1 and localhost; PEM files in the test's folder.</summary>
    private (string Ca, string Cert, string Key) MakeCertificates(string name)
    {
        var (ca, cert, key, _, _) = MakeCertificatesWithClient(name);
        return (ca, cert, key);
    }

    /// <summary>The same and a client certificate for <see cref="User"/> (its key in its own file), signed by the same CA.</summary>
    private (string Ca, string Cert, string Key, string ClientCert, string ClientKey) MakeCertificatesWithClient(string name)
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest($"CN=pvedge test CA {name}", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(60));
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var cert = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), [1, 2, 3, 4, 5, 6, 7, 8]);
        using var clientKey = RSA.Create(2048);
        var clientRequest = new CertificateRequest($"CN={User}", clientKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        clientRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var client = clientRequest.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), [8, 7, 6, 5, 4, 3, 2, 1]);
        var files = (Path.Combine(_dir, $"{name}-ca.pem"), Path.Combine(_dir, $"{name}-server.pem"), Path.Combine(_dir, $"{name}-server.key"),
            Path.Combine(_dir, $"{name}-client.pem"), Path.Combine(_dir, $"{name}-client.key"));
        File.WriteAllText(files.Item1, ca.ExportCertificatePem());
        File.WriteAllText(files.Item2, cert.ExportCertificatePem());
        File.WriteAllText(files.Item3, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(files.Item4, client.ExportCertificatePem());
        File.WriteAllText(files.Item5, clientKey.ExportPkcs8PrivateKeyPem());
        return files;
    }

    private string WriteConfig(int port, string caFile, string? password, string certFile = "", string keyFile = "")
    {
        var credentials = "";
        if (password is not null)
        {
            credentials = Path.Combine(_dir, $"credentials-{Guid.NewGuid():N}");
            File.WriteAllText(credentials, $"{User}\n{password}\n");
        }
        var path = Path.Combine(_dir, $"agent-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""
            {
              "Gateway": { "Id": "tls" },
              "Mqtt": { "Host": "127.0.0.1", "Port": {{port}}, "Tls": true, "CaFile": "{{caFile}}", "CredentialsFile": "{{credentials}}",
                        "CertFile": "{{certFile}}", "KeyFile": "{{keyFile}}", "ReconnectMinS": 0.5, "ReconnectMaxS": 1 },
              "Storage": { "Path": "{{Path.Combine(_dir, $"agent-{Guid.NewGuid():N}.db")}}" },
              "Weather": { "Source": "clear-sky" },
              "Acquisition": { "Simulated": true, "Simulator": "in-process" },
              "Demo": { "Speed": 120, "StartUtc": "2026-06-21T10:00:00Z" }
            }
            """);
        return path;
    }

    [SkippableFact]
    public async Task Agent_TlsBrokerWithPasswords_ConnectsPublishesAndRefusalsAreExplained()
    {
        var program = Mosquitto.Require();
        var subscriber = ExternalTools.Require("mosquitto_sub", "mosquitto-clients");
        var passwd = ExternalTools.Require("mosquitto_passwd", "mosquitto");
        var passwords = Path.Combine(_dir, "passwords");
        var made = ProcessRunner.Run(passwd, ["-b", "-c", passwords, User, Password], TimeSpan.FromSeconds(30));
        Assert.True(made.ExitCode == 0, made.All);
        var tls = MakeCertificates("utility");
        var (otherCa, _, _) = MakeCertificates("other");
        var port = ExternalTools.FreeTcpPort();
        using var broker = new Mosquitto(program, _dir, port, tls: tls, passwordFile: passwords);
        broker.Start();

        // the right CA and password: connected over TLS, telemetry reaches a subscriber that logs in too
        using (var agent = AgentProcess.Start("run", "--config", WriteConfig(port, tls.Ca, Password)))
        {
            var sub = ProcessRunner.Run(subscriber, ["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--cafile", tls.Ca,
                "-u", User, "-P", Password, "-t", "pvedge/tls/telemetry", "-C", "3", "-W", "60"], TimeSpan.FromSeconds(90));
            Assert.True(sub.ExitCode == 0, $"subscriber: exit {sub.ExitCode}: {sub.All}\nagent:\n{agent.Log}");
            Assert.Equal(3, sub.Out.Split('\n').Count(l => l.Contains("\"id\":\"tls-t60-", StringComparison.Ordinal) || l.Contains("\"id\": \"tls-t60-", StringComparison.Ordinal)));
            Assert.Contains(agent.Output, l => l.Contains($"connected to MQTT broker 127.0.0.1:{port}", StringComparison.Ordinal));
        }

        // a wrong password: refused, and the log says so; never counted as connected
        using (var agent = AgentProcess.Start("run", "--config", WriteConfig(port, tls.Ca, "wrong")))
        {
            Assert.True(await Poll.UntilAsync(() => agent.Output.Count(l => l.Contains("unreachable or lost", StringComparison.Ordinal)) >= 2, TimeSpan.FromSeconds(60)), agent.Log);
            Assert.Contains(agent.Output, l => l.Contains("broker refused the connection: ", StringComparison.Ordinal)
                && (l.Contains("NotAuthorized", StringComparison.Ordinal) || l.Contains("BadUserNameOrPassword", StringComparison.Ordinal)));
            Assert.DoesNotContain(agent.Output, l => l.Contains("connected to MQTT broker", StringComparison.Ordinal));
            Assert.False(agent.HasExited);
        }

        // the broker's certificate from a CA the agent does not trust: no connection, and the log names the certificate
        using (var agent = AgentProcess.Start("run", "--config", WriteConfig(port, otherCa, Password)))
        {
            Assert.True(await Poll.UntilAsync(() => agent.Output.Count(l => l.Contains("unreachable or lost", StringComparison.Ordinal)) >= 2, TimeSpan.FromSeconds(60)), agent.Log);
            Assert.Contains(agent.Output, l => l.Contains("unreachable or lost", StringComparison.Ordinal) && l.Contains("certificate", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(agent.Output, l => l.Contains("connected to MQTT broker", StringComparison.Ordinal));
        }
    }

    [SkippableFact]
    public async Task Agent_BrokerRequiresClientCertificates_ConnectsWithItsOwnAndIsKeptOutWithout()
    {
        var program = Mosquitto.Require();
        var subscriber = ExternalTools.Require("mosquitto_sub", "mosquitto-clients");
        var (ca, cert, key, clientCert, clientKey) = MakeCertificatesWithClient("mtls");
        var port = ExternalTools.FreeTcpPort();
        using var broker = new Mosquitto(program, _dir, port, tls: (ca, cert, key), requireClientCertificate: true);
        broker.Start();

        // the gateway's own certificate (key in a file of its own): connected, and a subscriber with the same kind of certificate reads it
        using (var agent = AgentProcess.Start("run", "--config", WriteConfig(port, ca, password: null, clientCert, clientKey)))
        {
            var sub = ProcessRunner.Run(subscriber, ["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--cafile", ca,
                "--cert", clientCert, "--key", clientKey, "-t", "pvedge/tls/telemetry", "-C", "3", "-W", "60"], TimeSpan.FromSeconds(90));
            Assert.True(sub.ExitCode == 0, $"subscriber: exit {sub.ExitCode}: {sub.All}\nagent:\n{agent.Log}");
            Assert.Equal(3, sub.Out.Split('\n').Count(l => l.Contains("tls-t60-", StringComparison.Ordinal)));
            Assert.Contains(agent.Output, l => l.Contains($"connected to MQTT broker 127.0.0.1:{port}", StringComparison.Ordinal));
        }

        // without a certificate: the broker ends the handshake; never counted as connected
        using (var agent = AgentProcess.Start("run", "--config", WriteConfig(port, ca, password: null)))
        {
            Assert.True(await Poll.UntilAsync(() => agent.Output.Count(l => l.Contains("unreachable or lost", StringComparison.Ordinal)) >= 2, TimeSpan.FromSeconds(60)), agent.Log);
            Assert.DoesNotContain(agent.Output, l => l.Contains("connected to MQTT broker", StringComparison.Ordinal));
        }

        // check-config reads the same files: what it would use, or exit 2 with one line naming the key
        var good = ProcessRunner.Run(AgentProcess.StartInfo("check-config", "--config", WriteConfig(port, ca, password: null, clientCert, clientKey)), TimeSpan.FromMinutes(2));
        Assert.True(good.ExitCode == 0, good.All);
        Assert.Contains($"mqtt: 127.0.0.1:{port}, MQTT auto, TLS (CA CN=pvedge test CA mtls), client certificate CN={User}, valid until ", good.Out, StringComparison.Ordinal);
        var notPem = Path.Combine(_dir, "not-a-cert.pem");
        File.WriteAllText(notPem, "hello\n");
        foreach (var (config, option) in new[] { (WriteConfig(port, ca, password: null, notPem), "Mqtt:CertFile"), (WriteConfig(port, notPem, password: null), "Mqtt:CaFile") })
        {
            var bad = ProcessRunner.Run(AgentProcess.StartInfo("check-config", "--config", config), TimeSpan.FromMinutes(2));
            Assert.True(bad.ExitCode == 2, $"exit {bad.ExitCode}: {bad.All}");
            Assert.Single(bad.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains($"{option} {notPem}: expected PEM", StringComparison.Ordinal));
        }

        // a CaFile with a broken PEM block: the running agent says so and carries on (the publisher's unhandled exception stopped it before)
        var brokenPem = Path.Combine(_dir, "broken.pem");
        File.WriteAllText(brokenPem, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        using (var agent = AgentProcess.Start("run", "--config", WriteConfig(port, brokenPem, password: null)))
        {
            Assert.True(await Poll.UntilAsync(() => agent.Output.Any(l => l.Contains($"MQTT settings unusable: Mqtt:CaFile {brokenPem}: expected PEM", StringComparison.Ordinal)), TimeSpan.FromSeconds(60)), agent.Log);
            await Task.Delay(1000);
            Assert.False(agent.HasExited, agent.Log);
        }

        // a CertFile that is no certificate: one line naming the key and what was expected, and the agent carries on
        using (var agent = AgentProcess.Start("run", "--config", WriteConfig(port, ca, password: null, notPem)))
        {
            Assert.True(await Poll.UntilAsync(() => agent.Output.Any(l => l.Contains("MQTT settings unusable", StringComparison.Ordinal)), TimeSpan.FromSeconds(60)), agent.Log);
            Assert.Single(agent.Output, l => l.Contains($"Mqtt:CertFile {notPem}: expected PEM", StringComparison.Ordinal));
            await Task.Delay(1000);
            Assert.False(agent.HasExited, agent.Log);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
