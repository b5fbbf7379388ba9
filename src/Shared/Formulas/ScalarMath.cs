namespace PvEdge.Shared.Formulas;

/// <summary>The scalar meaning of every operator, shared by the tree walker, the simplifier and the compiled delegate.
/// Plain IEEE semantics: log and sqrt of a negative number are NaN, division by zero is infinite.</summary>
public static class ScalarMath
{
    public static double Apply(UnaryOp op, double x) => op switch
    {
        UnaryOp.Neg => -x,
        UnaryOp.Exp => Math.Exp(x),
        UnaryOp.Log => Math.Log(x),
        UnaryOp.Sqrt => Math.Sqrt(x),
        UnaryOp.Abs => Math.Abs(x),
        UnaryOp.Sin => Math.Sin(x),
        UnaryOp.Cos => Math.Cos(x),
        UnaryOp.Tan => Math.Tan(x),
        UnaryOp.Tanh => Math.Tanh(x),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    public static double Apply(BinaryOp op, double a, double b) => op switch
    {
        BinaryOp.Add => a + b,
        BinaryOp.Sub => a - b,
        BinaryOp.Mul => a * b,
        BinaryOp.Div => a / b,
        BinaryOp.Pow => Math.Pow(a, b),
        BinaryOp.Min => Math.Min(a, b),
        BinaryOp.Max => Math.Max(a, b),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    /// <summary>The grammar's name of a function ("exp"); "-" for the unary minus.</summary>
    public static string Name(UnaryOp op) => op switch
    {
        UnaryOp.Neg => "-",
        UnaryOp.Exp => "exp",
        UnaryOp.Log => "log",
        UnaryOp.Sqrt => "sqrt",
        UnaryOp.Abs => "abs",
        UnaryOp.Sin => "sin",
        UnaryOp.Cos => "cos",
        UnaryOp.Tan => "tan",
        UnaryOp.Tanh => "tanh",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    /// <summary>The grammar's symbol or function name of a binary operator ("+", "min").</summary>
    public static string Name(BinaryOp op) => op switch
    {
        BinaryOp.Add => "+",
        BinaryOp.Sub => "-",
        BinaryOp.Mul => "*",
        BinaryOp.Div => "/",
        BinaryOp.Pow => "^",
        BinaryOp.Min => "min",
        BinaryOp.Max => "max",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    /// <summary>Reads an operator name as written on a command line ("+", "*", "^", "sin", "min"), or null.</summary>
    public static (UnaryOp? Unary, BinaryOp? Binary) ParseName(string name)
    {
        foreach (var op in Enum.GetValues<UnaryOp>())
        {
            if (op != UnaryOp.Neg && Name(op) == name)
            {
                return (op, null);
            }
        }
        if (name is "neg")
        {
            return (UnaryOp.Neg, null);
        }
        foreach (var op in Enum.GetValues<BinaryOp>())
        {
            if (Name(op) == name)
            {
                return (null, op);
            }
        }
        return (null, null);
    }
}
