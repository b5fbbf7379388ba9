using PvEdge.Shared.Onnx;

namespace PvEdge.Shared.Learning.Chain;

/// <summary>Exports MLPs and a fine-tuned site chain to ONNX through <see cref="OnnxGraphBuilder"/> (the one ONNX writer).</summary>
public static class ChainOnnx
{
    /// <summary>An <see cref="Mlp"/> as dense layers ([out, in] weights, PyTorch's layout).</summary>
    public static IReadOnlyList<DenseLayer> ToDenseLayers(Mlp mlp, Tensor? firstBiasOverride = null)
    {
        ArgumentNullException.ThrowIfNull(mlp);
        var layers = new List<DenseLayer>();
        for (var l = 0; l < mlp.Layers.Count; l++)
        {
            var layer = mlp.Layers[l];
            var w = new float[layer.Inputs * layer.Outputs];
            Kernels.Transpose(layer.Weight.Data, w, layer.Inputs, layer.Outputs);
            var bias = (l == 0 && firstBiasOverride is not null ? firstBiasOverride : layer.Bias).Data.ToArray();
            var act = l == mlp.Layers.Count - 1 ? mlp.Output : mlp.Hidden;
            layers.Add(new DenseLayer(layer.Inputs, layer.Outputs, w, bias, ToOnnx(act)));
        }
        return layers;
    }

    /// <summary>Only the first <paramref name="inputs"/> input columns of the first layer (the rest are folded into its bias).</summary>
    private static IReadOnlyList<DenseLayer> TruncateInputs(IReadOnlyList<DenseLayer> layers, int inputs)
    {
        var first = layers[0];
        var w = new float[first.Out * inputs];
        for (var o = 0; o < first.Out; o++)
        {
            Array.Copy(first.Weight, o * first.In, w, o * inputs, inputs);
        }
        return [new DenseLayer(inputs, first.Out, w, first.Bias, first.Activation), .. layers.Skip(1)];
    }

    public static OnnxActivation ToOnnx(Activation a) => a switch
    {
        Activation.Tanh => OnnxActivation.Tanh,
        Activation.Sigmoid => OnnxActivation.Sigmoid,
        Activation.Relu => OnnxActivation.Relu,
        Activation.Softplus => OnnxActivation.Softplus,
        _ => OnnxActivation.Identity,
    };

    /// <summary>A plain MLP as a model: input "x" [N, in] → output "y" [N, out].</summary>
    public static byte[] ExportMlp(Mlp mlp, string name)
    {
        ArgumentNullException.ThrowIfNull(mlp);
        var g = new OnnxGraphBuilder(name);
        var x = g.Input("x", OnnxDim.Symbolic("N"), mlp.Inputs);
        var y = OnnxMlp.Emit(g, x, ToDenseLayers(mlp), name);
        g.Output(y, "y", OnnxDim.Symbolic("N"), mlp.Outputs);
        return g.ToBytes();
    }

    /// <summary>The shading field of site <paramref name="site"/> with its code folded into the first bias:
    /// input "sun" [N, 2] = (azimuth_deg, apparent elevation_deg) → output "beam_shading" [N, 1] in [0, 1].</summary>
    public static byte[] ExportShading(ChainModel model, int site = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        var g = new OnnxGraphBuilder("n1_shading");
        var sun = g.Input("sun", OnnxDim.Symbolic("N"), 2);
        var toRad = g.Scalar(Math.PI / 180, "deg_to_rad");
        var az = g.Mul(g.Slice(sun, [0], [1], [1]), toRad);
        var el = g.Div(g.Slice(sun, [1], [2], [1]), g.Scalar(90, "el_scale"));
        var input = g.Concat(1, g.Sin(az), g.Cos(az), el);
        var s = EmitShading(g, model, site, input);
        g.Output(s, "beam_shading", OnnxDim.Symbolic("N"), 1);
        return g.ToBytes();
    }

    private static string EmitShading(OnnxGraphBuilder g, ChainModel model, int site, string sunInput)
    {
        var first = model.Nets.Shading.Layers[0];
        // bias' = b + z·W_z: the site code is constant in a site model
        var folded = new Tensor(1, first.Outputs);
        first.Bias.Data.CopyTo(folded.Data, 0);
        var z = model.Sites.Latent.Row(site);
        for (var p = 0; p < z.Length; p++)
        {
            var wrow = first.Weight.Row(3 + p);
            for (var o = 0; o < first.Outputs; o++)
            {
                folded.Data[o] += z[p] * wrow[o];
            }
        }
        var layers = TruncateInputs(ToDenseLayers(model.Nets.Shading, folded), 3);
        return OnnxMlp.Emit(g, sunInput, layers, "n1_shading");
    }

    /// <summary>The whole chain of one site: input "features" [N, <see cref="ChainColumns.Count"/>] (the feature
    /// specification's normalised columns) → outputs "poa_wm2", "dc_power_w", "ac_power_w" [N, 1].</summary>
    public static byte[] ExportChain(ChainModel model, double dcCapacityW, double acRatingW, int site = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        var g = new OnnxGraphBuilder("pv_chain");
        g.DocString = "N1 transposition x learned beam shading + sky-view factor -> N2 module -> N3 inverter with clipping";
        var x = g.Input("features", OnnxDim.Symbolic("N"), ChainColumns.Count);
        string Col(int c) => g.Slice(x, [c], [c + 1], [1]);
        var s = EmitShading(g, model, site, g.Slice(x, [ChainColumns.SinAzimuth], [ChainColumns.Elevation + 1], [1]));
        var svf = 1 / (1 + Math.Exp(-model.Sites.SkyViewLogit[site, 0]));
        var poa = g.Add(g.Add(g.Mul(s, Col(ChainColumns.Beam)), g.Mul(Col(ChainColumns.SkyDiffuse), g.Scalar(svf, "sky_view"))), Col(ChainColumns.Ground));
        var moduleIn = g.Concat(1, poa, g.Slice(x, [ChainColumns.TempAir], [ChainColumns.Wind + 1], [1]));
        var c = g.Mul(g.Tanh(OnnxMlp.Emit(g, moduleIn, ToDenseLayers(model.Nets.Module), "n2_module")), g.Scalar(0.5, "half"));
        var factor = g.Add(g.Mul(c, g.Scalar(model.Sites.Thermal[site, 0], "thermal")), g.Scalar(1, "one"));
        var dc = g.Mul(g.Mul(poa, factor), g.Scalar(Math.Max(0, model.Sites.Gain[site, 0]), "gain"));
        var load = g.Mul(dc, Col(ChainColumns.DcAcRatio));
        var eta = g.Add(g.Mul(g.Sigmoid(OnnxMlp.Emit(g, load, ToDenseLayers(model.Nets.Inverter), "n3_inverter")), g.Scalar(0.15, "eta_span")), g.Scalar(0.85, "eta_min"));
        var ac = g.Min(g.Mul(eta, load), g.Scalar(1, "rating"));
        g.Output(g.Mul(poa, g.Scalar(1000, "kw_to_w")), "poa_wm2", OnnxDim.Symbolic("N"), 1);
        g.Output(g.Mul(dc, g.Scalar(dcCapacityW, "dc_capacity_w")), "dc_power_w", OnnxDim.Symbolic("N"), 1);
        g.Output(g.Mul(ac, g.Scalar(acRatingW, "ac_rating_w")), "ac_power_w", OnnxDim.Symbolic("N"), 1);
        return g.ToBytes();
    }
}
