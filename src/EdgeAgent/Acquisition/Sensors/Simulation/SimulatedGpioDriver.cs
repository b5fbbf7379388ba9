using System.Device.Gpio;

namespace PvEdge.EdgeAgent.Acquisition.Sensors.Simulation;

/// <summary>A GPIO driver for a 28-pin header (BCM 0–27) whose inputs change when a test or the demo says so.
/// Each edge is stamped by advancing the <see cref="SimulationClock"/> first, then raising the pin's callbacks synchronously,
/// as the kernel's event thread would.</summary>
public sealed class SimulatedGpioDriver : GpioDriver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, (PinMode Mode, PinValue Value)> _pins = [];
    private readonly Dictionary<int, List<(PinEventTypes Types, PinChangeEventHandler Handler)>> _callbacks = [];

    public SimulatedGpioDriver(SimulationClock clock)
    {
        Clock = clock ?? throw new ArgumentNullException(nameof(clock));
    }

    public SimulationClock Clock { get; }

    protected override int PinCount => 28;

    /// <summary>Pins currently open, for ownership checks.</summary>
    public IReadOnlyCollection<int> OpenPins
    {
        get
        {
            lock (_gate)
            {
                return _pins.Keys.ToList();
            }
        }
    }

    public PinMode ModeOf(int pin)
    {
        lock (_gate)
        {
            return _pins[pin].Mode;
        }
    }

    /// <summary>Moves the clock by <paramref name="after"/> and drives the pin to <paramref name="edge"/>'s level.</summary>
    public void Edge(int pin, PinEventTypes edge, TimeSpan after = default)
    {
        Clock.Advance(after);
        List<PinChangeEventHandler> handlers;
        lock (_gate)
        {
            if (_pins.TryGetValue(pin, out var state))
            {
                _pins[pin] = (state.Mode, edge == PinEventTypes.Falling ? PinValue.Low : PinValue.High);
            }
            handlers = _callbacks.TryGetValue(pin, out var list)
                ? list.Where(c => (c.Types & edge) != 0).Select(c => c.Handler).ToList()
                : [];
        }
        var args = new PinValueChangedEventArgs(edge, pin);
        foreach (var h in handlers)
        {
            h(this, args);
        }
    }

    /// <summary>One pulse, line low for <paramref name="width"/>, starting <paramref name="after"/> from now. With a bounce,
    /// the contact chatters <paramref name="bounceEdges"/> extra times over <paramref name="bounce"/> on closing and on opening.
    /// The clock ends at the pulse's end (after the opening bounce).</summary>
    public void Pulse(int pin, TimeSpan width, TimeSpan after = default, TimeSpan bounce = default, int bounceEdges = 0)
    {
        Edge(pin, PinEventTypes.Falling, after);
        Chatter(pin, bounce, bounceEdges, closing: true);
        Clock.Advance(width - (bounceEdges > 0 ? bounce : TimeSpan.Zero));
        Edge(pin, PinEventTypes.Rising);
        Chatter(pin, bounce, bounceEdges, closing: false);
    }

    /// <summary><paramref name="count"/> pulses at <paramref name="hz"/>, each low for <paramref name="width"/>.</summary>
    public void PulseTrain(int pin, double hz, int count, TimeSpan width, TimeSpan bounce = default, int bounceEdges = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hz);
        var period = TimeSpan.FromSeconds(1.0 / hz);
        for (var i = 0; i < count; i++)
        {
            var start = Clock.GetUtcNow();
            Pulse(pin, width, TimeSpan.Zero, bounce, bounceEdges);
            var left = period - (Clock.GetUtcNow() - start);
            Clock.Advance(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
    }

    /// <summary>Pairs of opposite edges spread evenly over <paramref name="bounce"/>, the last one exactly at its end, ending at the settled level.</summary>
    private void Chatter(int pin, TimeSpan bounce, int edges, bool closing)
    {
        if (edges <= 0)
        {
            return;
        }
        var start = Clock.GetUtcNow();
        for (var k = 1; k <= 2 * edges; k++)
        {
            var at = start + TimeSpan.FromTicks(bounce.Ticks * k / (2 * edges));
            var away = k % 2 == 1;
            Edge(pin, closing == away ? PinEventTypes.Rising : PinEventTypes.Falling, at - Clock.GetUtcNow());
        }
    }

    protected override void OpenPin(int pinNumber)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)pinNumber, (uint)PinCount, nameof(pinNumber));
        lock (_gate)
        {
            _pins[pinNumber] = (PinMode.Input, PinValue.High);
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            _pins.Remove(pinNumber);
            _callbacks.Remove(pinNumber);
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_gate)
        {
            var value = mode == PinMode.InputPullDown ? PinValue.Low : PinValue.High;
            _pins[pinNumber] = (mode, value);
        }
    }

    protected override PinMode GetPinMode(int pinNumber) => ModeOf(pinNumber);

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) =>
        mode is PinMode.Input or PinMode.InputPullUp or PinMode.InputPullDown or PinMode.Output;

    protected override PinValue Read(int pinNumber)
    {
        lock (_gate)
        {
            return _pins[pinNumber].Value;
        }
    }

    protected override void Write(int pinNumber, PinValue value)
    {
        lock (_gate)
        {
            _pins[pinNumber] = (_pins[pinNumber].Mode, value);
        }
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        using var signal = new ManualResetEventSlim();
        PinEventTypes seen = PinEventTypes.None;
        void Handler(object sender, PinValueChangedEventArgs e)
        {
            seen = e.ChangeType;
            signal.Set();
        }
        AddCallbackForPinValueChangedEvent(pinNumber, eventTypes, Handler);
        try
        {
            signal.Wait(cancellationToken);
            return new WaitForEventResult { EventTypes = seen, TimedOut = false };
        }
        catch (OperationCanceledException)
        {
            return new WaitForEventResult { EventTypes = PinEventTypes.None, TimedOut = true };
        }
        finally
        {
            RemoveCallbackForPinValueChangedEvent(pinNumber, Handler);
        }
    }

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            if (!_callbacks.TryGetValue(pinNumber, out var list))
            {
                _callbacks[pinNumber] = list = [];
            }
            list.Add((eventTypes, callback));
        }
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            if (_callbacks.TryGetValue(pinNumber, out var list))
            {
                list.RemoveAll(c => c.Handler == callback);
            }
        }
    }
}
