using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using PvEdge.EdgeAgent.Hosting;

namespace PvEdge.EdgeAgent.Publishing;

/// <summary>The broker settings as the agent uses them: the protocol versions to try, the client options for each, and the TLS
/// and credentials files, read and checked (an unusable one is an <see cref="Shared.Cli.InputException"/> naming its key).</summary>
public static class MqttClientSettings
{
    /// <summary>The protocol versions to try, in order: one when Mqtt:Protocol names it, MQTT 5 then 3.1.1 for "auto".</summary>
    public static MqttProtocolVersion[] ProtocolVersions(MqttOptions options) => options.Protocol switch
    {
        "5" => [MqttProtocolVersion.V500],
        "3.1.1" => [MqttProtocolVersion.V311],
        _ => [MqttProtocolVersion.V500, MqttProtocolVersion.V311],
    };

    public static string VersionName(MqttProtocolVersion version) => version == MqttProtocolVersion.V311 ? "3.1.1" : "5";

    /// <summary>The client options for one protocol version: a persistent session, the last will ("offline", retained, on
    /// <paramref name="statusTopic"/>), credentials and TLS as configured.</summary>
    public static MqttClientOptions Build(MqttOptions options, BrokerEndpoint endpoint, string clientId, string statusTopic, MqttProtocolVersion version)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(endpoint);
        var b = new MqttClientOptionsBuilder()
            .WithTcpServer(endpoint.Host, endpoint.Port)
            .WithProtocolVersion(version)
            .WithClientId(clientId)
            .WithCleanSession(false)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(options.KeepAliveS))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithWillTopic(statusTopic)
            .WithWillPayload("offline")
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (version == MqttProtocolVersion.V500)
        {
            b.WithSessionExpiryInterval((uint)options.SessionExpiryS); // without it an MQTT 5 session ends with the connection
        }
        if (!string.IsNullOrEmpty(options.CredentialsFile))
        {
            var (user, password) = ReadCredentials(options.CredentialsFile);
            b.WithCredentials(user, password);
        }
        if (options.Tls)
        {
            var tls = new MqttClientTlsOptionsBuilder().UseTls();
            if (!string.IsNullOrEmpty(options.CaFile))
            {
                tls.WithTrustChain(ReadCaFile(options.CaFile));
            }
            if (!string.IsNullOrEmpty(options.CertFile))
            {
                tls.WithClientCertificates(new X509Certificate2Collection(ReadClientCertificate(options.CertFile, options.KeyFile)));
            }
            b.WithTlsOptions(tls.Build());
        }
        return b.Build();
    }

    /// <summary>Reads the PEM file of the CA(s) that signed the broker's certificate.</summary>
    public static X509Certificate2Collection ReadCaFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new Shared.Cli.InputException($"Mqtt:CaFile {path}: file not found");
        }
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPemFile(path);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new Shared.Cli.InputException($"Mqtt:CaFile {path}: expected PEM certificates ({ex.Message})");
        }
        return chain.Count > 0 ? chain : throw new Shared.Cli.InputException($"Mqtt:CaFile {path}: expected PEM certificates, found none");
    }

    /// <summary>What check-config says of the broker settings. Reads the TLS and credentials files as the agent will; an unusable
    /// one is an <see cref="Shared.Cli.InputException"/> naming its key.</summary>
    public static string Describe(MqttOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var parts = new List<string> { $"{options.Host}:{options.Port}", $"MQTT {options.Protocol}" };
        if (options.Tls)
        {
            parts.Add(string.IsNullOrEmpty(options.CaFile) ? "TLS (the system's CAs)" : $"TLS (CA {ReadCaFile(options.CaFile)[0].Subject})");
            if (!string.IsNullOrEmpty(options.CertFile))
            {
                using var cert = ReadClientCertificate(options.CertFile, options.KeyFile);
                parts.Add($"client certificate {cert.Subject}, valid until {cert.NotAfter.ToUniversalTime():yyyy-MM-dd}");
            }
        }
        else if (!string.IsNullOrEmpty(options.CaFile) || !string.IsNullOrEmpty(options.CertFile))
        {
            parts.Add("CaFile/CertFile set but Tls is false: not used");
        }
        parts.Add(string.IsNullOrEmpty(options.CredentialsFile) ? "anonymous" : $"user {ReadCredentials(options.CredentialsFile).User}");
        return string.Join(", ", parts);
    }

    /// <summary>Reads the gateway's certificate and its private key from PEM files (the key in the certificate's file when
    /// <paramref name="keyFile"/> is empty).</summary>
    public static X509Certificate2 ReadClientCertificate(string certFile, string keyFile)
    {
        foreach (var (key, path) in new[] { ("CertFile", certFile), ("KeyFile", keyFile) })
        {
            if (path.Length > 0 && !File.Exists(path))
            {
                throw new Shared.Cli.InputException($"Mqtt:{key} {path}: file not found");
            }
        }
        try
        {
            return X509Certificate2.CreateFromPemFile(certFile, keyFile.Length > 0 ? keyFile : null);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new Shared.Cli.InputException($"Mqtt:CertFile {certFile}: expected PEM: a certificate and, in Mqtt:KeyFile or the same file, its private key ({ex.Message})");
        }
    }

    /// <summary>Reads a credentials file: the user name on the first line, the password on the second.</summary>
    public static (string User, string Password) ReadCredentials(string path)
    {
        if (!File.Exists(path))
        {
            throw new Shared.Cli.InputException($"Mqtt:CredentialsFile {path}: file not found");
        }
        var lines = File.ReadAllLines(path).Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        if (lines.Count < 2)
        {
            throw new Shared.Cli.InputException($"Mqtt:CredentialsFile {path}: expected the user name on line 1 and the password on line 2");
        }
        return (lines[0], lines[1]);
    }
}
