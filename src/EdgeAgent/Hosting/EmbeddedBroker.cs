using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet.Server;
using PvEdge.EdgeAgent.Publishing;

namespace PvEdge.EdgeAgent.Hosting;

/// <summary>The demo's MQTT broker (MQTTnet.Server) on 127.0.0.1 only. Registered before the publisher so it listens first.
/// It binds the endpoint's port, or a free one when that is taken (asking the system for a free port and binding it are two steps,
/// so another program may take it in between: it tries again), and writes the port it got back into the shared
/// <see cref="BrokerEndpoint"/> (the publisher and the console read it after the broker has started).</summary>
public sealed class EmbeddedBroker : IHostedService, IDisposable
{
    private const int Attempts = 5;
    private readonly BrokerEndpoint _endpoint;
    private readonly ILogger<EmbeddedBroker> _logger;
    private MqttServer? _server;

    public EmbeddedBroker(BrokerEndpoint endpoint, ILogger<EmbeddedBroker> logger)
    {
        _endpoint = endpoint;
        _logger = logger;
    }

    public int Port => _endpoint.Port;

    private static int FreePort()
    {
        using var any = new TcpListener(IPAddress.Loopback, 0);
        any.Start();
        return ((IPEndPoint)any.LocalEndpoint).Port;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var wanted = _endpoint.Port;
        var port = wanted;
        for (var attempt = 1; ; attempt++)
        {
            var options = new MqttServerOptionsBuilder()
                .WithDefaultEndpoint()
                .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
                .WithDefaultEndpointBoundIPV6Address(IPAddress.None)
                .WithDefaultEndpointPort(port)
                .WithPersistentSessions()
                .Build();
            var server = new MqttServerFactory().CreateMqttServer(options);
            try
            {
                await server.StartAsync().ConfigureAwait(false);
                _server = server;
                break;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < Attempts)
            {
                server.Dispose();
                port = FreePort();
            }
        }
        if (port != wanted)
        {
            AgentLog.EmbeddedBrokerPortTaken(_logger, wanted, port);
        }
        _endpoint.Port = port;
        AgentLog.EmbeddedBrokerStarted(_logger, port);
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
