namespace PvEdge.Shared.Formulas;

/// <summary>Algebraic clean-up applied bottom-up until nothing changes: constant folding (only when the result is finite),
/// the identities x*1, x*0, x+0, x-0, 0-x, x-x, x/1, x/x, x^1, x^0, --x, x+(-y), and merging of nested constants
/// ((x + c1) + c2, c1 * (c2 * x), (x * c1) / c2 ...). Constants are put first in products and last in sums.
/// x*0 → 0 and x/x → 1 follow PySR (they ignore the points where x is infinite or zero).</summary>
public static class Simplifier
{
    public static Expr Simplify(Expr e)
    {
        for (var pass = 0; pass < 8; pass++)
        {
            var next = Once(e);
            if (next.Equals(e))
            {
                return next;
            }
            e = next;
        }
        return e;
    }

    private static Expr Once(Expr e) => e switch
    {
        Unary u => SimplifyUnary(u.Op, Once(u.Operand)),
        Binary { Op: BinaryOp.Add or BinaryOp.Sub } b => CancelTerms(SimplifyBinary(b.Op, Once(b.Left), Once(b.Right))),
        Binary b => SimplifyBinary(b.Op, Once(b.Left), Once(b.Right)),
        _ => e,
    };

    /// <summary>In a chain of sums and differences, removes pairs of equal terms of opposite sign
    /// (a - t + b + t → a + b). The chain is left untouched when nothing cancels.</summary>
    private static Expr CancelTerms(Expr e)
    {
        if (e is not Binary { Op: BinaryOp.Add or BinaryOp.Sub })
        {
            return e;
        }
        var terms = new List<(bool Negative, Expr Term)>();
        Flatten(e, false, terms);
        var cancelled = false;
        for (var i = 0; i < terms.Count; i++)
        {
            for (var j = i + 1; j < terms.Count; j++)
            {
                if (terms[i].Negative != terms[j].Negative && terms[i].Term.Equals(terms[j].Term))
                {
                    terms.RemoveAt(j);
                    terms.RemoveAt(i);
                    cancelled = true;
                    i--;
                    break;
                }
            }
        }
        if (!cancelled)
        {
            return e;
        }
        if (terms.Count == 0)
        {
            return new Constant(0);
        }
        var result = terms[0].Negative ? new Unary(UnaryOp.Neg, terms[0].Term) : terms[0].Term;
        for (var i = 1; i < terms.Count; i++)
        {
            result = new Binary(terms[i].Negative ? BinaryOp.Sub : BinaryOp.Add, result, terms[i].Term);
        }
        return result;

        static void Flatten(Expr x, bool negative, List<(bool, Expr)> into)
        {
            switch (x)
            {
                case Binary { Op: BinaryOp.Add } a:
                    Flatten(a.Left, negative, into);
                    Flatten(a.Right, negative, into);
                    break;
                case Binary { Op: BinaryOp.Sub } s:
                    Flatten(s.Left, negative, into);
                    Flatten(s.Right, !negative, into);
                    break;
                case Unary { Op: UnaryOp.Neg } n:
                    Flatten(n.Operand, !negative, into);
                    break;
                default:
                    into.Add((negative, x));
                    break;
            }
        }
    }

    private static bool IsConst(Expr e, double v) => e is Constant c && c.Value == v;

    private static Expr Fold(Expr original, double value) => double.IsFinite(value) ? new Constant(value) : original;

    private static Expr SimplifyUnary(UnaryOp op, Expr x)
    {
        var original = new Unary(op, x);
        if (x is Constant c)
        {
            return Fold(original, ScalarMath.Apply(op, c.Value));
        }
        if (op == UnaryOp.Neg)
        {
            switch (x)
            {
                case Unary { Op: UnaryOp.Neg } inner:
                    return inner.Operand;
                case Binary { Op: BinaryOp.Sub } s:
                    return new Binary(BinaryOp.Sub, s.Right, s.Left);
                case Binary { Op: BinaryOp.Mul, Left: Constant k } m:
                    return new Binary(BinaryOp.Mul, new Constant(-k.Value), m.Right);
            }
        }
        if (op == UnaryOp.Abs && x is Unary { Op: UnaryOp.Abs or UnaryOp.Neg } a)
        {
            return new Unary(UnaryOp.Abs, a.Operand);
        }
        if (op == UnaryOp.Log && x is Unary { Op: UnaryOp.Exp } ex)
        {
            return ex.Operand;
        }
        return original;
    }

