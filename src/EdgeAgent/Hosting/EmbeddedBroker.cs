using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet.Server;
using PvEdge.EdgeAgent.Publishing;

namespace PvEdge.EdgeAgent.Hosting;

/// <summary>The demo's MQTT broker (MQTTnet.Server) on 127.0.0.1 only. Registered before the publisher so it listens first.
/// It binds the endpoint's port when free, else a free one, and writes the port it got back into the shared
/// <see cref="BrokerEndpoint"/> (the publisher and the console read it after the broker has started): choosing a port and binding
/// it are two steps, and another program (a second demo started at the same moment) may take it in between.</summary>
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

    /// <summary>The wanted port when it is free on 127.0.0.1, else a free one.</summary>
    private static int ChoosePort(int wanted)
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
            return FreePort();
        }
    }

    private static int FreePort()
    {
        using var any = new TcpListener(IPAddress.Loopback, 0);
        any.Start();
        return ((IPEndPoint)any.LocalEndpoint).Port;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var wanted = _endpoint.Port;
        var port = ChoosePort(wanted);
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
