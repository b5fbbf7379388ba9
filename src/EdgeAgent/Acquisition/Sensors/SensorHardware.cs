using System.Device.Gpio;
using System.Device.I2c;

namespace PvEdge.EdgeAgent.Acquisition.Sensors;

/// <summary>The buses a gateway offers its sensors: real ones on a Pi (<see cref="RaspberryPiSensorHardware"/>) or the simulated
/// twins (<see cref="Simulation.SimulatedSensorHardware"/>). The hardware object owns the shared GPIO controller; each I²C device
/// it opens belongs to the caller.</summary>
public interface ISensorHardware : IDisposable
{
    /// <summary>"Raspberry Pi header" or "simulated twins".</summary>
    string Description { get; }

    /// <summary>The clock the sources stamp readings and pulse edges with.</summary>
    TimeProvider Time { get; }

    /// <summary>The chip at <paramref name="address"/> on /dev/i2c-<paramref name="bus"/>; the caller disposes it.</summary>
    I2cDevice OpenI2c(int bus, int address);

    /// <summary>The header's GPIO controller, shared by every pulse input and disposed with the hardware.</summary>
    GpioController Gpio { get; }

    OneWireThermometerReader OneWire(string devicesRoot);

    /// <summary>Lets pulses accumulate for <paramref name="span"/>: waits on real hardware, advances the simulation.</summary>
    Task SettleAsync(TimeSpan span, CancellationToken cancellationToken);
}

/// <summary>The Pi's own buses through System.Device.Gpio: /dev/i2c-N, /dev/gpiochip0 (libgpiod), /sys/bus/w1/devices.
/// Enable them with <c>dtparam=i2c_arm=on</c> and <c>dtoverlay=w1-gpio</c> in /boot/firmware/config.txt.</summary>
public sealed class RaspberryPiSensorHardware : ISensorHardware
{
    private readonly Lazy<GpioController> _gpio = new(() => new GpioController());

    public RaspberryPiSensorHardware(TimeProvider time)
    {
        Time = time ?? throw new ArgumentNullException(nameof(time));
    }

    public string Description => "Raspberry Pi header";

    public TimeProvider Time { get; }

    public GpioController Gpio => _gpio.Value;

    public I2cDevice OpenI2c(int bus, int address) => I2cDevice.Create(new I2cConnectionSettings(bus, address));

    public OneWireThermometerReader OneWire(string devicesRoot) => new(devicesRoot);

    public Task SettleAsync(TimeSpan span, CancellationToken cancellationToken) => Task.Delay(span, Time, cancellationToken);

    public void Dispose()
    {
        if (_gpio.IsValueCreated)
        {
            _gpio.Value.Dispose();
        }
    }
}
