using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet.Server;

namespace PvEdge.EdgeAgent.Hosting;

/// <summary>The demo's MQTT broker (MQTTnet.Server) on 127.0.0.1 only. Registered before the publisher so it listens first.</summary>
public sealed class EmbeddedBroker : IHostedService, IDisposable
{
    private readonly int _port;
    private readonly ILogger<EmbeddedBroker> _logger;
    private MqttServer? _server;

    public EmbeddedBroker(int port, ILogger<EmbeddedBroker> logger)
    {
        _port = port;
        _logger = logger;
    }

    public int Port => _port;

    /// <summary>The wanted port when it is free on 127.0.0.1, else a free one.</summary>
    public static int ChoosePort(int wanted)
    {
        try
        {
            using var probe = new TcpListener(IPAddress.Loopback, wanted);
            probe.Start();
            probe.Stop();
            return wanted;
        }
        catch (SocketException)
        {
            using var any = new TcpListener(IPAddress.Loopback, 0);
            any.Start();
            return ((IPEndPoint)any.LocalEndpoint).Port;
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None)
            .WithDefaultEndpointPort(_port)
            .WithPersistentSessions()
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(options);
        await _server.StartAsync().ConfigureAwait(false);
        AgentLog.EmbeddedBrokerStarted(_logger, _port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync().ConfigureAwait(false);
        }
    }

    public void Dispose() => _server?.Dispose();
}
