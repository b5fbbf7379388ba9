using Google.Protobuf;

namespace PvEdge.Shared.Onnx;

/// <summary>ONNX tensor element types (TensorProto.DataType of onnx.proto).</summary>
public enum OnnxElementType
{
    Float = 1,
    Int32 = 6,
    Int64 = 7,
    Double = 11,
}

/// <summary>One dimension of a shape: a fixed size or a symbolic name such as "N" for the batch.</summary>
public readonly record struct OnnxDim(long Value, string? Symbol)
{
    public static OnnxDim Fixed(long value) => new(value, null);

    public static OnnxDim Symbolic(string name) => new(0, name);

    public static implicit operator OnnxDim(long value) => Fixed(value);

    public static implicit operator OnnxDim(string symbol) => Symbolic(symbol);

    public static OnnxDim FromInt64(long value) => Fixed(value);

    public static OnnxDim FromString(string symbol) => Symbolic(symbol);
}

/// <summary>A graph input or output: name, element type and shape.</summary>
public sealed record OnnxValueInfo(string Name, OnnxElementType ElementType, IReadOnlyList<OnnxDim> Shape);

/// <summary>A constant tensor stored in the graph (an initializer or a Constant node's value). Data is little-endian raw bytes.</summary>
public sealed record OnnxTensor(string Name, OnnxElementType ElementType, IReadOnlyList<long> Dims, byte[] RawData)
{
    public static OnnxTensor FromFloats(string name, ReadOnlySpan<float> values, params long[] dims) =>
        new(name, OnnxElementType.Float, dims, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).ToArray());

    public static OnnxTensor FromDoubles(string name, ReadOnlySpan<double> values, params long[] dims) =>
        new(name, OnnxElementType.Double, dims, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).ToArray());

    public static OnnxTensor FromInt64s(string name, ReadOnlySpan<long> values, params long[] dims) =>
        new(name, OnnxElementType.Int64, dims, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).ToArray());
}

/// <summary>A node attribute (AttributeProto): one of int, float, string, ints, floats or tensor.</summary>
public sealed record OnnxAttribute(string Name, long? Int = null, float? Float = null, string? String = null,
    IReadOnlyList<long>? Ints = null, IReadOnlyList<float>? Floats = null, OnnxTensor? Tensor = null)
{
    public static OnnxAttribute Of(string name, long value) => new(name, Int: value);

    public static OnnxAttribute Of(string name, float value) => new(name, Float: value);

    public static OnnxAttribute Of(string name, string value) => new(name, String: value);

    public static OnnxAttribute Of(string name, params long[] values) => new(name, Ints: values);

    public static OnnxAttribute Of(string name, OnnxTensor value) => new(name, Tensor: value);

    public static OnnxAttribute OfFloats(string name, params float[] values) => new(name, Floats: values);
}

/// <summary>A node (NodeProto) of the default ai.onnx domain.</summary>
public sealed record OnnxNode(string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, string Name,
    IReadOnlyList<OnnxAttribute> Attributes);

/// <summary>Serialises a model to the ONNX protobuf wire format by hand, with the field numbers of onnx.proto
/// (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto, TypeProto, TensorShapeProto, AttributeProto,
/// OperatorSetIdProto). No generated classes are needed.</summary>
public static class OnnxWriter
{
    /// <summary>IR version 8 (ONNX 1.10+), the version written by this writer.</summary>
    public const long IrVersion = 8;

    /// <summary>Opset of the default domain.</summary>
    public const long Opset = 17;

