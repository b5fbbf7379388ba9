using System.Reflection;
using System.Reflection.Emit;

namespace PvEdge.Shared.Formulas;

/// <summary>Compiles a formula to IL (a <see cref="DynamicMethod"/> that the JIT turns into machine code, as System.Linq.Expressions
/// would, without loading that library and its compiler into the gateway: about 2 MB less resident).
/// <see cref="CompileRow"/> gives <c>f(row)</c> with <c>row[j]</c> = variable j; <see cref="CompileColumns"/> gives a
/// loop over column-major data (same layout as <see cref="FormulaProgram"/>): <c>f(columns, rows, output)</c>.
/// Every operator means what <see cref="ScalarMath"/> says (the same <see cref="Math"/> methods, IEEE arithmetic).</summary>
public static class FormulaCompiler
{
    /// <summary>A delegate evaluating one row: <c>row[j]</c> is the value of <c>variables[j]</c>.</summary>
    public static Func<double[], double> CompileRow(Expr expr, IReadOnlyList<string> variables)
    {
        ArgumentNullException.ThrowIfNull(expr);
        var method = new DynamicMethod("formula_row", typeof(double), [typeof(double[])], typeof(FormulaCompiler).Module, skipVisibility: true);
        var il = method.GetILGenerator();
        Emit(il, expr, variables, j =>
        {
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldc_I4, j);
            il.Emit(OpCodes.Ldelem_R8);
        });
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<Func<double[], double>>();
    }

    /// <summary>A delegate looping over rows: variable j of row i is <c>columns[j*rows + i]</c>; writes <c>output[i]</c>.</summary>
    public static ColumnFormula CompileColumns(Expr expr, IReadOnlyList<string> variables)
    {
        ArgumentNullException.ThrowIfNull(expr);
        var method = new DynamicMethod("formula_columns", typeof(void), [typeof(double[]), typeof(int), typeof(double[])], typeof(FormulaCompiler).Module,
            skipVisibility: true);
        var il = method.GetILGenerator();
        var i = il.DeclareLocal(typeof(int));
        var body = il.DefineLabel();
        var check = il.DefineLabel();
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Stloc, i);
        il.Emit(OpCodes.Br, check);
        il.MarkLabel(body);
        il.Emit(OpCodes.Ldarg_2);
        il.Emit(OpCodes.Ldloc, i);
        Emit(il, expr, variables, j =>
        {
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldc_I4, j);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Mul);
            il.Emit(OpCodes.Ldloc, i);
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Ldelem_R8);
        });
        il.Emit(OpCodes.Stelem_R8);
        il.Emit(OpCodes.Ldloc, i);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, i);
        il.MarkLabel(check);
        il.Emit(OpCodes.Ldloc, i);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Blt, body);
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<ColumnFormula>();
    }

    // Pushes the value of e on the evaluation stack (post-order: operands first, then the operator).
    private static void Emit(ILGenerator il, Expr e, IReadOnlyList<string> variables, Action<int> loadVariable)
    {
        switch (e)
        {
            case Constant c:
                il.Emit(OpCodes.Ldc_R8, c.Value);
                return;
            case Variable v:
                for (var j = 0; j < variables.Count; j++)
                {
                    if (variables[j] == v.Name)
                    {
                        loadVariable(j);
                        return;
                    }
                }
                throw new ArgumentException($"variable '{v.Name}' is not in the variable list", nameof(variables));
            case Unary u:
                Emit(il, u.Operand, variables, loadVariable);
                if (u.Op == UnaryOp.Neg)
                {
                    il.Emit(OpCodes.Neg);
                }
                else
                {
                    il.Emit(OpCodes.Call, MathMethod(u.Op));
                }
                return;
            case Binary b:
                Emit(il, b.Left, variables, loadVariable);
                Emit(il, b.Right, variables, loadVariable);
                switch (b.Op)
                {
                    case BinaryOp.Add: il.Emit(OpCodes.Add); break;
                    case BinaryOp.Sub: il.Emit(OpCodes.Sub); break;
                    case BinaryOp.Mul: il.Emit(OpCodes.Mul); break;
                    case BinaryOp.Div: il.Emit(OpCodes.Div); break;
                    case BinaryOp.Pow: il.Emit(OpCodes.Call, MathMethod(nameof(Math.Pow), 2)); break;
                    case BinaryOp.Min: il.Emit(OpCodes.Call, MathMethod(nameof(Math.Min), 2)); break;
                    case BinaryOp.Max: il.Emit(OpCodes.Call, MathMethod(nameof(Math.Max), 2)); break;
                    default: throw new ArgumentException("unknown operator", nameof(e));
                }
                return;
            default:
                throw new ArgumentException("unknown node", nameof(e));
        }
    }

    private static MethodInfo MathMethod(UnaryOp op) => MathMethod(op switch
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
    }, 1);

    private static MethodInfo MathMethod(string name, int arity) =>
        typeof(Math).GetMethod(name, arity == 1 ? [typeof(double)] : [typeof(double), typeof(double)])!;
}

/// <summary>A compiled loop over column-major rows: variable j of row i is <c>columns[j*rows + i]</c>.</summary>
public delegate void ColumnFormula(double[] columns, int rows, double[] output);
