using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Inference;
using PvEdge.Shared.Bundle;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Models;

/// <summary>One line about the model chosen at start; <see cref="Fallback"/> when something was skipped.</summary>
public readonly record struct StartNote(bool Fallback, string Message);

/// <summary>The model at start, in this order: the store version <c>current</c> names; if that is missing or fails verification (a
/// half-written or altered folder) the <c>previous</c> version; then the configured bundle (Model:BundlePath); then the site's physics. Each
/// step taken is one note (logged by the store service). A version that fails verification is moved to rejected/ and the pointer repaired,
/// so the next start does not try it again. While the current version is on probation, the model it replaced is loaded as the baseline.</summary>
public sealed class ModelStoreStart
{
    private ModelStoreStart(ModelStore? store, ModelSlot slot, SiteModels models, IReadOnlyList<StartNote> notes)
    {
        Store = store;
        Slot = slot;
        Models = models;
        Notes = notes;
    }

    /// <summary>The store, or null when it is off.</summary>
    public ModelStore? Store { get; }

    /// <summary>The model in use, as the pipeline sees it (registered as the agent's <see cref="IPowerModel"/>).</summary>
    public ModelSlot Slot { get; }

    /// <summary>The site and the model loaded at start (<see cref="SiteModels.Model"/> is the concrete model, not the slot).</summary>
    public SiteModels Models { get; }

    public IReadOnlyList<StartNote> Notes { get; }

