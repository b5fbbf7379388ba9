using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace PvEdge.Shared.Formulas;

/// <summary>A formula compiled to a postfix program of whole-column operations (TensorPrimitives, SIMD), the fast
/// evaluator used by the symbolic regression search and by the gateway's formula runner.
/// <para>Data layout is column-major: variable j (its index in the variable list given to <see cref="Compile"/>) is
/// <c>columns[j*rows .. (j+1)*rows)</c>, or <c>columns[j]</c> with the array-of-columns overload. The output span receives
/// one value per row. Rows are processed in blocks of <see cref="BlockRows"/>; scratch comes from
/// <see cref="ArrayPool{T}.Shared"/>, so evaluation allocates nothing after warm-up. The program is immutable and safe to
/// share between threads. Constants are stored in pre-order (the order of <see cref="Expr.Constants"/>) and can be
/// overridden per call, which is how the constant optimiser tries new values without recompiling.</para></summary>
public sealed class FormulaProgram
{
    /// <summary>Rows per block: small enough that a block of every stack slot stays in the L1/L2 cache.</summary>
    public const int BlockRows = 512;

    private readonly Instruction[] _code;
    private readonly double[] _constants;

    private FormulaProgram(Instruction[] code, double[] constants, int slots, Operand root, int variableCount)
    {
        _code = code;
        _constants = constants;
        Slots = slots;
        Root = root;
        VariableCount = variableCount;
    }

    /// <summary>Scratch columns needed per block (the stack depth of the postfix program).</summary>
    public int Slots { get; }

    /// <summary>Number of variables the program reads (the length of the variable list it was compiled with).</summary>
    public int VariableCount { get; }

    /// <summary>The constants in pre-order.</summary>
    public ReadOnlySpan<double> Constants => _constants;

    private Operand Root { get; }

    /// <summary>Compiles <paramref name="expr"/>; every variable must be in <paramref name="variables"/>, whose order
    /// defines the column index.</summary>
    public static FormulaProgram Compile(Expr expr, IReadOnlyList<string> variables)
    {
        ArgumentNullException.ThrowIfNull(expr);
        ArgumentNullException.ThrowIfNull(variables);
        var code = new List<Instruction>();
        var constants = new List<double>();
        var maxSlot = 0;
        var root = Emit(expr, 0);
        return new FormulaProgram([.. code], [.. constants], maxSlot, root, variables.Count);

        Operand Emit(Expr e, int slot)
        {
            switch (e)
            {
                case Constant c:
                    constants.Add(c.Value);
                    return new Operand(OperandKind.Constant, constants.Count - 1);
                case Variable v:
                    var index = IndexOf(variables, v.Name);
                    if (index < 0)
                    {
                        throw new ArgumentException($"variable '{v.Name}' is not in the variable list ({string.Join(", ", variables)})", nameof(variables));
                    }
                    return new Operand(OperandKind.Variable, index);
                case Unary u:
                {
                    var a = Emit(u.Operand, slot);
                    maxSlot = Math.Max(maxSlot, slot + 1);
                    code.Add(new Instruction(false, (byte)u.Op, slot, a, default));
                    return new Operand(OperandKind.Slot, slot);
                }
                case Binary b:
                {
                    var a = Emit(b.Left, slot);
                    var r = Emit(b.Right, slot + 1);
                    maxSlot = Math.Max(maxSlot, slot + 1);
                    code.Add(new Instruction(true, (byte)b.Op, slot, a, r));
                    return new Operand(OperandKind.Slot, slot);
                }
                default:
                    throw new ArgumentException("unknown node", nameof(expr));
            }
        }
    }

    private static int IndexOf(IReadOnlyList<string> list, string name)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Evaluates over column-major <paramref name="columns"/> (variable j at <c>[j*rows, (j+1)*rows)</c>) into
    /// <paramref name="output"/> (length ≥ rows). <paramref name="constants"/> overrides the compiled constants when not empty.</summary>
    public void Evaluate<T>(ReadOnlySpan<T> columns, int rows, Span<T> output, ReadOnlySpan<double> constants = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (columns.Length < rows * VariableCount)
        {
            throw new ArgumentException($"expected {VariableCount} columns of {rows} rows", nameof(columns));
        }
        Run(new Columns<T>(columns, rows, null), rows, output, constants);
    }

