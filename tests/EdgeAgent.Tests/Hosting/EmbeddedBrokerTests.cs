using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Publishing;
using Xunit;

namespace PvEdge.EdgeAgent.Tests.Hosting;

public sealed class EmbeddedBrokerTests
{
    [Fact]
    public async Task Start_WantedPortTaken_ListensOnAnotherAndUpdatesTheEndpoint()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var endpoint = new BrokerEndpoint("127.0.0.1", taken);
        using var broker = new EmbeddedBroker(endpoint, NullLogger<EmbeddedBroker>.Instance);
        await broker.StartAsync(CancellationToken.None);
        try
        {
            Assert.NotEqual(taken, endpoint.Port);
            Assert.Equal(endpoint.Port, broker.Port);
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, endpoint.Port);
            Assert.True(client.Connected);
        }
        finally
        {
            await broker.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Start_WantedPortFree_ListensOnIt()
    {
        var free = PvEdge.TestSupport.ExternalTools.FreeTcpPort();
        var endpoint = new BrokerEndpoint("127.0.0.1", free);
        using var broker = new EmbeddedBroker(endpoint, NullLogger<EmbeddedBroker>.Instance);
        await broker.StartAsync(CancellationToken.None);
        try
        {
            Assert.Equal(free, endpoint.Port);
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, free);
            Assert.True(client.Connected);
        }
        finally
        {
            await broker.StopAsync(CancellationToken.None);
        }
    }
}
