namespace PvEdge.EdgeAgent.Publishing;

/// <summary>The MQTT topics of formats.md for one gateway.</summary>
public sealed record Topics(string Prefix, string Gateway, string HomeAssistantPrefix = "homeassistant")
{
    public string Root => $"{Prefix}/{Gateway}";
    public string Status => $"{Root}/status";
    public string Telemetry => $"{Root}/telemetry";
    public string ForecastHourly => $"{Root}/forecast/hourly";
    public string ForecastIntraday => $"{Root}/forecast/intraday";
    public string Anomaly => $"{Root}/anomaly";
    public string AnomalyActive => $"{Root}/anomaly/active";
    public string Model => $"{Root}/model";
    public string WeatherSet => $"{Root}/weather/forecast/set";
    public string HomeAssistantDiscovery => $"{HomeAssistantPrefix}/device/{Gateway}/config";
    public string HomeAssistantStatus => $"{HomeAssistantPrefix}/status";
}
