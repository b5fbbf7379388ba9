using System.Globalization;
using System.Text;

namespace PvEdge.Shared.Formulas;

/// <summary>Prints a tree in the grammar of formats.md with the fewest parentheses that re-read to the same tree
/// ("x1 * cos(x2) + 0.5"). Constants use the round-trip format, so <c>Parse(Print(e))</c> equals <c>e</c> for every tree
/// the parser can produce (finite constants; a unary minus is never applied directly to a constant).</summary>
public static class FormulaPrinter
{
    private const int PrecAdd = 1;
    private const int PrecMul = 2;
    private const int PrecNeg = 3;
    private const int PrecPow = 4;
    private const int PrecAtom = 5;

    public static string Print(Expr e)
    {
        var sb = new StringBuilder();
        Write(sb, e);
        return sb.ToString();
    }

    private static int Precedence(Expr e) => e switch
    {
        Constant c => c.Value < 0 || double.IsNegative(c.Value) ? PrecNeg : PrecAtom,
        Variable => PrecAtom,
        Unary { Op: UnaryOp.Neg } => PrecNeg,
        Unary => PrecAtom,
        Binary b => b.Op switch
        {
            BinaryOp.Add or BinaryOp.Sub => PrecAdd,
            BinaryOp.Mul or BinaryOp.Div => PrecMul,
            BinaryOp.Pow => PrecPow,
            _ => PrecAtom,
        },
        _ => PrecAtom,
    };

    private static void Write(StringBuilder sb, Expr e)
    {
        switch (e)
        {
            case Constant c:
                WriteConstant(sb, c.Value);
                break;
            case Variable v:
                sb.Append(v.Name);
                break;
            case Unary { Op: UnaryOp.Neg } u:
                sb.Append('-');
                WriteChild(sb, u.Operand, Precedence(u.Operand) < PrecNeg);
                break;
            case Unary u:
                sb.Append(ScalarMath.Name(u.Op)).Append('(');
                Write(sb, u.Operand);
                sb.Append(')');
                break;
            case Binary { Op: BinaryOp.Min or BinaryOp.Max } b:
                sb.Append(ScalarMath.Name(b.Op)).Append('(');
                Write(sb, b.Left);
                sb.Append(", ");
                Write(sb, b.Right);
                sb.Append(')');
                break;
            case Binary { Op: BinaryOp.Pow } b:
                // Right-associative and binding tighter than the unary minus: both sides need parentheses below ^.
                WriteChild(sb, b.Left, Precedence(b.Left) <= PrecPow);
                sb.Append('^');
                WriteChild(sb, b.Right, Precedence(b.Right) < PrecPow);
                break;
            case Binary b:
                var p = Precedence(b);
                WriteChild(sb, b.Left, Precedence(b.Left) < p);
                sb.Append(' ').Append(ScalarMath.Name(b.Op)).Append(' ');
                // Left-associative: an equal-precedence right operand needs parentheses (a - (b + c)).
                WriteChild(sb, b.Right, Precedence(b.Right) <= p);
                break;
        }
    }

    private static void WriteChild(StringBuilder sb, Expr e, bool parenthesise)
    {
        if (parenthesise)
        {
            sb.Append('(');
        }
        Write(sb, e);
        if (parenthesise)
        {
            sb.Append(')');
        }
    }

    private static void WriteConstant(StringBuilder sb, double v)
    {
        if (double.IsNaN(v))
        {
            sb.Append("(0 / 0)");
        }
        else if (double.IsInfinity(v))
        {
            sb.Append(v > 0 ? "(1 / 0)" : "(-1 / 0)");
        }
        else
        {
            // "R" gives the shortest text that reads back to the same double; "1E-05" is accepted by the parser.
            sb.Append(v.ToString("R", CultureInfo.InvariantCulture));
        }
    }
}
