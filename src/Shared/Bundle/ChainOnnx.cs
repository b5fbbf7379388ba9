using PvEdge.Shared.Learning;
using PvEdge.Shared.Learning.Chain;
using PvEdge.Shared.Onnx;

namespace PvEdge.Shared.Bundle;

/// <summary>Writes a one-site <see cref="ChainModel"/> as ONNX (opset 17, IR 8, float): the whole chain
/// (<c>features</c> [N, <see cref="ChainColumns.Count"/>] → <c>poa_wm2</c>, <c>dc_power_w</c>, <c>ac_power_w</c>, each [N, 1]) and each
/// factor (<c>x</c> [N, inputs] in physical units → <c>y</c> [N, 1]). The graph mirrors <see cref="ChainModel.Forward"/>
/// operation for operation; the site's shading code is folded into the first shading layer's bias and the per-site
/// scalars (sky view, gain, thermal scale) become constants.</summary>
public static class ChainOnnx
{
    public static byte[] Chain(ChainModel model, double dcCapacityW, double acRatingW, string modelId)
    {
        ArgumentNullException.ThrowIfNull(model);
        var g = new OnnxGraphBuilder("pvedge_chain") { DocString = "features -> POA (W/m2), DC (W), AC (W)" };
        g.Metadata["model_id"] = modelId;
        var x = g.Input("features", OnnxDim.Symbolic("N"), ChainColumns.Count);
        var sun = Cols(g, x, ChainColumns.SinAzimuth, 3);
        var s = EmitShading(g, model, sun);
        var svf = g.Scalar(SkyView(model), "sky_view");
        var poa = g.Add(g.Add(g.Mul(s, Cols(g, x, ChainColumns.Beam, 1)), g.Mul(svf, Cols(g, x, ChainColumns.SkyDiffuse, 1))), Cols(g, x, ChainColumns.Ground, 1));
        var dc = EmitModule(g, model, poa, Cols(g, x, ChainColumns.TempAir, 2));
        var ac = EmitInverter(g, model, g.Mul(dc, Cols(g, x, ChainColumns.DcAcRatio, 1)));
        g.Output(g.Mul(poa, g.Scalar(ChainFactors.Module.Inputs[0].Scale)), "poa_wm2", OnnxDim.Symbolic("N"), 1);
        g.Output(g.Mul(dc, g.Scalar(dcCapacityW)), "dc_power_w", OnnxDim.Symbolic("N"), 1);
        g.Output(g.Mul(ac, g.Scalar(acRatingW)), "ac_power_w", OnnxDim.Symbolic("N"), 1);
        return g.ToBytes();
    }

    /// <summary>One factor as a standalone model over its physical inputs.</summary>
    public static byte[] Factor(ChainModel model, ChainFactor factor)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(factor);
        var g = new OnnxGraphBuilder($"pvedge_{factor.Name}") { DocString = factor.Description };
        g.Metadata["inputs"] = string.Join(",", factor.VariableNames);
        var k = factor.Inputs.Count;
        var x = g.Input("x", OnnxDim.Symbolic("N"), k);
        var offsets = g.Initializer("offset", [.. factor.Inputs.Select(i => (float)i.Offset)], k);
        var scales = g.Initializer("scale", [.. factor.Inputs.Select(i => (float)i.Scale)], k);
        var xn = g.Div(g.Sub(x, offsets), scales);
        var y = factor.Name switch
        {
            "shading" => EmitShading(g, model, xn),
            "module" => EmitModule(g, model, Cols(g, xn, 0, 1), Cols(g, xn, 1, 2)),
            "inverter" => EmitInverter(g, model, xn),
            _ => throw new ArgumentException($"unknown factor '{factor.Name}'", nameof(factor)),
        };
        g.Output(y, "y", OnnxDim.Symbolic("N"), 1);
        return g.ToBytes();
    }

    /// <summary>The site's diffuse sky-view factor sigmoid(logit), as the engine computes it.</summary>
    public static float SkyView(ChainModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return 1f / (1f + MathF.Exp(-model.Sites.SkyViewLogit.Data[0]));
    }

    /// <summary>The site's DC gain relu(g).</summary>
    public static float DcGain(ChainModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return MathF.Max(0f, model.Sites.Gain.Data[0]);
    }

    private static string Cols(OnnxGraphBuilder g, string x, int start, int count) => g.Slice(x, [start], [start + count], [1]);

    // s = Shading([sin az, cos az, elev/90, z]); z is constant for a one-site model, so z·W[3:] joins the first bias.
    private static string EmitShading(OnnxGraphBuilder g, ChainModel model, string sunNormalised)
    {
        var mlp = model.Nets.Shading;
        var z = model.Sites.Latent.Row(0);
        var layers = Layers(mlp);
        var first = mlp.Layers[0];
        var sunInputs = first.Inputs - z.Length;
        var w = new float[first.Outputs * sunInputs];
        var b = new float[first.Outputs];
        for (var o = 0; o < first.Outputs; o++)
        {
            for (var i = 0; i < sunInputs; i++)
            {
                w[(o * sunInputs) + i] = first.Weight[i, o];
            }
            double bias = first.Bias.Data[o];
            for (var k = 0; k < z.Length; k++)
            {
                bias += (double)z[k] * first.Weight[sunInputs + k, o];
            }
            b[o] = (float)bias;
        }
        layers[0] = new DenseLayer(sunInputs, first.Outputs, w, b, layers[0].Activation);
        return OnnxMlp.Emit(g, sunNormalised, layers, "shading");
    }

    // dc = poa · (1 + 0.5·tanh(Module([poa, t, w]))·thermal) · relu(gain)
    private static string EmitModule(OnnxGraphBuilder g, ChainModel model, string poaKwm2, string weatherNormalised)
    {
        var net = OnnxMlp.Emit(g, g.Concat(1, poaKwm2, weatherNormalised), Layers(model.Nets.Module), "module");
        var c = g.Mul(g.Tanh(net), g.Scalar(0.5));
        var factor = g.Add(g.Mul(c, g.Scalar(model.Sites.Thermal.Data[0], "thermal")), g.Scalar(1));
        return g.Mul(g.Mul(poaKwm2, factor), g.Scalar(DcGain(model), "dc_gain"));
    }

    // curve form: ac = min(relu(curve([load, load²]) + 0.01·tanh(Inverter(load))·load), 1)
    // earlier form: ac = min((0.85 + 0.15·sigmoid(Inverter(load)))·load, 1)
    private static string EmitInverter(OnnxGraphBuilder g, ChainModel model, string load)
    {
        var net = OnnxMlp.Emit(g, load, Layers(model.Nets.Inverter), "inverter");
        if (model.Nets.InverterCurve is not { } curve)
        {
            var eta = g.Add(g.Mul(g.Sigmoid(net), g.Scalar(0.15)), g.Scalar(0.85));
            return g.Min(g.Mul(eta, load), g.Scalar(1, "rating"));
        }
        var core = OnnxMlp.Emit(g, g.Concat(1, load, g.Mul(load, load)), [MlpOnnx.ToDenseLayer(curve, Activation.Identity)], "inverter_curve");
        var residual = g.Mul(g.Mul(g.Tanh(net), g.Scalar(ChainNets.InverterResidualScale)), load);
        return g.Min(g.Relu(g.Add(core, residual)), g.Scalar(1, "rating"));
    }

    /// <summary>Our layers (W stored in × out) as ONNX dense layers (W [out, in]).</summary>
    private static DenseLayer[] Layers(Mlp mlp) => MlpOnnx.ToDenseLayers(mlp);
}
