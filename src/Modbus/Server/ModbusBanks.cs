namespace PvEdge.Modbus.Server;

/// <summary>A 16-bit register space (holding or input registers) in which only mapped addresses exist:
/// a request touching an unmapped address gets exception 02 (illegal data address).</summary>
public sealed class RegisterBank
{
    private readonly ushort[] _values = new ushort[65536];
    private readonly ulong[] _mapped = new ulong[65536 / 64];

    /// <summary>Makes <paramref name="count"/> registers from <paramref name="start"/> exist (value 0).</summary>
    public void Map(int start, int count)
    {
        Check(start, count);
        for (var a = start; a < start + count; a++)
        {
            _mapped[a >> 6] |= 1UL << (a & 63);
        }
    }

    /// <summary>Maps and sets registers in one call.</summary>
    public void Load(int start, ReadOnlySpan<ushort> values)
    {
        Map(start, values.Length);
        values.CopyTo(_values.AsSpan(start));
    }

    public bool IsMapped(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > 65536)
        {
            return false;
        }
        for (var a = start; a < start + count; a++)
        {
            if ((_mapped[a >> 6] & (1UL << (a & 63))) == 0)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The value at a mapped address (0 for an unmapped one).</summary>
    public ushort this[int address]
    {
        get => _values[address];
        set => _values[address] = value;
    }

    /// <summary>Copies registers out; false (nothing copied) if any address is unmapped.</summary>
    public bool TryRead(int start, Span<ushort> destination)
    {
        if (!IsMapped(start, destination.Length))
        {
            return false;
        }
        _values.AsSpan(start, destination.Length).CopyTo(destination);
        return true;
    }

    /// <summary>Copies registers in; false (nothing written) if any address is unmapped.</summary>
    public bool TryWrite(int start, ReadOnlySpan<ushort> values)
    {
        if (!IsMapped(start, values.Length))
        {
            return false;
        }
        values.CopyTo(_values.AsSpan(start));
        return true;
    }

    /// <summary>A read-only view of the raw register array (index = address).</summary>
    public ReadOnlySpan<ushort> Raw => _values;

    private static void Check(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, 65536, nameof(count));
    }
}

/// <summary>A 1-bit space (coils or discrete inputs) with mapped addresses only.</summary>
public sealed class BitBank
{
    private readonly bool[] _values = new bool[65536];
    private readonly bool[] _mapped = new bool[65536];

    public void Map(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, 65536, nameof(count));
        _mapped.AsSpan(start, count).Fill(true);
    }

    public bool IsMapped(int start, int count) =>
        start >= 0 && count >= 0 && start + count <= 65536 && !_mapped.AsSpan(start, count).Contains(false);

    public bool this[int address]
    {
        get => _values[address];
        set => _values[address] = value;
    }

    public bool TryRead(int start, Span<bool> destination)
    {
        if (!IsMapped(start, destination.Length))
        {
            return false;
        }
        _values.AsSpan(start, destination.Length).CopyTo(destination);
        return true;
    }

    public bool TryWrite(int start, ReadOnlySpan<bool> values)
    {
        if (!IsMapped(start, values.Length))
        {
            return false;
        }
        values.CopyTo(_values.AsSpan(start));
        return true;
    }
}

/// <summary>The data of one unit id (slave address): four banks and the lock that guards them.
/// Writers outside the server (a simulator refreshing values) take <see cref="SyncRoot"/> too.</summary>
public sealed class ModbusUnit(byte unitId)
{
    public byte UnitId { get; } = unitId;

    public RegisterBank HoldingRegisters { get; } = new();

    public RegisterBank InputRegisters { get; } = new();

    public BitBank Coils { get; } = new();

    public BitBank DiscreteInputs { get; } = new();

    public Lock SyncRoot { get; } = new();
}

/// <summary>What a fault hook tells the server to do with one request.</summary>
public enum ModbusServerFault
{
    /// <summary>Answer normally.</summary>
    None,
    /// <summary>Never answer (a stalled device).</summary>
    Stall,
    /// <summary>Answer with a corrupt frame (wrong byte count on TCP, bad CRC on RTU).</summary>
    Malformed,
}

/// <summary>One decoded request, as the hooks see it.</summary>
public readonly record struct ModbusRequestInfo(byte UnitId, ModbusFunctionCode Function, ushort Address, ushort Count);

/// <summary>The units a server answers for, and its hooks.</summary>
public sealed class ModbusServerModel
{
    private readonly ModbusUnit?[] _units = new ModbusUnit?[256];

    /// <summary>Adds (or returns) the unit with this id.</summary>
    public ModbusUnit AddUnit(byte unitId) => _units[unitId] ??= new ModbusUnit(unitId);

    public ModbusUnit? Unit(byte unitId) => _units[unitId];

    /// <summary>Called before each request is served, outside the unit lock (a simulator refreshes its registers here).</summary>
    public Action<ModbusRequestInfo>? BeforeRequest { get; set; }

    /// <summary>Decides whether a request is answered, stalled or answered with a corrupt frame.</summary>
    public Func<ModbusRequestInfo, ModbusServerFault>? Fault { get; set; }

    /// <summary>Requests served (answered or not).</summary>
    public long RequestsServed => Interlocked.Read(ref _served);

    private long _served;

    internal void CountRequest() => Interlocked.Increment(ref _served);
}
