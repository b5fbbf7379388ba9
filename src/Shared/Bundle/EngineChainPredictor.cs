using PvEdge.Shared.Learning;
using PvEdge.Shared.Learning.Chain;

namespace PvEdge.Shared.Bundle;

/// <summary>The chain through our engine's forward pass (<see cref="ChainModel.Forward"/> on a private tape, nothing
/// trainable). Buffers are kept between calls, so a repeated row count allocates nothing.</summary>
public sealed class EngineChainPredictor : IChainPredictor
{
    private readonly ChainModel _model;
    private readonly Tape _tape = new() { Trainable = new HashSet<Tensor>() };
    private readonly float _poaScale;
    private readonly float _dcScale;
    private readonly float _acScale;
    private Tensor? _input;

    public EngineChainPredictor(ChainModel model, double dcCapacityW, double acRatingW)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _poaScale = (float)ChainFactors.Module.Inputs[0].Scale;
        _dcScale = (float)dcCapacityW;
        _acScale = (float)acRatingW;
    }

    public EngineChainPredictor(LoadedBundle bundle)
        : this((bundle ?? throw new ArgumentNullException(nameof(bundle))).CreateChainModel(), bundle.Site.DcCapacityW, bundle.Site.Inverter.AcCapacityW)
    {
    }

    public string Runner => "engine";

    public void Predict(ReadOnlySpan<float> features, Span<float> poaWm2, Span<float> dcPowerW, Span<float> acPowerW)
    {
        var rows = ChainPrediction.Rows(features, poaWm2, dcPowerW, acPowerW);
        if (rows == 0)
        {
            return;
        }
        if (_input is null || _input.Rows != rows)
        {
            _input = new Tensor(rows, ChainColumns.Count, "features");
        }
        features.CopyTo(_input.Data);
        _tape.Reset();
        var o = _model.Forward(_tape, _tape.Input(_input));
        var poa = _tape.Value(o.PoaKwm2).Data;
        var dc = _tape.Value(o.DcPerKwp).Data;
        var ac = _tape.Value(o.AcPerKwac).Data;
        for (var r = 0; r < rows; r++)
        {
            poaWm2[r] = poa[r] * _poaScale;
            dcPowerW[r] = dc[r] * _dcScale;
            acPowerW[r] = ac[r] * _acScale;
        }
    }
}
