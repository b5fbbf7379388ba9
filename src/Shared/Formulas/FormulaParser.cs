using System.Globalization;
using PvEdge.Shared.Cli;

namespace PvEdge.Shared.Formulas;

/// <summary>Reads the formula grammar of formats.md:
/// <code>
/// expr    := term (('+' | '-') term)*
/// term    := unary (('*' | '/') unary)*
/// unary   := '-' unary | power
/// power   := primary ('^' unary)?          (right-associative: a^b^c = a^(b^c); -a^b = -(a^b))
/// primary := number | name | func '(' expr ')' | ('min' | 'max') '(' expr ',' expr ')' | '(' expr ')'
/// func    := exp | log | sqrt | abs | sin | cos | tan | tanh
/// number  := digits ['.' digits] [('e'|'E') ['+'|'-'] digits]   (invariant culture)
/// name    := [A-Za-z_][A-Za-z0-9_.]*          (a CSV column name; a function name only when followed by '(')
/// </code>
/// A unary minus applied to a constant is folded into a negative constant, so printing and re-reading a
/// parsed tree gives an equal tree. Errors throw <see cref="InputException"/> naming the 1-based column.</summary>
public static class FormulaParser
{
    private static readonly Dictionary<string, UnaryOp> Functions = new(StringComparer.Ordinal)
    {
        ["exp"] = UnaryOp.Exp,
        ["log"] = UnaryOp.Log,
        ["sqrt"] = UnaryOp.Sqrt,
        ["abs"] = UnaryOp.Abs,
        ["sin"] = UnaryOp.Sin,
        ["cos"] = UnaryOp.Cos,
        ["tan"] = UnaryOp.Tan,
        ["tanh"] = UnaryOp.Tanh,
    };

    /// <summary>Parses <paramref name="text"/>; <paramref name="source"/> prefixes error messages (e.g. a file and key).</summary>
    public static Expr Parse(string text, string source = "formula")
    {
        ArgumentNullException.ThrowIfNull(text);
        var p = new Parser(text, source);
        var e = p.ParseExpr();
        p.SkipSpace();
        if (!p.AtEnd)
        {
            throw p.Error($"unexpected '{text[p.Pos]}'");
        }
        return e;
    }

    /// <summary>Parses and checks that every variable is one of <paramref name="allowed"/> (e.g. the CSV header).</summary>
    public static Expr Parse(string text, IReadOnlyCollection<string> allowed, string source = "formula")
    {
        var e = Parse(text, source);
        foreach (var v in e.Variables())
        {
            if (!allowed.Contains(v))
            {
                var at = text.IndexOf(v, StringComparison.Ordinal) + 1;
                throw new InputException($"{source}: column {at}: unknown variable '{v}' (expected one of: {string.Join(", ", allowed)})");
            }
        }
        return e;
    }

    private sealed class Parser(string text, string source)
    {
        public int Pos;

        public bool AtEnd => Pos >= text.Length;

        public InputException Error(string what) => new($"{source}: column {Pos + 1}: {what} in '{text}'");

        public void SkipSpace()
        {
            while (Pos < text.Length && char.IsWhiteSpace(text[Pos]))
            {
                Pos++;
            }
        }

        private bool Accept(char c)
        {
            SkipSpace();
            if (Pos < text.Length && text[Pos] == c)
            {
                Pos++;
                return true;
            }
            return false;
        }

        private void Expect(char c)
        {
            if (!Accept(c))
            {
                throw Error(AtEnd ? $"expected '{c}' but the formula ended" : $"expected '{c}' but found '{text[Pos]}'");
            }
        }

        public Expr ParseExpr()
        {
            var left = ParseTerm();
            while (true)
            {
                if (Accept('+'))
                {
                    left = new Binary(BinaryOp.Add, left, ParseTerm());
                }
                else if (Accept('-'))
                {
                    left = new Binary(BinaryOp.Sub, left, ParseTerm());
                }
                else
                {
                    return left;
                }
            }
        }

        private Expr ParseTerm()
        {
            var left = ParseUnary();
            while (true)
            {
                if (Accept('*'))
                {
                    left = new Binary(BinaryOp.Mul, left, ParseUnary());
                }
                else if (Accept('/'))
                {
                    left = new Binary(BinaryOp.Div, left, ParseUnary());
                }
                else
                {
                    return left;
                }
            }
        }

        private Expr ParseUnary()
        {
            if (Accept('-'))
            {
                var operand = ParseUnary();
                return operand is Constant c ? new Constant(-c.Value) : new Unary(UnaryOp.Neg, operand);
            }
            return ParsePower();
        }

        private Expr ParsePower()
        {
            var b = ParsePrimary();
            return Accept('^') ? new Binary(BinaryOp.Pow, b, ParseUnary()) : b;
        }

        private Expr ParsePrimary()
        {
            SkipSpace();
            if (AtEnd)
            {
                throw Error("expected a number, a name or '(' but the formula ended");
            }
            var c = text[Pos];
            if (c == '(')
            {
                Pos++;
                var inner = ParseExpr();
                Expect(')');
                return inner;
            }
            if (char.IsAsciiDigit(c) || c == '.')
            {
                return ParseNumber();
            }
            if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = Pos;
                while (Pos < text.Length && (char.IsAsciiLetterOrDigit(text[Pos]) || text[Pos] == '_' || text[Pos] == '.'))
                {
                    Pos++;
                }
                var name = text[start..Pos];
                var save = Pos;
                if (Accept('('))
                {
                    if (Functions.TryGetValue(name, out var f))
                    {
                        var arg = ParseExpr();
                        Expect(')');
                        return new Unary(f, arg);
                    }
                    if (name is "min" or "max")
                    {
                        var a = ParseExpr();
                        Expect(',');
                        var b = ParseExpr();
                        Expect(')');
                        return new Binary(name == "min" ? BinaryOp.Min : BinaryOp.Max, a, b);
                    }
                    Pos = start;
                    throw Error($"unknown function '{name}' (expected one of: {string.Join(", ", Functions.Keys)}, min, max)");
                }
                Pos = save;
                return new Variable(name);
            }
            throw Error($"unexpected '{c}' (expected a number, a name or '(')");
        }

        private Constant ParseNumber()
        {
            var start = Pos;
            while (Pos < text.Length && (char.IsAsciiDigit(text[Pos]) || text[Pos] == '.'))
            {
                Pos++;
            }
            if (Pos < text.Length && (text[Pos] == 'e' || text[Pos] == 'E'))
            {
                var save = Pos;
                Pos++;
                if (Pos < text.Length && (text[Pos] == '+' || text[Pos] == '-'))
                {
                    Pos++;
                }
                if (Pos < text.Length && char.IsAsciiDigit(text[Pos]))
                {
                    while (Pos < text.Length && char.IsAsciiDigit(text[Pos]))
                    {
                        Pos++;
                    }
                }
                else
                {
                    Pos = save;
                }
            }
            var s = text[start..Pos];
            if (!double.TryParse(s, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var v))
            {
                Pos = start;
                throw Error($"malformed number '{s}'");
            }
            return new Constant(v);
        }
    }
}
