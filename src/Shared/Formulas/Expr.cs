namespace PvEdge.Shared.Formulas;

/// <summary>Operators of one argument. <see cref="Neg"/> is the unary minus; the rest are the grammar's functions.</summary>
public enum UnaryOp : byte
{
    Neg,
    Exp,
    Log,
    Sqrt,
    Abs,
    Sin,
    Cos,
    Tan,
    Tanh,
}

/// <summary>Operators of two arguments: the infix <c>+ - * / ^</c> and the functions <c>min max</c>.</summary>
public enum BinaryOp : byte
{
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Min,
    Max,
}

/// <summary>An immutable expression tree over named variables (CSV column names) and double constants.
/// Equality is structural (records). <see cref="ToString"/> prints the grammar of formats.md and
/// <see cref="FormulaParser.Parse"/> reads it back to an equal tree.</summary>
public abstract record Expr
{
    private protected Expr()
    {
    }

    /// <summary>Node count, the complexity measure of PySR (every constant, variable and operator counts 1).</summary>
    public abstract int Complexity { get; }

    /// <summary>Longest path from the root to a leaf, counted in nodes (a leaf has depth 1).</summary>
    public abstract int Depth { get; }

    public static Expr Const(double value) => new Constant(value);

    public static Expr Var(string name) => new Variable(name);

    public static Expr operator +(Expr a, Expr b) => new Binary(BinaryOp.Add, a, b);

    public static Expr operator -(Expr a, Expr b) => new Binary(BinaryOp.Sub, a, b);

    public static Expr operator *(Expr a, Expr b) => new Binary(BinaryOp.Mul, a, b);

    public static Expr operator /(Expr a, Expr b) => new Binary(BinaryOp.Div, a, b);

    public static Expr operator -(Expr a) => new Unary(UnaryOp.Neg, a);

    public static Expr Add(Expr a, Expr b) => a + b;

    public static Expr Subtract(Expr a, Expr b) => a - b;

    public static Expr Multiply(Expr a, Expr b) => a * b;

    public static Expr Divide(Expr a, Expr b) => a / b;

    public static Expr Negate(Expr a) => -a;

    /// <summary>The grammar's text of this tree (see <see cref="FormulaPrinter"/>).</summary>
    public sealed override string ToString() => FormulaPrinter.Print(this);

    /// <summary>Nodes in pre-order (root first, then left subtree, then right subtree). Index i here is the i used by
    /// <see cref="NodeAt"/> and <see cref="ReplaceAt"/>.</summary>
    public IEnumerable<Expr> PreOrder()
    {
        var stack = new Stack<Expr>();
        stack.Push(this);
        while (stack.Count > 0)
        {
            var e = stack.Pop();
            yield return e;
            switch (e)
            {
                case Unary u:
                    stack.Push(u.Operand);
                    break;
                case Binary b:
                    stack.Push(b.Right);
                    stack.Push(b.Left);
                    break;
            }
        }
    }

