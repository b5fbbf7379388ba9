using System.Collections.Concurrent;
using MQTTnet;
using MQTTnet.Protocol;
using PvEdge.TestSupport;

namespace PvEdge.Integration.Tests.EdgeAgent;

/// <summary>A subscriber that keeps (re)connecting to the broker every 50 ms and records every message on pvedge/# and homeassistant/#.
/// With <c>persistentSession</c> it connects with clean session off and a session expiry of an hour (MQTTnet speaks MQTT 5, where
/// a session with the default expiry of 0 ends with its connection), so a broker that keeps sessions queues what arrives while it
/// is away.</summary>
internal sealed class MessageCollector : IAsyncDisposable
{
    private readonly int _port;
    private readonly bool _persistent;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public MessageCollector(int port, bool persistentSession = false)
    {
        _port = port;
        _persistent = persistentSession;
        _loop = Task.Run(LoopAsync);
    }

    public ConcurrentQueue<(string Topic, string Payload, bool Retain)> Messages { get; } = new();

    public bool IsConnected { get; private set; }

    /// <summary>While set, the collector does not reconnect once its connection is gone (what it missed meanwhile must come
    /// from its session on the broker).</summary>
    public bool Paused { get; set; }

    private async Task LoopAsync()
    {
        var factory = new MqttClientFactory();
        while (!_stop.IsCancellationRequested)
        {
            if (Paused)
            {
                try
                {
                    await Task.Delay(50, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            using var client = factory.CreateMqttClient();
            client.ApplicationMessageReceivedAsync += e =>
            {
                Messages.Enqueue((e.ApplicationMessage.Topic, e.ApplicationMessage.ConvertPayloadToString() ?? "", e.ApplicationMessage.Retain));
                return Task.CompletedTask;
            };
            try
            {
                var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _port).WithClientId("itest-subscriber").WithCleanSession(!_persistent)
                    .WithSessionExpiryInterval(_persistent ? 3600u : 0u)
                    .WithTimeout(TimeSpan.FromSeconds(2)).Build();
                await client.ConnectAsync(options, _stop.Token);
                await client.SubscribeAsync(factory.CreateSubscribeOptionsBuilder()
                    .WithTopicFilter("pvedge/#", MqttQualityOfServiceLevel.AtLeastOnce)
                    .WithTopicFilter("homeassistant/#", MqttQualityOfServiceLevel.AtLeastOnce).Build(), _stop.Token);
                IsConnected = true;
                while (client.IsConnected && !_stop.IsCancellationRequested)
                {
                    await Task.Delay(25, _stop.Token);
                }
            }
            catch (Exception) when (!_stop.IsCancellationRequested)
            {
                // broker away: try again
            }
            catch (OperationCanceledException)
            {
                return;
            }
            IsConnected = false;
            try
            {
                await Task.Delay(50, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public List<(string Topic, string Payload, bool Retain)> On(string topic) => Messages.Where(m => m.Topic == topic).ToList();

    public Task<bool> WaitForAsync(Func<MessageCollector, bool> condition, TimeSpan timeout) => Poll.UntilAsync(() => condition(this), timeout);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
