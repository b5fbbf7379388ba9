using PvEdge.Shared.Formulas;

namespace PvEdge.Shared.Onnx;

/// <summary>Emits a formula as ONNX nodes. Each variable maps to a 1-D tensor [N] (one value per row) given by the
/// caller; constants become rank-0 initializers that broadcast. <see cref="ToModel"/> builds a standalone model whose
/// single input <c>x</c> is [N, k] (column j = variable j of the list, taken with Gather on axis 1) and whose output
/// <c>y</c> is [N].</summary>
public static class FormulaOnnx
{
    /// <summary>Emits <paramref name="expr"/>; <paramref name="variable"/> gives the [N] tensor of each variable name.
    /// With a Double graph every operator is native; with Float, ONNX Runtime evaluates in single precision.
    /// tan is emitted as Sin/Cos in double graphs because ONNX Runtime's CPU Tan kernel is float only.</summary>
    public static string Emit(OnnxGraphBuilder g, Expr expr, Func<string, string> variable)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(variable);
        return expr switch
        {
            Constant c => g.Scalar(c.Value),
            Variable v => variable(v.Name),
            Unary u => EmitUnary(g, u.Op, Emit(g, u.Operand, variable)),
            Binary b => EmitBinary(g, b.Op, Emit(g, b.Left, variable), Emit(g, b.Right, variable)),
            _ => throw new ArgumentException("unknown node", nameof(expr)),
        };
    }

    /// <summary>Emits with the variables taken as columns of one [N, k] tensor, column j = <c>variables[j]</c>.</summary>
    public static string EmitFromMatrix(OnnxGraphBuilder g, Expr expr, string matrix, IReadOnlyList<string> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var cache = new Dictionary<string, string>(StringComparer.Ordinal);
        return Emit(g, expr, name =>
        {
            if (!cache.TryGetValue(name, out var t))
            {
                var j = -1;
                for (var i = 0; i < variables.Count; i++)
                {
                    if (variables[i] == name)
                    {
                        j = i;
                    }
                }
                if (j < 0)
                {
                    throw new ArgumentException($"variable '{name}' is not in the variable list", nameof(variables));
                }
                t = g.Column(matrix, j);
                cache[name] = t;
            }
            return t;
        });
    }

    /// <summary>A standalone model: input <c>x</c> [N, variables.Count], output <c>y</c> [N].</summary>
    public static byte[] ToModel(Expr expr, IReadOnlyList<string> variables, OnnxElementType elementType = OnnxElementType.Float, string name = "formula")
    {
        ArgumentNullException.ThrowIfNull(expr);
        ArgumentNullException.ThrowIfNull(variables);
        var g = new OnnxGraphBuilder(name, elementType) { DocString = expr.ToString() };
        g.Metadata["formula"] = expr.ToString();
        g.Metadata["variables"] = string.Join(",", variables);
        var x = g.Input("x", OnnxDim.Symbolic("N"), variables.Count);
        var y = EmitFromMatrix(g, expr, x, variables);
        if (expr.Variables().Count == 0)
        {
            // A formula without variables still yields one value per row: 0·x₀ + c.
            y = g.Add(g.Mul(g.Column(x, 0), g.Scalar(0)), y);
        }
        g.Output(y, "y", OnnxDim.Symbolic("N"));
        return g.ToBytes();
    }

    private static string EmitUnary(OnnxGraphBuilder g, UnaryOp op, string x) => op switch
    {
        UnaryOp.Neg => g.Neg(x),
        UnaryOp.Exp => g.Exp(x),
        UnaryOp.Log => g.Log(x),
        UnaryOp.Sqrt => g.Sqrt(x),
        UnaryOp.Abs => g.Abs(x),
        UnaryOp.Sin => g.Sin(x),
        UnaryOp.Cos => g.Cos(x),
        UnaryOp.Tan => g.ElementType == OnnxElementType.Double ? g.Div(g.Sin(x), g.Cos(x)) : g.Tan(x),
        UnaryOp.Tanh => g.Tanh(x),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    private static string EmitBinary(OnnxGraphBuilder g, BinaryOp op, string a, string b) => op switch
    {
        BinaryOp.Add => g.Add(a, b),
        BinaryOp.Sub => g.Sub(a, b),
        BinaryOp.Mul => g.Mul(a, b),
        BinaryOp.Div => g.Div(a, b),
        BinaryOp.Pow => g.Pow(a, b),
        BinaryOp.Min => g.Min(a, b),
        BinaryOp.Max => g.Max(a, b),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };
}
