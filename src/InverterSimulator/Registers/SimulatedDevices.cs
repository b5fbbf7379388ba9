using PvEdge.Modbus.Server;

namespace PvEdge.InverterSimulator.Registers;

/// <summary>Name plate of a simulated device (SunSpec model 1).</summary>
public sealed record DeviceIdentity(string Manufacturer, string Model, string Serial, string Firmware);

/// <summary>What the inverter publishes at one refresh.</summary>
public sealed record InverterOutput(double AcPowerW, IReadOnlyList<double> DcPowerW, IReadOnlyList<double> DcVoltageV, double EnergyWh,
    IReadOnlyList<double> MpptEnergyWh, int State, double GridVoltageV, double FrequencyHz, double CabinetTempC);

/// <summary>What the met station publishes at one refresh.</summary>
public sealed record MetOutput(double GhiWm2, double PoaWm2, double DhiWm2, double DniWm2, double TempModuleC, double TempAirC, double WindSpeedMs);

/// <summary>A SunSpec inverter on one unit: models 1, 103 (three-phase, integer + scale factors), 120 and 160 with two MPPTs.</summary>
public sealed class SimulatedInverter
{
    // scale factors published in the image
    private const int ASf = -2, VSf = -1, WSf = 0, HzSf = -2, PfSf = -1, WhSf = 0, DcaSf = -2, DcvSf = -1, DcwSf = 0, TmpSf = -1;
    private readonly ModbusUnit _unit;
    private readonly SunSpecImage _image;
    private readonly ushort _m103;
    private readonly ushort _m160;

    public SimulatedInverter(ModbusUnit unit, DeviceIdentity identity, double ratingW, int mpptCount = 2)
    {
        _unit = unit;
        _image = new SunSpecImage(unit.HoldingRegisters);
        lock (unit.SyncRoot)
        {
            WriteCommon(_image, _image.AddModel(1, 66), identity, unit.UnitId);
            _m103 = _image.AddModel(103, 50);
            var m120 = _image.AddModel(120, 26);
            _m160 = _image.AddModel(160, (ushort)(8 + 20 * mpptCount));
            _image.End();

            // model 120: nameplate, only ratings we know; everything else "not implemented"
            for (var o = 0; o < 25; o++)
            {
                _image.NotImplemented16(m120 + o, signed: o is 2 or 4 or (>= 5 and <= 9) or 11 or (>= 12 and <= 16) or 18 or 20 or 22 or 24);
            }
            _image.Raw(m120 + 0, 4); // DERTyp = PV
            _image.Uint16(m120 + 1, ratingW); // WRtg
            _image.Int16(m120 + 2, 0); // WRtg_SF
            _image.Uint16(m120 + 3, ratingW); // VARtg
            _image.Int16(m120 + 4, 0);
            _image.Raw(m120 + 25, 0); // pad

            // model 103 scale factors and points this inverter does not implement
            _image.Int16(_m103 + 4, ASf);
            _image.Int16(_m103 + 11, VSf);
            _image.Int16(_m103 + 13, WSf);
            _image.Int16(_m103 + 15, HzSf);
            _image.Int16(_m103 + 17, WSf);
            _image.Int16(_m103 + 19, WSf);
            _image.Int16(_m103 + 21, PfSf);
            _image.Int16(_m103 + 24, WhSf);
            _image.Int16(_m103 + 26, DcaSf);
            _image.Int16(_m103 + 28, DcvSf);
            _image.Int16(_m103 + 30, DcwSf);
            _image.Int16(_m103 + 35, TmpSf);
            foreach (var o in new[] { 5, 6, 7 })
            {
                _image.NotImplemented16(_m103 + o, signed: false); // line-to-line voltages
            }
            foreach (var o in new[] { 32, 33, 34 })
            {
                _image.NotImplemented16(_m103 + o, signed: true); // heat sink, transformer, other temperatures
            }
            _image.NotImplemented16(_m103 + 37, signed: false); // StVnd

            // model 160 fixed block
            _image.Int16(_m160 + 0, DcaSf);
            _image.Int16(_m160 + 1, DcvSf);
            _image.Int16(_m160 + 2, DcwSf);
            _image.Int16(_m160 + 3, WhSf);
            _image.Raw(_m160 + 6, (ushort)mpptCount);
            _image.NotImplemented16(_m160 + 7, signed: false);
            for (var k = 0; k < mpptCount; k++)
            {
                var b = _m160 + 8 + 20 * k;
                _image.Raw(b, (ushort)(k + 1));
                _image.String(b + 1, 8, $"MPPT{k + 1}");
                _image.Uint32(b + 14, 0xFFFFFFFF); // Tms not implemented
                _image.NotImplemented16(b + 16, signed: true); // Tmp
                _image.NotImplemented16(b + 17, signed: false); // DCSt
            }
        }
    }

    public ushort InverterModelAddress => (ushort)(_m103 - 2);

