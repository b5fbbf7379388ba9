using System.Text.Json.Serialization;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Formulas;

namespace PvEdge.Shared.Bundle;

/// <summary>An expression tree as JSON: <c>{"const": 1.5}</c>, <c>{"var": "poa_wm2"}</c>, or
/// <c>{"op": "*", "args": [ … ]}</c> where op is the grammar's symbol or function name ("neg" for the unary minus).</summary>
public sealed record ExprNode(
    [property: JsonPropertyName("op"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Op,
    [property: JsonPropertyName("const"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Const,
    [property: JsonPropertyName("var"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Var,
    [property: JsonPropertyName("args"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ExprNode>? Args);

/// <summary>Converts between <see cref="Expr"/> and <see cref="ExprNode"/>.</summary>
public static class ExprJson
{
    public static ExprNode ToNode(Expr expr) => expr switch
    {
        Constant c => new ExprNode(null, c.Value, null, null),
        Variable v => new ExprNode(null, null, v.Name, null),
        Unary u => new ExprNode(u.Op == UnaryOp.Neg ? "neg" : ScalarMath.Name(u.Op), null, null, [ToNode(u.Operand)]),
        Binary b => new ExprNode(ScalarMath.Name(b.Op), null, null, [ToNode(b.Left), ToNode(b.Right)]),
        _ => throw new ArgumentException("unknown node", nameof(expr)),
    };

    /// <summary>Reads a tree; <paramref name="source"/> names the file in the error of a malformed node.</summary>
    public static Expr ToExpr(ExprNode node, string source)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Const is { } c)
        {
            return new Constant(c);
        }
        if (node.Var is { } v)
        {
            return new Variable(v);
        }
        var args = node.Args ?? [];
        var (unary, binary) = node.Op is null ? (null, null) : ScalarMath.ParseName(node.Op);
        if (unary is { } u && args.Count == 1)
        {
            return new Unary(u, ToExpr(args[0], source));
        }
        if (binary is { } b && args.Count == 2)
        {
            return new Binary(b, ToExpr(args[0], source), ToExpr(args[1], source));
        }
        if (node.Op == "-" && args.Count == 1)
        {
            return new Unary(UnaryOp.Neg, ToExpr(args[0], source));
        }
        throw new InputException($"{source}: expression node with op '{node.Op}' and {args.Count} argument(s) (expected const, var, or an operator of formats.md with its arguments)");
    }
}
