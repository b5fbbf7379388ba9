using PvEdge.Shared.Formulas;

namespace PvEdge.Shared.Tests.Formulas;

/// <summary>Random formulas and inputs shared by the formula and ONNX tests.</summary>
internal static class FormulaTestData
{
    public static readonly string[] Vars = ["x1", "x2", "x3"];

    /// <summary>Every operator of the grammar.</summary>
    public static readonly RandomExpressions AllOps = new(Vars, Enum.GetValues<UnaryOp>(), Enum.GetValues<BinaryOp>());

    /// <summary>Every operator but tan, whose poles make random nestings so ill-conditioned that one ulp of difference between
    /// two correct implementations of exp or sin shows up in the fourth digit.</summary>
    public static readonly RandomExpressions WellConditionedOps = new(Vars,
        Enum.GetValues<UnaryOp>().Where(o => o != UnaryOp.Tan).ToArray(), Enum.GetValues<BinaryOp>());

    /// <summary>Operators that stay finite on inputs in [0.5, 2] when nested a few times (no exp/log/tan/pow blow-ups).</summary>
    public static readonly RandomExpressions TameOps = new(Vars,
        [UnaryOp.Neg, UnaryOp.Sin, UnaryOp.Cos, UnaryOp.Tanh, UnaryOp.Abs],
        [BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.Min, BinaryOp.Max]);

    /// <summary>Column-major inputs: variable j of row i at [j*rows + i], uniform in [lo, hi].</summary>
    public static double[] Columns(int rows, int seed, double lo = 0.5, double hi = 2.0)
    {
        var rng = new Random(seed);
        var data = new double[rows * Vars.Length];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = lo + ((hi - lo) * rng.NextDouble());
        }
        return data;
    }

    /// <summary>Handwritten formulas exercising every operator on inputs in [0.5, 2].</summary>
    public static readonly string[] Handwritten =
    [
        "x1 * x2 + cos(x3)",
        "exp(-x1^2 / 2) / sqrt(2 * 3.141592653589793)",
        "log(x1 + x2) - sqrt(abs(x3 - 1.5))",
        "tan(x1 / 3) + tanh(x2 - x3)",
        "min(x1, x2) * max(x2, x3) - -0.25",
        "x1^x2 / (1 + x3^-1.5)",
        "sin(x1 * 3.7) * (x2 - x3 * 2.5e-3) / (x1 + 0.1)",
        "-(x1 - x2) * -x3",
    ];
}
