using PvEdge.ModelExport.Distillation;
using PvEdge.Shared.Bundle;
using PvEdge.Shared.Learning.Chain;
using PvEdge.TestSupport;
using Xunit.Abstractions;

namespace PvEdge.ModelExport.Tests.Distillation;

/// <summary>The formulas distilled into the committed models/default bundle (by models/regenerate.sh: fleet → pretrain → finetune
/// → distill → export) read back as physics, with the exporter's own check, against the site file the bundle was trained on.</summary>
public sealed class ShippedFormulasPhysicsTests(ITestOutputHelper output)
{
    [Fact]
    public void ShippedBundle_ModuleAndInverterFormulas_CarryTheTrueGammaAndEfficiencyCurve()
    {
        var bundle = BundleLoader.Load(RepoPaths.InRepo("models/default"), BundleKeys.LoadPublic(RepoPaths.InRepo("models/default.pub")));
        var module = bundle.Formula(ChainFactors.Module.Name);
        var inverter = bundle.Formula(ChainFactors.Inverter.Name);
        Assert.NotNull(module);
        Assert.NotNull(inverter);
        var distiller = new FactorDistiller(bundle.CreateChainModel(), bundle.Site, new DistillOptions(1, 50, 1, 1, 0.995));

        var check = distiller.Check(module, inverter);

        output.WriteLine($"module  {module}\ninverter {inverter}");
        output.WriteLine($"γ true {check.GammaTrue:F5}/°C, from the formula {check.GammaFormula:F5} ({100 * check.GammaErrorFormula:F2} % off); "
            + $"inverter efficiency over 5–100 % load within {100 * check.InverterMaxErrorFormula:F3} % of the true curve");
        Assert.InRange(check.GammaErrorFormula!.Value, 0, 0.10);
        Assert.InRange(check.InverterMaxErrorFormula!.Value, 0, 0.005);
    }
}
