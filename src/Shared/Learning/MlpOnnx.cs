using PvEdge.Shared.Onnx;

namespace PvEdge.Shared.Learning;

/// <summary>Exports <see cref="Mlp"/>s through the shared <see cref="OnnxGraphBuilder"/> (the one ONNX writer). The
/// whole site chain and its factors are exported by <c>PvEdge.Shared.Bundle.ChainOnnx</c>, which builds on
/// <see cref="ToDenseLayers"/>.</summary>
public static class MlpOnnx
{
    /// <summary>An MLP as ONNX dense layers: our weights are stored in × out, ONNX's [out, in] (PyTorch's layout).</summary>
    public static DenseLayer[] ToDenseLayers(Mlp mlp)
    {
        ArgumentNullException.ThrowIfNull(mlp);
        var layers = new DenseLayer[mlp.Layers.Count];
        for (var l = 0; l < layers.Length; l++)
        {
            layers[l] = ToDenseLayer(mlp.Layers[l], l == layers.Length - 1 ? mlp.Output : mlp.Hidden);
        }
        return layers;
    }

    /// <summary>One <see cref="Linear"/> layer followed by <paramref name="activation"/> as an ONNX dense layer.</summary>
    public static DenseLayer ToDenseLayer(Linear layer, Activation activation)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var w = new float[layer.Inputs * layer.Outputs];
        Kernels.Transpose(layer.Weight.Data, w, layer.Inputs, layer.Outputs);
        return new DenseLayer(layer.Inputs, layer.Outputs, w, [.. layer.Bias.Data], ToOnnx(activation));
    }

    public static OnnxActivation ToOnnx(Activation activation) => activation switch
    {
        Activation.Tanh => OnnxActivation.Tanh,
        Activation.Sigmoid => OnnxActivation.Sigmoid,
        Activation.Relu => OnnxActivation.Relu,
        Activation.Softplus => OnnxActivation.Softplus,
        _ => OnnxActivation.Identity,
    };

    /// <summary>A standalone model: input "x" [N, inputs] → output "y" [N, outputs].</summary>
    public static byte[] Export(Mlp mlp, string name)
    {
        ArgumentNullException.ThrowIfNull(mlp);
        var g = new OnnxGraphBuilder(name);
        var x = g.Input("x", OnnxDim.Symbolic("N"), mlp.Inputs);
        g.Output(OnnxMlp.Emit(g, x, ToDenseLayers(mlp), name), "y", OnnxDim.Symbolic("N"), mlp.Outputs);
        return g.ToBytes();
    }
}