    /// <summary>The node at pre-order index <paramref name="index"/> (0 = this).</summary>
    public Expr NodeAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Complexity);
        var e = this;
        while (index > 0)
        {
            switch (e)
            {
                case Unary u:
                    e = u.Operand;
                    index--;
                    break;
                case Binary b:
                    index--;
                    if (index < b.Left.Complexity)
                    {
                        e = b.Left;
                    }
                    else
                    {
                        index -= b.Left.Complexity;
                        e = b.Right;
                    }
                    break;
                default:
                    throw new InvalidOperationException("index walked past a leaf");
            }
        }
        return e;
    }

    /// <summary>A copy of this tree with the node at pre-order index <paramref name="index"/> replaced.</summary>
    public Expr ReplaceAt(int index, Expr replacement)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Complexity);
        if (index == 0)
        {
            return replacement;
        }
        return this switch
        {
            Unary u => u.WithOperand(u.Operand.ReplaceAt(index - 1, replacement)),
            Binary b when index - 1 < b.Left.Complexity => b.WithChildren(b.Left.ReplaceAt(index - 1, replacement), b.Right),
            Binary b => b.WithChildren(b.Left, b.Right.ReplaceAt(index - 1 - b.Left.Complexity, replacement)),
            _ => throw new InvalidOperationException("index walked past a leaf"),
        };
    }

    /// <summary>The constants in pre-order; <see cref="WithConstants"/> takes them back in the same order.</summary>
    public double[] Constants()
    {
        var list = new List<double>();
        foreach (var e in PreOrder())
        {
            if (e is Constant c)
            {
                list.Add(c.Value);
            }
        }
        return [.. list];
    }

    /// <summary>Number of constant leaves.</summary>
    public int ConstantCount => PreOrder().Count(e => e is Constant);

    /// <summary>A copy with the constants replaced, in the pre-order of <see cref="Constants"/>.</summary>
    public Expr WithConstants(ReadOnlySpan<double> values)
    {
        var i = 0;
        var result = Rebuild(this, values, ref i);
        if (i != values.Length)
        {
            throw new ArgumentException($"expected {i} constants, got {values.Length}", nameof(values));
        }
        return result;

        static Expr Rebuild(Expr e, ReadOnlySpan<double> v, ref int i)
        {
            switch (e)
            {
                case Constant:
                    return new Constant(v[i++]);
                case Unary u:
                    return u.WithOperand(Rebuild(u.Operand, v, ref i));
                case Binary b:
                    var l = Rebuild(b.Left, v, ref i);
                    var r = Rebuild(b.Right, v, ref i);
                    return b.WithChildren(l, r);
                default:
                    return e;
            }
        }
    }

    /// <summary>Distinct variable names in order of first appearance.</summary>
    public IReadOnlyList<string> Variables() =>
        PreOrder().OfType<Variable>().Select(v => v.Name).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Value at one point; <paramref name="variable"/> gives each variable's value by name.</summary>
    public double Evaluate(Func<string, double> variable) => this switch
    {
        Constant c => c.Value,
        Variable v => variable(v.Name),
        Unary u => ScalarMath.Apply(u.Op, u.Operand.Evaluate(variable)),
        Binary b => ScalarMath.Apply(b.Op, b.Left.Evaluate(variable), b.Right.Evaluate(variable)),
        _ => throw new InvalidOperationException("unknown node"),
    };
}

/// <summary>A decimal constant.</summary>
public sealed record Constant(double Value) : Expr
{
    public override int Complexity => 1;

    public override int Depth => 1;
}

/// <summary>A variable: a CSV column name (or a feature name when bound to a matrix).</summary>
public sealed record Variable(string Name) : Expr
{
    public override int Complexity => 1;

    public override int Depth => 1;
}

/// <summary>A function or the unary minus applied to one operand.</summary>
public sealed record Unary : Expr
{
    public Unary(UnaryOp op, Expr operand)
    {
        Op = op;
        Operand = operand;
        Complexity = 1 + operand.Complexity;
        Depth = 1 + operand.Depth;
    }

    public UnaryOp Op { get; }

    public Expr Operand { get; }

    /// <summary>Same function over a new operand (the cached size and depth are recomputed).</summary>
    public Unary WithOperand(Expr operand) => new(Op, operand);

    /// <summary>Same operand under another function.</summary>
    public Unary WithOp(UnaryOp op) => new(op, Operand);

    public override int Complexity { get; }

    public override int Depth { get; }

    public bool Equals(Unary? other) =>
        other is not null && (ReferenceEquals(this, other) || (Op == other.Op && Complexity == other.Complexity && Operand.Equals(other.Operand)));

    public override int GetHashCode() => HashCode.Combine(Op, Operand);
}

/// <summary>An infix operator or a two-argument function.</summary>
public sealed record Binary : Expr
{
    public Binary(BinaryOp op, Expr left, Expr right)
    {
        Op = op;
        Left = left;
        Right = right;
        Complexity = 1 + left.Complexity + right.Complexity;
        Depth = 1 + Math.Max(left.Depth, right.Depth);
    }

    public BinaryOp Op { get; }

    public Expr Left { get; }

    public Expr Right { get; }

    public override int Complexity { get; }

    public override int Depth { get; }

    /// <summary>Same operator over new operands (the cached size and depth are recomputed).</summary>
    public Binary WithChildren(Expr left, Expr right) => new(Op, left, right);

    /// <summary>Same operands under another operator.</summary>
    public Binary WithOp(BinaryOp op) => new(op, Left, Right);

    public bool Equals(Binary? other) =>
        other is not null && (ReferenceEquals(this, other) ||
                              (Op == other.Op && Complexity == other.Complexity && Left.Equals(other.Left) && Right.Equals(other.Right)));

    public override int GetHashCode() => HashCode.Combine(Op, Left, Right);
}