    public void Update(InverterOutput o)
    {
        var dcTotal = o.DcPowerW.Sum();
        var dcVoltage = o.DcVoltageV.Count > 0 ? o.DcVoltageV.Max() : 0;
        lock (_unit.SyncRoot)
        {
            var phaseCurrent = o.GridVoltageV > 0 ? o.AcPowerW / (3 * o.GridVoltageV) : 0;
            _image.Uint16(_m103 + 0, 3 * phaseCurrent, ASf);
            _image.Uint16(_m103 + 1, phaseCurrent, ASf);
            _image.Uint16(_m103 + 2, phaseCurrent, ASf);
            _image.Uint16(_m103 + 3, phaseCurrent, ASf);
            _image.Uint16(_m103 + 8, o.GridVoltageV, VSf);
            _image.Uint16(_m103 + 9, o.GridVoltageV, VSf);
            _image.Uint16(_m103 + 10, o.GridVoltageV, VSf);
            _image.Int16(_m103 + 12, o.AcPowerW, WSf);
            _image.Uint16(_m103 + 14, o.FrequencyHz, HzSf);
            _image.Int16(_m103 + 16, o.AcPowerW, WSf); // VA (unity power factor)
            _image.Int16(_m103 + 18, 0, WSf); // VAr
            _image.Int16(_m103 + 20, o.AcPowerW > 0 ? 100 : 0, PfSf);
            _image.Uint32(_m103 + 22, (uint)Math.Clamp(Math.Round(o.EnergyWh), 1, uint.MaxValue - 1));
            _image.Uint16(_m103 + 25, dcVoltage > 0 ? dcTotal / dcVoltage : 0, DcaSf);
            _image.Uint16(_m103 + 27, dcVoltage, DcvSf);
            _image.Int16(_m103 + 29, dcTotal, DcwSf);
            _image.Int16(_m103 + 31, o.CabinetTempC, TmpSf);
            _image.Raw(_m103 + 36, (ushort)o.State);
            _image.Uint32(_m103 + 38, o.State == 7 ? 1u << 7 : 0u); // Evt1: bit 7 = OVER_TEMP stands in for "a fault is present"
            for (var k = 0; k < o.DcPowerW.Count; k++)
            {
                var b = _m160 + 8 + 20 * k;
                var v = o.DcVoltageV[k];
                _image.Uint16(b + 9, v > 0 ? o.DcPowerW[k] / v : 0, DcaSf);
                _image.Uint16(b + 10, v, DcvSf);
                _image.Uint16(b + 11, o.DcPowerW[k], DcwSf);
                _image.Uint32(b + 12, (uint)Math.Clamp(Math.Round(o.MpptEnergyWh[k]), 1, uint.MaxValue - 1));
            }
        }
    }

    internal static void WriteCommon(SunSpecImage image, ushort body, DeviceIdentity id, byte unitId)
    {
        image.String(body + 0, 16, id.Manufacturer);
        image.String(body + 16, 16, id.Model);
        image.String(body + 32, 8, "");
        image.String(body + 40, 8, id.Firmware);
        image.String(body + 48, 16, id.Serial);
        image.Raw(body + 64, unitId);
        image.Raw(body + 65, 0x8000); // pad
    }
}

/// <summary>A SunSpec met station on one unit: models 1, 302 (irradiance), 303 (back-of-module temperature) and 307 (base met).</summary>
public sealed class SimulatedMetStation
{
    private readonly ModbusUnit _unit;
    private readonly SunSpecImage _image;
    private readonly ushort _m302;
    private readonly ushort _m303;
    private readonly ushort _m307;

    public SimulatedMetStation(ModbusUnit unit, DeviceIdentity identity)
    {
        _unit = unit;
        _image = new SunSpecImage(unit.HoldingRegisters);
        lock (unit.SyncRoot)
        {
            SimulatedInverter.WriteCommon(_image, _image.AddModel(1, 66), identity, unit.UnitId);
            _m302 = _image.AddModel(302, 5);
            _m303 = _image.AddModel(303, 1);
            _m307 = _image.AddModel(307, 11);
            _image.End();
            _image.NotImplemented16(_m302 + 4, signed: false); // OTI
            for (var o = 1; o < 11; o++)
            {
                if (o != 3)
                {
                    _image.NotImplemented16(_m307 + o, signed: true); // only TmpAmb and WndSpd are measured
                }
            }
        }
    }

    public void Update(MetOutput o)
    {
        lock (_unit.SyncRoot)
        {
            _image.Uint16(_m302 + 0, o.GhiWm2);
            _image.Uint16(_m302 + 1, o.PoaWm2);
            _image.Uint16(_m302 + 2, o.DhiWm2);
            _image.Uint16(_m302 + 3, o.DniWm2);
            _image.Int16(_m303, o.TempModuleC, -1);
            _image.Int16(_m307 + 0, o.TempAirC, -1);
            _image.Int16(_m307 + 3, o.WindSpeedMs);
        }
    }
}