    /// <summary>Evaluates over one array per variable (all of the same length) into <paramref name="output"/>.</summary>
    public void Evaluate<T>(IReadOnlyList<T[]> columns, Span<T> output, ReadOnlySpan<double> constants = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count < VariableCount)
        {
            throw new ArgumentException($"expected {VariableCount} columns", nameof(columns));
        }
        var rows = columns.Count == 0 ? output.Length : columns[0].Length;
        Run(new Columns<T>(default, rows, columns), rows, output, constants);
    }

    private void Run<T>(Columns<T> columns, int rows, Span<T> output, ReadOnlySpan<double> constants)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (output.Length < rows)
        {
            throw new ArgumentException($"output holds {output.Length} values, {rows} needed", nameof(output));
        }
        if (constants.IsEmpty)
        {
            constants = _constants;
        }
        else if (constants.Length != _constants.Length)
        {
            throw new ArgumentException($"expected {_constants.Length} constants", nameof(constants));
        }
        var block = Math.Min(rows, BlockRows);
        // Slot 0 is the output itself; slots 1.. live in pooled scratch.
        var scratchLength = Math.Max(Slots - 1, 0) * block;
        var rented = scratchLength > 0 ? ArrayPool<T>.Shared.Rent(scratchLength) : null;
        try
        {
            for (var start = 0; start < rows; start += block)
            {
                var n = Math.Min(block, rows - start);
                var frame = new Frame<T>(columns, start, n, output.Slice(start, n), rented, block, constants);
                RunBlock(ref frame);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<T>.Shared.Return(rented);
            }
        }
    }

    private void RunBlock<T>(ref Frame<T> f)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Root.Kind != OperandKind.Slot)
        {
            // A bare variable or constant.
            if (Root.Kind == OperandKind.Variable)
            {
                f.Variable(Root.Index).CopyTo(f.Output);
            }
            else
            {
                f.Output.Fill(f.Constant(Root.Index));
            }
            return;
        }
        foreach (ref readonly var ins in _code.AsSpan())
        {
            var dst = f.Slot(ins.Destination);
            if (!ins.IsBinary)
            {
                ReadOnlySpan<T> x;
                if (ins.A.Kind == OperandKind.Constant)
                {
                    dst.Fill(f.Constant(ins.A.Index));
                    x = dst;
                }
                else
                {
                    x = f.Span(ins.A);
                }
                switch ((UnaryOp)ins.Op)
                {
                    case UnaryOp.Neg: TensorPrimitives.Negate(x, dst); break;
                    case UnaryOp.Exp: TensorPrimitives.Exp(x, dst); break;
                    case UnaryOp.Log: TensorPrimitives.Log(x, dst); break;
                    case UnaryOp.Sqrt: TensorPrimitives.Sqrt(x, dst); break;
                    case UnaryOp.Abs: TensorPrimitives.Abs(x, dst); break;
                    case UnaryOp.Sin: TensorPrimitives.Sin(x, dst); break;
                    case UnaryOp.Cos: TensorPrimitives.Cos(x, dst); break;
                    case UnaryOp.Tan: TensorPrimitives.Tan(x, dst); break;
                    case UnaryOp.Tanh: TensorPrimitives.Tanh(x, dst); break;
                    default: throw new InvalidOperationException("unknown unary op");
                }
                continue;
            }
            var op = (BinaryOp)ins.Op;
            if (ins.A.Kind == OperandKind.Constant && ins.B.Kind == OperandKind.Constant)
            {
                dst.Fill(f.Constant(ins.A.Index));
                BinaryVectorScalar(op, dst, f.Constant(ins.B.Index), dst);
            }
            else if (ins.B.Kind == OperandKind.Constant)
            {
                BinaryVectorScalar(op, f.Span(ins.A), f.Constant(ins.B.Index), dst);
            }
            else if (ins.A.Kind == OperandKind.Constant)
            {
                BinaryScalarVector(op, f.Constant(ins.A.Index), f.Span(ins.B), dst);
            }
            else
            {
                BinaryVectorVector(op, f.Span(ins.A), f.Span(ins.B), dst);
            }
        }
    }

    private static void BinaryVectorVector<T>(BinaryOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(x, y, d); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(x, y, d); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(x, y, d); break;
            case BinaryOp.Div: TensorPrimitives.Divide(x, y, d); break;
            case BinaryOp.Pow: TensorPrimitives.Pow(x, y, d); break;
            case BinaryOp.Min: TensorPrimitives.Min(x, y, d); break;
            case BinaryOp.Max: TensorPrimitives.Max(x, y, d); break;
            default: throw new InvalidOperationException("unknown binary op");
        }
    }

    private static void BinaryVectorScalar<T>(BinaryOp op, ReadOnlySpan<T> x, T y, Span<T> d)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(x, y, d); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(x, y, d); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(x, y, d); break;
            case BinaryOp.Div: TensorPrimitives.Divide(x, y, d); break;
            case BinaryOp.Pow: TensorPrimitives.Pow(x, y, d); break;
            case BinaryOp.Min: TensorPrimitives.Min(x, y, d); break;
            case BinaryOp.Max: TensorPrimitives.Max(x, y, d); break;
            default: throw new InvalidOperationException("unknown binary op");
        }
    }

    private static void BinaryScalarVector<T>(BinaryOp op, T x, ReadOnlySpan<T> y, Span<T> d)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(y, x, d); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(x, y, d); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(y, x, d); break;
            case BinaryOp.Div: TensorPrimitives.Divide(x, y, d); break;
            case BinaryOp.Pow: TensorPrimitives.Pow(x, y, d); break;
            case BinaryOp.Min: TensorPrimitives.Min(y, x, d); break;
            case BinaryOp.Max: TensorPrimitives.Max(y, x, d); break;
            default: throw new InvalidOperationException("unknown binary op");
        }
    }

    private enum OperandKind : byte
    {
        Slot,
        Variable,
        Constant,
    }

    private readonly record struct Operand(OperandKind Kind, int Index);

    private readonly record struct Instruction(bool IsBinary, byte Op, int Destination, Operand A, Operand B);

    private readonly ref struct Columns<T>
    {
        private readonly ReadOnlySpan<T> _flat;
        private readonly int _rows;
        private readonly IReadOnlyList<T[]>? _arrays;

        public Columns(ReadOnlySpan<T> flat, int rows, IReadOnlyList<T[]>? arrays)
        {
            _flat = flat;
            _rows = rows;
            _arrays = arrays;
        }

        public ReadOnlySpan<T> Get(int variable, int start, int n) =>
            _arrays is null ? _flat.Slice((variable * _rows) + start, n) : _arrays[variable].AsSpan(start, n);
    }

    private readonly ref struct Frame<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Columns<T> _columns;
        private readonly int _start;
        private readonly int _n;
        private readonly T[]? _scratch;
        private readonly int _block;
        private readonly ReadOnlySpan<double> _constants;

        public Frame(Columns<T> columns, int start, int n, Span<T> output, T[]? scratch, int block, ReadOnlySpan<double> constants)
        {
            _columns = columns;
            _start = start;
            _n = n;
            Output = output;
            _scratch = scratch;
            _block = block;
            _constants = constants;
        }

        public Span<T> Output { get; }

        public Span<T> Slot(int slot) => slot == 0 ? Output : _scratch.AsSpan((slot - 1) * _block, _n);

        public ReadOnlySpan<T> Variable(int index) => _columns.Get(index, _start, _n);

        public T Constant(int index) => T.CreateTruncating(_constants[index]);

        public ReadOnlySpan<T> Span(Operand o) => o.Kind switch
        {
            OperandKind.Slot => Slot(o.Index),
            OperandKind.Variable => Variable(o.Index),
            _ => throw new InvalidOperationException("a constant is not a column"),
        };
    }
}
