using System.Device.I2c;

namespace PvEdge.EdgeAgent.Acquisition.Sensors;

/// <summary>A sensor chip on an <see cref="I2cDevice"/> driven through an Iot.Device binding that is created on the first read
/// (binding constructors talk to the chip, and a chip absent at start-up must read as missing, not stop the agent).
/// The dotnet/iot bindings used here (Bmxx80, Ads1115) always dispose the device they were given, so the binding is only
/// disposed when this source owns the bus (<c>shouldDispose</c>).</summary>
public abstract class I2cSensorSource : SensorSource
{
    private readonly bool _shouldDispose;

    protected I2cSensorSource(SensorConfig config, I2cDevice device, TimeProvider time, bool shouldDispose)
        : base(config, time)
    {
        Device = device ?? throw new ArgumentNullException(nameof(device));
        _shouldDispose = shouldDispose;
    }

    protected I2cDevice Device { get; }

    /// <summary>The binding once created; set back to null after a bus error so that the next try starts afresh.</summary>
    protected IDisposable? Binding { get; set; }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _shouldDispose)
        {
            try
            {
                (Binding ?? Device).Dispose();
            }
            catch (IOException)
            {
                // Ads1115 writes its comparator registers on dispose; an absent chip cannot take them.
                Device.Dispose();
            }
        }
        Binding = null;
    }
}
