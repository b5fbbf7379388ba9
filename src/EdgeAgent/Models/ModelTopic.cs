using System.Text.Json;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Publishing;

namespace PvEdge.EdgeAgent.Models;

/// <summary>The retained payload of <c>pvedge/&lt;gw&gt;/model</c>: the model in use (id, runner, ratings, <c>"ac_limit_w"</c> (an export
/// limit under the rating that the nightly re-tuning found and holds the model at, or null), and for a bundle its creation
/// time, signature, shadow runner, validation metrics and shadow disagreement, as before), extended with where it came from and the model
/// store's last event:
/// <c>"source"</c> store|configured|physics, <c>"version"</c> (store folder or null), <c>"state"</c> probation|confirmed|fixed,
/// <c>"previous"</c> (the model kept to roll back to during probation, or null) and <c>"event"</c>
/// <c>{ "type": installed|refused|rolled_back|confirmed|fallback|retuned|retune_refused, "ts", "bundle", "model", "reason", "validation": { "intervals",
/// "candidate_mae_w", "reference_mae_w", "bad_outputs", "checked_outputs" } | null }</c> or null.</summary>
public static class ModelTopic
{
    public static string Payload(string gateway, DateTimeOffset nowUtc, ModelSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        var model = slot.Current;
        var status = slot.Status;
        return PayloadWriter.Build(gateway, nowUtc, w =>
        {
            w.WriteString("id", model.Id);
            w.WriteString("runner", model.Runner);
            w.WriteNumber("ac_rating_w", model.AcRatingW);
            // an export limit the nightly re-tuning found and holds the model at (null: none, the model stops at the rating)
            PayloadWriter.WriteNumberOrNull(w, "ac_limit_w", model.ExportLimitW(), 0);
            w.WriteNumber("dc_rating_w", model.DcRatingW);
            if (model is BundlePowerModel bundle)
            {
                w.WriteString("created", PayloadWriter.Timestamp(bundle.Bundle.Manifest.Created));
                w.WriteString("shadow_runner", bundle.ShadowRunner);
                w.WriteBoolean("signed", bundle.Bundle.Signed);
                if (bundle.Bundle.Manifest.Validation is { } validation)
                {
                    w.WritePropertyName("validation");
                    validation.WriteTo(w);
                }
                PayloadWriter.WriteNumberOrNull(w, "shadow_disagreement_w", bundle.ShadowDisagreementW, 2);
            }
            else
            {
                w.WriteNull("shadow_disagreement_w");
            }
            w.WriteString("source", status.Source);
            w.WriteString("version", status.Version);
            w.WriteString("state", status.State);
            w.WriteString("previous", slot.Baseline?.Id);
            if (status.LastEvent is { } e)
            {
                w.WriteStartObject("event");
                WriteEvent(w, e);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("event");
            }
        });
    }

    private static void WriteEvent(Utf8JsonWriter w, ModelEvent e)
    {
        w.WriteString("type", e.Type);
        w.WriteString("ts", PayloadWriter.Timestamp(e.AtUtc));
        w.WriteString("bundle", e.Bundle);
        w.WriteString("model", e.ModelId);
        w.WriteString("reason", e.Reason);
        if (e.Validation is { } v)
        {
            w.WriteStartObject("validation");
            w.WriteNumber("intervals", v.Intervals);
            PayloadWriter.WriteNumberOrNull(w, "candidate_mae_w", v.CandidateMaeW, 1);
            PayloadWriter.WriteNumberOrNull(w, "reference_mae_w", v.ReferenceMaeW, 1);
            w.WriteNumber("bad_outputs", v.BadOutputs);
            w.WriteNumber("checked_outputs", v.Checked);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("validation");
        }
    }
}
