using System.Linq.Expressions;
using System.Reflection;
using LinqExpr = System.Linq.Expressions.Expression;

namespace PvEdge.Shared.Formulas;

/// <summary>Compiles a formula to IL through System.Linq.Expressions.
/// <see cref="CompileRow"/> gives <c>f(row)</c> with <c>row[j]</c> = variable j; <see cref="CompileColumns"/> gives a
/// loop over column-major data (same layout as <see cref="FormulaProgram"/>): <c>f(columns, rows, output)</c>.</summary>
public static class FormulaCompiler
{
    private static readonly MethodInfo MathPow = typeof(Math).GetMethod(nameof(Math.Pow), [typeof(double), typeof(double)])!;

    /// <summary>A delegate evaluating one row: <c>row[j]</c> is the value of <c>variables[j]</c>.</summary>
    public static Func<double[], double> CompileRow(Expr expr, IReadOnlyList<string> variables)
    {
        var row = LinqExpr.Parameter(typeof(double[]), "row");
        var body = Build(expr, variables, j => LinqExpr.ArrayIndex(row, LinqExpr.Constant(j)));
        return LinqExpr.Lambda<Func<double[], double>>(body, row).Compile();
    }

    /// <summary>A delegate looping over rows: variable j of row i is <c>columns[j*rows + i]</c>; writes <c>output[i]</c>.</summary>
    public static ColumnFormula CompileColumns(Expr expr, IReadOnlyList<string> variables)
    {
        var columns = LinqExpr.Parameter(typeof(double[]), "columns");
        var rows = LinqExpr.Parameter(typeof(int), "rows");
        var output = LinqExpr.Parameter(typeof(double[]), "output");
        var i = LinqExpr.Variable(typeof(int), "i");
        var body = Build(expr, variables, j =>
            LinqExpr.ArrayIndex(columns, LinqExpr.Add(LinqExpr.Multiply(LinqExpr.Constant(j), rows), i)));
        var exit = LinqExpr.Label("exit");
        var loop = LinqExpr.Block(
            [i],
            LinqExpr.Assign(i, LinqExpr.Constant(0)),
            LinqExpr.Loop(
                LinqExpr.IfThenElse(
                    LinqExpr.LessThan(i, rows),
                    LinqExpr.Block(
                        LinqExpr.Assign(LinqExpr.ArrayAccess(output, i), body),
                        LinqExpr.PreIncrementAssign(i)),
                    LinqExpr.Break(exit)),
                exit));
        return LinqExpr.Lambda<ColumnFormula>(loop, columns, rows, output).Compile();
    }

    private static LinqExpr Build(Expr e, IReadOnlyList<string> variables, Func<int, LinqExpr> variable)
    {
        switch (e)
        {
            case Constant c:
                return LinqExpr.Constant(c.Value);
            case Variable v:
                for (var j = 0; j < variables.Count; j++)
                {
                    if (variables[j] == v.Name)
                    {
                        return variable(j);
                    }
                }
                throw new ArgumentException($"variable '{v.Name}' is not in the variable list", nameof(variables));
            case Unary u:
                var x = Build(u.Operand, variables, variable);
                return u.Op == UnaryOp.Neg ? LinqExpr.Negate(x) : LinqExpr.Call(MathMethod(u.Op), x);
            case Binary b:
                var l = Build(b.Left, variables, variable);
                var r = Build(b.Right, variables, variable);
                return b.Op switch
                {
                    BinaryOp.Add => LinqExpr.Add(l, r),
                    BinaryOp.Sub => LinqExpr.Subtract(l, r),
                    BinaryOp.Mul => LinqExpr.Multiply(l, r),
                    BinaryOp.Div => LinqExpr.Divide(l, r),
                    // Expression.Power would also call Math.Pow; calling it directly keeps the semantics explicit.
                    BinaryOp.Pow => LinqExpr.Call(MathPow, l, r),
                    BinaryOp.Min => LinqExpr.Call(typeof(Math).GetMethod(nameof(Math.Min), [typeof(double), typeof(double)])!, l, r),
                    BinaryOp.Max => LinqExpr.Call(typeof(Math).GetMethod(nameof(Math.Max), [typeof(double), typeof(double)])!, l, r),
                    _ => throw new ArgumentException("unknown operator", nameof(e)),
                };
            default:
                throw new ArgumentException("unknown node", nameof(e));
        }
    }

    private static MethodInfo MathMethod(UnaryOp op) =>
        typeof(Math).GetMethod(op switch
        {
            UnaryOp.Exp => nameof(Math.Exp),
            UnaryOp.Log => nameof(Math.Log),
            UnaryOp.Sqrt => nameof(Math.Sqrt),
            UnaryOp.Abs => nameof(Math.Abs),
            UnaryOp.Sin => nameof(Math.Sin),
            UnaryOp.Cos => nameof(Math.Cos),
            UnaryOp.Tan => nameof(Math.Tan),
            UnaryOp.Tanh => nameof(Math.Tanh),
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
        }, [typeof(double)])!;
}

/// <summary>A compiled loop over column-major rows: variable j of row i is <c>columns[j*rows + i]</c>.</summary>
public delegate void ColumnFormula(double[] columns, int rows, double[] output);
