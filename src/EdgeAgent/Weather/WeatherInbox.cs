using System.Threading.Channels;

namespace PvEdge.EdgeAgent.Weather;

/// <summary>Raw weather messages received on the MQTT input topic, handed from the publisher (which owns the connection) to the weather service.
/// Bounded; a flood keeps only the newest messages.</summary>
public sealed class WeatherInbox
{
    public Channel<string> Messages { get; } = Channel.CreateBounded<string>(new BoundedChannelOptions(8)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });
}
