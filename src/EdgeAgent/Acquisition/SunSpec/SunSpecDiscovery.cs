using PvEdge.Modbus;
using PvEdge.Modbus.Client;

namespace PvEdge.EdgeAgent.Acquisition.SunSpec;

/// <summary>Where one model sits: <paramref name="Address"/> is the register holding its ID; the body starts at Address + 2.</summary>
public sealed record SunSpecModelLocation(int Id, ushort Address, ushort Length);

/// <summary>A SunSpec device found at one unit id: where its 'SunS' marker is and its model chain.</summary>
public sealed record SunSpecDevice(byte UnitId, ushort BaseAddress, IReadOnlyList<SunSpecModelLocation> Models)
{
    public SunSpecModelLocation? Find(params int[] ids) => Models.FirstOrDefault(m => ids.Contains(m.Id));
}

/// <summary>Finds the 'SunS' marker (0x5375 0x6E53) at 40000, then 0, then 50000, and walks the model chain to the end marker 0xFFFF.</summary>
public static class SunSpecDiscovery
{
    public static IReadOnlyList<ushort> BaseAddresses { get; } = [40000, 0, 50000];

    private const ushort MarkerHigh = 0x5375; // "Su"
    private const ushort MarkerLow = 0x6E53;  // "nS"
    private const int MaxModels = 64;

    /// <summary>Returns the device, or null when the unit answers but carries no SunSpec marker at any base address.
    /// Throws the last <see cref="ModbusException"/> when the unit never answered at all (timeout, transport error).</summary>
    public static async Task<SunSpecDevice?> DiscoverAsync(IModbusRegisterReader reader, byte unitId, CancellationToken cancellationToken)
    {
        var marker = new ushort[2];
        ModbusException? silence = null;
        var answered = false;
        foreach (var baseAddress in BaseAddresses)
        {
            try
            {
                await reader.ReadHoldingRegistersAsync(unitId, baseAddress, marker, cancellationToken).ConfigureAwait(false);
                answered = true;
            }
            catch (ModbusExceptionResponse)
            {
                answered = true;
                continue;
            }
            catch (ModbusProtocolException)
            {
                answered = true;
                continue;
            }
            catch (ModbusException ex) when (ex is ModbusTimeoutException)
            {
                silence = ex;
                continue;
            }
            if (marker[0] == MarkerHigh && marker[1] == MarkerLow)
            {
                return new SunSpecDevice(unitId, baseAddress, await WalkAsync(reader, unitId, (ushort)(baseAddress + 2), cancellationToken).ConfigureAwait(false));
            }
        }
        if (!answered && silence is not null)
        {
            throw silence;
        }
        return null;
    }

    private static async Task<List<SunSpecModelLocation>> WalkAsync(IModbusRegisterReader reader, byte unitId, ushort address, CancellationToken cancellationToken)
    {
        var models = new List<SunSpecModelLocation>();
        var header = new ushort[2];
        while (models.Count < MaxModels && address <= 65534)
        {
            try
            {
                await reader.ReadHoldingRegistersAsync(unitId, address, header, cancellationToken).ConfigureAwait(false);
            }
            catch (ModbusExceptionResponse) when (models.Count > 0)
            {
                break; // chain ends without an end marker: keep what was found
            }
            var (id, length) = (header[0], header[1]);
            if (id is 0xFFFF or 0)
            {
                break;
            }
            models.Add(new SunSpecModelLocation(id, address, length));
            var next = address + 2 + length;
            if (next > 65534)
            {
                break;
            }
            address = (ushort)next;
        }
        return models;
    }

    /// <summary>Reads and decodes one model; null for a model the catalog does not define.</summary>
    public static async Task<SunSpecModelValues?> ReadModelAsync(IModbusRegisterReader reader, byte unitId, SunSpecModelLocation location, SunSpecModelCatalog catalog, CancellationToken cancellationToken)
    {
        if (!catalog.TryGet(location.Id, out var definition) || location.Length == 0 && definition.FixedLength > 0)
        {
            return null;
        }
        var body = new ushort[location.Length];
        if (body.Length > 0)
        {
            await reader.ReadHoldingRegistersAsync(unitId, (ushort)(location.Address + 2), body, cancellationToken).ConfigureAwait(false);
        }
        return SunSpecDecoder.Decode(definition, location.Address, body);
    }
}
