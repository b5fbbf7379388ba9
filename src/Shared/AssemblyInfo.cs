namespace PvEdge.Shared;

/// <summary>Identifies the shared library (physics, learning core, formulas, ONNX writer, bundle).</summary>
public static class SharedLibrary
{
    /// <summary>Schema version of every JSON payload and manifest this code writes.</summary>
    public const int SchemaVersion = 1;
}
