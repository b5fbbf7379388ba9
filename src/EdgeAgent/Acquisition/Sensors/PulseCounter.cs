using System.Device.Gpio;

namespace PvEdge.EdgeAgent.Acquisition.Sensors;

/// <summary>The state of a <see cref="PulseCounter"/> at one instant. Timestamps are <see cref="TimeProvider.GetTimestamp"/> ticks.</summary>
public readonly record struct PulseSnapshot(long Count, long RejectedEdges, long? FirstPulseTicks, long? LastPulseTicks, long NowTicks);

/// <summary>Counts pulses on one GPIO input from edge callbacks: a pulse starts at a falling edge (an open-collector S0 output or a
/// reed switch pulling the input low against the pull-up). Debouncing: an edge closer than <c>debounce</c> to the previous edge of
/// either direction is bounce and is not counted, so a contact that chatters for less than <c>debounce</c> on closing or on
/// opening counts once. Both edges are watched for that reason: bounce on opening also produces falling edges.</summary>
public sealed class PulseCounter : IDisposable
{
    private readonly GpioController _controller;
    private readonly bool _shouldDispose;
    private readonly int _pin;
    private readonly long _debounceTicks;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private long _count;
    private long _rejected;
    private long? _firstPulse;
    private long? _lastPulse;
    private long? _lastEdge;
    private bool _open;

    /// <param name="controller">The GPIO controller; with <paramref name="shouldDispose"/> false it stays open for other users.</param>
    public PulseCounter(GpioController controller, int pin, TimeSpan debounce, TimeProvider time, bool shouldDispose = false)
    {
        _controller = controller ?? throw new ArgumentNullException(nameof(controller));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _pin = pin;
        _shouldDispose = shouldDispose;
        _debounceTicks = (long)(debounce.TotalSeconds * time.TimestampFrequency);
    }

    public int Pin => _pin;

    /// <summary>Opens the pin with its pull-up and starts counting; false with the reason when the pin cannot be opened
    /// (in use by another process, no permission on /dev/gpiochip0). Safe to call again after a failure.</summary>
    public bool TryStart(out string? failure)
    {
        lock (_gate)
        {
            if (_open)
            {
                failure = null;
                return true;
            }
        }
        try
        {
            var mode = _controller.IsPinModeSupported(_pin, PinMode.InputPullUp) ? PinMode.InputPullUp : PinMode.Input;
            _controller.OpenPin(_pin, mode);
            _controller.RegisterCallbackForPinValueChangedEvent(_pin, PinEventTypes.Falling | PinEventTypes.Rising, OnPinChanged);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            failure = $"cannot watch GPIO {_pin}: {ex.Message}";
            return false;
        }
        lock (_gate)
        {
            _open = true;
        }
        failure = null;
        return true;
    }

    public PulseSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new PulseSnapshot(_count, _rejected, _firstPulse, _lastPulse, _time.GetTimestamp());
        }
    }

    private void OnPinChanged(object sender, PinValueChangedEventArgs e) => OnEdge(e.ChangeType, _time.GetTimestamp());

    /// <summary>One edge at <paramref name="timestamp"/> (ticks of the injected <see cref="TimeProvider"/>).</summary>
    internal void OnEdge(PinEventTypes edge, long timestamp)
    {
        lock (_gate)
        {
            var quiet = _lastEdge is not { } previous || timestamp - previous >= _debounceTicks;
            _lastEdge = timestamp;
            if ((edge & PinEventTypes.Falling) == 0)
            {
                return;
            }
            if (!quiet)
            {
                _rejected++;
                return;
            }
            _count++;
            _firstPulse ??= timestamp;
            _lastPulse = timestamp;
        }
    }

    public void Dispose()
    {
        bool wasOpen;
        lock (_gate)
        {
            wasOpen = _open;
            _open = false;
        }
        if (wasOpen)
        {
            try
            {
                _controller.UnregisterCallbackForPinValueChangedEvent(_pin, OnPinChanged);
                _controller.ClosePin(_pin);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException or IOException)
            {
                // The controller was already closed by its owner.
            }
        }
        if (_shouldDispose)
        {
            _controller.Dispose();
        }
    }
}
