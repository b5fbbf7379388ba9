using System.Collections.Concurrent;

namespace PvEdge.Modbus.Client;

/// <summary>Options of a <see cref="ModbusBridge"/>.</summary>
public sealed class ModbusBridgeOptions
{
    /// <summary>Pause between the end of one request and the start of the next (some inverters need 50–100 ms).</summary>
    public TimeSpan InterRequestDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Consecutive failed requests (timeouts, transport and protocol errors) after which a unit id is set aside.</summary>
    public int FailuresBeforeSetAside { get; set; } = 3;

    /// <summary>How long a failing unit id is set aside; afterwards one request is tried again.</summary>
    public TimeSpan SetAsideFor { get; set; } = TimeSpan.FromSeconds(30);

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(InterRequestDelay, TimeSpan.Zero, nameof(InterRequestDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(FailuresBeforeSetAside, 1, nameof(FailuresBeforeSetAside));
        ArgumentOutOfRangeException.ThrowIfLessThan(SetAsideFor, TimeSpan.Zero, nameof(SetAsideFor));
    }
}

/// <summary>The one owner of a Modbus endpoint (many inverters accept a single TCP client; an RS-485 bus carries one request at a time).
/// Devices never own sockets: they ask the bridge, which queues requests from every device and unit id, spaces them by the
/// inter-request delay, and sets aside unit ids that keep failing so that one dead device does not starve the others.</summary>
public sealed class ModbusBridge : IModbusRegisterReader, IAsyncDisposable
{
    private readonly ModbusClient _client;
    private readonly ModbusBridgeOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _queue = new(1, 1);
    private readonly ConcurrentDictionary<byte, UnitHealth> _health = new();
    private long _lastRequestEndTimestamp;

    public ModbusBridge(ModbusClient client, ModbusBridgeOptions? options = null, TimeProvider? timeProvider = null)
    {
        _client = client;
        _options = options ?? new ModbusBridgeOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
    }

    public string Endpoint => _client.Endpoint;

    /// <summary>Runs one operation against <paramref name="unitId"/> in its turn. Throws <see cref="ModbusUnitSetAsideException"/> without
    /// touching the wire while the unit is set aside; every other failure is the client's typed <see cref="ModbusException"/>.</summary>
    public async Task<T> ExecuteAsync<T>(byte unitId, Func<ModbusClient, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        var health = _health.GetOrAdd(unitId, _ => new UnitHealth());
        var now = _time.GetUtcNow();
        if (health.SetAsideUntil is { } until && now < until)
        {
            throw new ModbusUnitSetAsideException(unitId, until, health.LastError ?? "unknown");
        }
        await _queue.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_options.InterRequestDelay > TimeSpan.Zero && _lastRequestEndTimestamp != 0)
            {
                var wait = _options.InterRequestDelay - _time.GetElapsedTime(_lastRequestEndTimestamp);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                }
            }
            try
            {
                var result = await operation(_client, cancellationToken).ConfigureAwait(false);
                health.Succeeded();
                return result;
            }
            catch (ModbusExceptionResponse)
            {
                health.Succeeded(); // the device answered: it is alive
                throw;
            }
            catch (ModbusException ex)
            {
                health.Failed(ex.Message, _options, _time.GetUtcNow());
                throw;
            }
        }
        finally
        {
            _lastRequestEndTimestamp = _time.GetTimestamp();
            _queue.Release();
        }
    }

    public Task ReadHoldingRegistersAsync(byte unitId, ushort address, Memory<ushort> destination, CancellationToken cancellationToken) =>
        ExecuteAsync(unitId, async (c, ct) =>
        {
            await c.ReadHoldingRegistersAsync(unitId, address, destination, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task ReadInputRegistersAsync(byte unitId, ushort address, Memory<ushort> destination, CancellationToken cancellationToken) =>
        ExecuteAsync(unitId, async (c, ct) =>
        {
            await c.ReadInputRegistersAsync(unitId, address, destination, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task<ushort[]> ReadHoldingRegistersAsync(byte unitId, ushort address, int count, CancellationToken cancellationToken) =>
        ExecuteAsync(unitId, (c, ct) => c.ReadHoldingRegistersAsync(unitId, address, count, ct), cancellationToken);

    public Task<ushort[]> ReadInputRegistersAsync(byte unitId, ushort address, int count, CancellationToken cancellationToken) =>
        ExecuteAsync(unitId, (c, ct) => c.ReadInputRegistersAsync(unitId, address, count, ct), cancellationToken);

    public Task WriteMultipleRegistersAsync(byte unitId, ushort address, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken) =>
        ExecuteAsync(unitId, async (c, ct) =>
        {
            await c.WriteMultipleRegistersAsync(unitId, address, values, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>True while <paramref name="unitId"/> is set aside after repeated failures.</summary>
    public bool IsSetAside(byte unitId) =>
        _health.TryGetValue(unitId, out var h) && h.SetAsideUntil is { } until && _time.GetUtcNow() < until;

    public ValueTask DisposeAsync()
    {
        _queue.Dispose();
        return _client.DisposeAsync();
    }

    private sealed class UnitHealth
    {
        private int _failures;

        public DateTimeOffset? SetAsideUntil { get; private set; }

        public string? LastError { get; private set; }

        public void Succeeded()
        {
            _failures = 0;
            SetAsideUntil = null;
        }

        public void Failed(string error, ModbusBridgeOptions options, DateTimeOffset now)
        {
            LastError = error;
            _failures++;
            if (_failures >= options.FailuresBeforeSetAside)
            {
                SetAsideUntil = now + options.SetAsideFor;
                _failures = options.FailuresBeforeSetAside - 1; // after the pause one more failure sets it aside again
            }
        }
    }
}