    private static Expr SimplifyBinary(BinaryOp op, Expr l, Expr r)
    {
        var original = new Binary(op, l, r);
        if (l is Constant cl && r is Constant cr)
        {
            return Fold(original, ScalarMath.Apply(op, cl.Value, cr.Value));
        }
        switch (op)
        {
            case BinaryOp.Add:
                return SimplifyAdd(l, r);
            case BinaryOp.Sub:
                if (IsConst(r, 0))
                {
                    return l;
                }
                if (IsConst(l, 0))
                {
                    return SimplifyUnary(UnaryOp.Neg, r);
                }
                if (l.Equals(r))
                {
                    return new Constant(0);
                }
                if (r is Constant c)
                {
                    return SimplifyAdd(l, new Constant(-c.Value));
                }
                if (r is Unary { Op: UnaryOp.Neg } nr)
                {
                    return SimplifyAdd(l, nr.Operand);
                }
                return original;
            case BinaryOp.Mul:
                return SimplifyMul(l, r);
            case BinaryOp.Div:
                if (IsConst(r, 1))
                {
                    return l;
                }
                if (IsConst(l, 0))
                {
                    return l;
                }
                if (l.Equals(r))
                {
                    return new Constant(1);
                }
                if (r is Constant d && d.Value != 0)
                {
                    return SimplifyMul(new Constant(1 / d.Value), l);
                }
                if (l is Binary { Op: BinaryOp.Mul, Left: Constant k } lm && r is Binary { Op: BinaryOp.Mul, Left: Constant k2 } rm && k2.Value != 0)
                {
                    return SimplifyMul(new Constant(k.Value / k2.Value), new Binary(BinaryOp.Div, lm.Right, rm.Right));
                }
                if (l is Binary { Op: BinaryOp.Mul, Left: Constant k3 } lm2 && lm2.Right is not Constant)
                {
                    return SimplifyMul(k3, new Binary(BinaryOp.Div, lm2.Right, r));
                }
                return original;
            case BinaryOp.Pow:
                if (IsConst(r, 1))
                {
                    return l;
                }
                if (IsConst(r, 0))
                {
                    return new Constant(1);
                }
                return original;
            case BinaryOp.Min or BinaryOp.Max:
                return l.Equals(r) ? l : original;
            default:
                return original;
        }
    }

    private static Expr SimplifyAdd(Expr l, Expr r)
    {
        if (IsConst(l, 0))
        {
            return r;
        }
        if (IsConst(r, 0))
        {
            return l;
        }
        if (l is Constant && r is not Constant)
        {
            (l, r) = (r, l);
        }
        if (r is Constant c)
        {
            // (x + c1) + c2 → x + (c1 + c2)
            if (l is Binary { Op: BinaryOp.Add, Right: Constant c1 } inner)
            {
                return SimplifyAdd(inner.Left, new Constant(c1.Value + c.Value));
            }
            // (c1 - x) + c2 → (c1 + c2) - x
            if (l is Binary { Op: BinaryOp.Sub, Left: Constant c2 } sub)
            {
                return new Binary(BinaryOp.Sub, new Constant(c2.Value + c.Value), sub.Right);
            }
        }
        if (r is Unary { Op: UnaryOp.Neg } neg)
        {
            return l.Equals(neg.Operand) ? new Constant(0) : new Binary(BinaryOp.Sub, l, neg.Operand);
        }
        if (l is Unary { Op: UnaryOp.Neg } negl)
        {
            return r.Equals(negl.Operand) ? new Constant(0) : new Binary(BinaryOp.Sub, r, negl.Operand);
        }
        if (l.Equals(r))
        {
            return new Binary(BinaryOp.Mul, new Constant(2), l);
        }
        return new Binary(BinaryOp.Add, l, r);
    }

    private static Expr SimplifyMul(Expr l, Expr r)
    {
        if (r is Constant && l is not Constant)
        {
            (l, r) = (r, l);
        }
        if (l is Constant c)
        {
            if (c.Value == 1)
            {
                return r;
            }
            if (c.Value == 0)
            {
                return c;
            }
            if (c.Value == -1)
            {
                return SimplifyUnary(UnaryOp.Neg, r);
            }
            // c1 * (c2 * x) → (c1 c2) * x
            if (r is Binary { Op: BinaryOp.Mul, Left: Constant c2 } inner)
            {
                return SimplifyMul(new Constant(c.Value * c2.Value), inner.Right);
            }
            // c1 * (c2 / x) → (c1 c2) / x
            if (r is Binary { Op: BinaryOp.Div, Left: Constant c3 } div)
            {
                return new Binary(BinaryOp.Div, new Constant(c.Value * c3.Value), div.Right);
            }
            if (r is Unary { Op: UnaryOp.Neg } n)
            {
                return SimplifyMul(new Constant(-c.Value), n.Operand);
            }
        }
        else
        {
            // x * (c * y) → c * (x * y): bring constants to the front so they merge.
            if (r is Binary { Op: BinaryOp.Mul, Left: Constant k } rm)
            {
                return SimplifyMul(k, new Binary(BinaryOp.Mul, l, rm.Right));
            }
            if (l is Binary { Op: BinaryOp.Mul, Left: Constant k2 } lm)
            {
                return SimplifyMul(k2, new Binary(BinaryOp.Mul, lm.Right, r));
            }
        }
        return new Binary(BinaryOp.Mul, l, r);
    }
}
