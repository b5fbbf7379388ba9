using PvEdge.EdgeAgent.Publishing;

namespace PvEdge.EdgeAgent.Forecasting;

/// <summary>One forecast interval: median and the 10 % / 90 % quantiles of mean AC power.</summary>
public readonly record struct ForecastPoint(DateTimeOffset StartUtc, DateTimeOffset EndUtc, double P50W, double P10W, double P90W);

/// <summary>A forecast as published on forecast/hourly or forecast/intraday.</summary>
public sealed record PowerForecast(
    DateTimeOffset IssuedUtc,
    string ModelId,
    string WeatherSource,
    IReadOnlyList<ForecastPoint> Points,
    double EnergyTodayKwh,
    double EnergyTomorrowKwh)
{
    public string ToPayload(string gateway, DateTimeOffset tsUtc) => PayloadWriter.Build(gateway, tsUtc, w =>
    {
        w.WriteString("issued", PayloadWriter.Timestamp(IssuedUtc));
        w.WriteString("model", ModelId);
        w.WriteString("weather_source", WeatherSource);
        w.WriteStartArray("points");
        foreach (var p in Points)
        {
            w.WriteStartObject();
            w.WriteString("start", PayloadWriter.Timestamp(p.StartUtc));
            w.WriteString("end", PayloadWriter.Timestamp(p.EndUtc));
            w.WriteNumber("p50_w", Math.Round(p.P50W, 1));
            w.WriteNumber("p10_w", Math.Round(p.P10W, 1));
            w.WriteNumber("p90_w", Math.Round(p.P90W, 1));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("energy_today_kwh", Math.Round(EnergyTodayKwh, 3));
        w.WriteNumber("energy_tomorrow_kwh", Math.Round(EnergyTomorrowKwh, 3));
    });
}
