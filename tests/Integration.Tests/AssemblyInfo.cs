// The integration tests drive Linux programs (mosquitto, systemd units, ptys, install scripts): they run on Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