    /// <param name="store">null when the store is off: the configured model is used as it is</param>
    /// <param name="configured">the site and model from the configuration (Model:BundlePath or physics), already loaded</param>
    public static ModelStoreStart Open(ModelStore? store, ModelOptions options, string? siteFile, SiteModels configured, DateTimeOffset nowUtc)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configured);
        var notes = new List<StartNote>();
        var configuredStatus = new ModelStatus(configured.Model is PhysicsPowerModel ? "physics" : "configured", null, ModelStatus.Fixed, null);
        if (store is null)
        {
            return new ModelStoreStart(null, new ModelSlot(configured.Model, configuredStatus), configured, notes);
        }
        StorePointer? pointer;
        string? problem;
        try
        {
            var removed = store.Prepare();
            if (removed > 0)
            {
                notes.Add(new StartNote(false, $"{removed} unfinished staging folder(s) of an interrupted install removed from {store.Versions}"));
            }
            pointer = store.ReadPointer(out problem);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            notes.Add(new StartNote(true, $"model store {store.Root} unusable ({ex.Message}); using {Describe(configured.Model)}"));
            return new ModelStoreStart(null, new ModelSlot(configured.Model, configuredStatus), configured, notes);
        }
        if (store.KeyProblem is not null && pointer?.Current is not null)
        {
            notes.Add(new StartNote(true, $"store version {pointer.Current} not loaded: {store.KeyProblem}; using {Describe(configured.Model)}"));
            return new ModelStoreStart(store, new ModelSlot(configured.Model, configuredStatus), configured, notes);
        }
        if (problem is not null)
        {
            notes.Add(new StartNote(true, $"{problem}; using {Describe(configured.Model)}"));
        }
        if (pointer?.Current is not { } current)
        {
            if (problem is null)
            {
                notes.Add(new StartNote(false, $"no store version in use ({store.PointerPath} {(pointer is null ? "absent" : "names none")}); using {Describe(configured.Model)}"));
            }
            return new ModelStoreStart(store, new ModelSlot(configured.Model, configuredStatus), configured, notes);
        }

        var (model, bundle, error, verification) = TryLoad(store, current, options);
        if (model is not null)
        {
            var probation = pointer.State == ModelStatus.Probation;
            IPowerModel? baseline = null;
            if (probation)
            {
                baseline = pointer.Previous is { } p && TryLoad(store, p, options).Model is { } prev ? prev : configured.Model;
            }
            else
            {
                (configured.Model as IDisposable)?.Dispose();
            }
            notes.Add(new StartNote(false, $"version {current} (model {model.Id}, {model.Runner}) from {store.PointerPath}" +
                (probation ? $", on probation since {pointer.Since:o} against {baseline!.Id}" : "")));
            var site = string.IsNullOrEmpty(siteFile) ? DefaultSiteModels.ForSite(bundle!.Site) : configured;
            var status = new ModelStatus("store", current, probation ? ModelStatus.Probation : ModelStatus.Confirmed, null, probation ? pointer.Since : null);
            return new ModelStoreStart(store, new ModelSlot(model, status, baseline), site with { Model = model, Notes = configured.Notes }, notes);
        }

        var moved = verification && Directory.Exists(store.VersionPath(current)) ? Reject(store, current, error!, nowUtc) : null;
        var steps = new List<string> { $"version {current} named by {store.PointerPath} unusable ({error}){(moved is null ? "" : $", moved to {moved}")}" };
        if (pointer.Previous is { } previous)
        {
            var (prevModel, prevBundle, prevError, _) = TryLoad(store, previous, options);
            if (prevModel is not null)
            {
                steps.Add($"falling back to the previous version {previous} (model {prevModel.Id})");
                notes.Add(new StartNote(true, string.Join("; ", steps)));
                if (verification)
                {
                    Repair(store, new StorePointer(StorePointer.CurrentSchema, previous, null, ModelStatus.Confirmed, nowUtc, $"{current} failed verification at start: {error}"));
                }
                (configured.Model as IDisposable)?.Dispose();
                var site = string.IsNullOrEmpty(siteFile) ? DefaultSiteModels.ForSite(prevBundle!.Site) : configured;
                var status = new ModelStatus("store", previous, ModelStatus.Confirmed,
                    new ModelEvent("fallback", nowUtc, current, null, $"version {current} unusable at start: {error}"));
                return new ModelStoreStart(store, new ModelSlot(prevModel, status), site with { Model = prevModel, Notes = configured.Notes }, notes);
            }
            steps.Add($"previous version {previous} unusable too ({prevError})");
        }
        steps.Add($"falling back to {Describe(configured.Model)}");
        notes.Add(new StartNote(true, string.Join("; ", steps)));
        if (verification)
        {
            Repair(store, new StorePointer(StorePointer.CurrentSchema, null, null, ModelStatus.Confirmed, nowUtc, $"{current} failed verification at start: {error}"));
        }
        var fallback = configuredStatus with { LastEvent = new ModelEvent("fallback", nowUtc, current, null, $"version {current} unusable at start: {error}") };
        return new ModelStoreStart(store, new ModelSlot(configured.Model, fallback), configured, notes);
    }

    /// <summary>"the configured bundle X" or "the physics model of the site".</summary>
    public static string Describe(IPowerModel model) =>
        model is BundlePowerModel b ? $"the configured bundle {b.Bundle.Source} (model {b.Id})" : $"the physics model of the site ({model.Id})";

    /// <summary>Loads a store version as a model; <c>Verification</c> is true when the failure is the bundle's own (hash, signature, schema).</summary>
    internal static (BundlePowerModel? Model, LoadedBundle? Bundle, string? Error, bool Verification) TryLoad(ModelStore store, string version, ModelOptions options)
    {
        try
        {
            var bundle = store.LoadVersion(version);
            return (BundlePowerModel.Create(bundle, options.Runner, options.Shadow), bundle, null, false);
        }
        catch (InputException ex)
        {
            return (null, null, ex.Message, true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException or System.Text.Json.JsonException)
        {
            return (null, null, ex.Message, false);
        }
    }

    /// <summary>Points <c>current</c> away from a version that failed verification (best effort: a read-only store only costs the same fallback next time).</summary>
    private static void Repair(ModelStore store, StorePointer pointer)
    {
        try
        {
            store.WritePointer(pointer);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // the in-memory choice stands
        }
    }

    private static string? Reject(ModelStore store, string version, string reason, DateTimeOffset nowUtc)
    {
        try
        {
            return store.Reject(store.VersionPath(version), $"failed verification at start: {reason}", nowUtc);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