    public static byte[] WriteModel(string graphName, IReadOnlyList<OnnxNode> nodes, IReadOnlyList<OnnxTensor> initializers,
        IReadOnlyList<OnnxValueInfo> inputs, IReadOnlyList<OnnxValueInfo> outputs, string producer, string docString,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var graph = Message(o =>
        {
            foreach (var n in nodes)
            {
                WriteMessage(o, 1, w => Node(w, n));
            }
            o.WriteTag(2, WireFormat.WireType.LengthDelimited);
            o.WriteString(graphName);
            foreach (var t in initializers)
            {
                WriteMessage(o, 5, w => Tensor(w, t));
            }
            foreach (var i in inputs)
            {
                WriteMessage(o, 11, w => ValueInfo(w, i));
            }
            foreach (var i in outputs)
            {
                WriteMessage(o, 12, w => ValueInfo(w, i));
            }
        });
        return Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.Varint);
            o.WriteInt64(IrVersion);
            o.WriteTag(2, WireFormat.WireType.LengthDelimited);
            o.WriteString(producer);
            o.WriteTag(3, WireFormat.WireType.LengthDelimited);
            o.WriteString(typeof(OnnxWriter).Assembly.GetName().Version?.ToString() ?? "0");
            if (docString.Length > 0)
            {
                o.WriteTag(6, WireFormat.WireType.LengthDelimited);
                o.WriteString(docString);
            }
            o.WriteTag(7, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(graph));
            WriteMessage(o, 8, w =>
            {
                w.WriteTag(1, WireFormat.WireType.LengthDelimited);
                w.WriteString("");
                w.WriteTag(2, WireFormat.WireType.Varint);
                w.WriteInt64(Opset);
            });
            foreach (var (k, v) in metadata ?? new Dictionary<string, string>())
            {
                WriteMessage(o, 14, w =>
                {
                    w.WriteTag(1, WireFormat.WireType.LengthDelimited);
                    w.WriteString(k);
                    w.WriteTag(2, WireFormat.WireType.LengthDelimited);
                    w.WriteString(v);
                });
            }
        });
    }

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var ms = new MemoryStream();
        using (var o = new CodedOutputStream(ms, leaveOpen: true))
        {
            write(o);
            o.Flush();
        }
        return ms.ToArray();
    }

    private static void WriteMessage(CodedOutputStream o, int field, Action<CodedOutputStream> write)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(Message(write)));
    }

    private static void Node(CodedOutputStream o, OnnxNode n)
    {
        foreach (var i in n.Inputs)
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString(i);
        }
        foreach (var i in n.Outputs)
        {
            o.WriteTag(2, WireFormat.WireType.LengthDelimited);
            o.WriteString(i);
        }
        o.WriteTag(3, WireFormat.WireType.LengthDelimited);
        o.WriteString(n.Name);
        o.WriteTag(4, WireFormat.WireType.LengthDelimited);
        o.WriteString(n.OpType);
        foreach (var a in n.Attributes)
        {
            WriteMessage(o, 5, w => Attribute(w, a));
        }
    }

    private static void Attribute(CodedOutputStream o, OnnxAttribute a)
    {
        // AttributeProto.AttributeType: FLOAT=1 INT=2 STRING=3 TENSOR=4 FLOATS=6 INTS=7.
        o.WriteTag(1, WireFormat.WireType.LengthDelimited);
        o.WriteString(a.Name);
        int type;
        if (a.Float is { } f)
        {
            o.WriteTag(2, WireFormat.WireType.Fixed32);
            o.WriteFloat(f);
            type = 1;
        }
        else if (a.Int is { } i)
        {
            o.WriteTag(3, WireFormat.WireType.Varint);
            o.WriteInt64(i);
            type = 2;
        }
        else if (a.String is { } s)
        {
            o.WriteTag(4, WireFormat.WireType.LengthDelimited);
            o.WriteString(s);
            type = 3;
        }
        else if (a.Tensor is { } t)
        {
            WriteMessage(o, 5, w => Tensor(w, t));
            type = 4;
        }
        else if (a.Floats is { } fs)
        {
            foreach (var v in fs)
            {
                o.WriteTag(7, WireFormat.WireType.Fixed32);
                o.WriteFloat(v);
            }
            type = 6;
        }
        else if (a.Ints is { } ints)
        {
            foreach (var v in ints)
            {
                o.WriteTag(8, WireFormat.WireType.Varint);
                o.WriteInt64(v);
            }
            type = 7;
        }
        else
        {
            throw new ArgumentException($"attribute '{a.Name}' has no value", nameof(a));
        }
        o.WriteTag(20, WireFormat.WireType.Varint);
        o.WriteEnum(type);
    }

    private static void Tensor(CodedOutputStream o, OnnxTensor t)
    {
        foreach (var d in t.Dims)
        {
            o.WriteTag(1, WireFormat.WireType.Varint);
            o.WriteInt64(d);
        }
        o.WriteTag(2, WireFormat.WireType.Varint);
        o.WriteInt32((int)t.ElementType);
        o.WriteTag(8, WireFormat.WireType.LengthDelimited);
        o.WriteString(t.Name);
        o.WriteTag(9, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(t.RawData));
    }

    private static void ValueInfo(CodedOutputStream o, OnnxValueInfo v)
    {
        o.WriteTag(1, WireFormat.WireType.LengthDelimited);
        o.WriteString(v.Name);
        // TypeProto { tensor_type = 1: TypeProto.Tensor { elem_type = 1, shape = 2: TensorShapeProto { dim = 1 } } }
        WriteMessage(o, 2, type => WriteMessage(type, 1, tensor =>
        {
            tensor.WriteTag(1, WireFormat.WireType.Varint);
            tensor.WriteInt32((int)v.ElementType);
            WriteMessage(tensor, 2, shape =>
            {
                foreach (var d in v.Shape)
                {
                    WriteMessage(shape, 1, dim =>
                    {
                        if (d.Symbol is { } s)
                        {
                            dim.WriteTag(2, WireFormat.WireType.LengthDelimited);
                            dim.WriteString(s);
                        }
                        else
                        {
                            dim.WriteTag(1, WireFormat.WireType.Varint);
                            dim.WriteInt64(d.Value);
                        }
                    });
                }
            });
        }));
    }
}
