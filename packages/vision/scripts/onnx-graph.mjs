// A small editable view of an ONNX model (nodes, float initializers as Float32Array) on top of onnx-proto,
// for the fr_feature derivation. Encoding is deterministic: the same graph gives the same bytes.
import onnxProto from "onnx-proto";

const { onnx } = onnxProto;
export const DataType = onnx.TensorProto.DataType;
const AttributeType = onnx.AttributeProto.AttributeType;

const TYPED_ARRAYS = {
  [DataType.FLOAT]: Float32Array,
  [DataType.UINT8]: Uint8Array,
  [DataType.INT8]: Int8Array,
  [DataType.INT32]: Int32Array,
};

/** Decodes model bytes; initializers of the types above become `{ dataType, dims, data }` with a typed array. */
export function decodeModel(bytes) {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  const initializers = new Map();
  for (const tensor of graph.initializer) {
    const TypedArray = TYPED_ARRAYS[tensor.dataType];
    const dims = tensor.dims.map(Number);
    if (!TypedArray) {
      initializers.set(tensor.name, { dataType: tensor.dataType, dims, proto: tensor });
      continue;
    }
    let data;
    if (tensor.rawData?.length) {
      const raw = tensor.rawData;
      data = new TypedArray(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    } else if (tensor.dataType === DataType.FLOAT) {
      data = Float32Array.from(tensor.floatData);
    } else {
      data = TypedArray.from(tensor.int32Data);
    }
    initializers.set(tensor.name, { dataType: tensor.dataType, dims, data });
  }
  const nodes = graph.node.map((node) => ({
    opType: node.opType,
    domain: node.domain ?? "",
    inputs: [...node.input],
    outputs: [...node.output],
    attributes: Object.fromEntries(node.attribute.map((attribute) => [attribute.name, attributeValue(attribute)])),
  }));
  const valueInfo = (info) => ({
    name: info.name,
    elemType: info.type.tensorType.elemType,
    shape: info.type.tensorType.shape.dim.map((dim) => (dim.dimParam ? dim.dimParam : Number(dim.dimValue))),
  });
  return {
    irVersion: Number(model.irVersion),
    producerName: model.producerName,
    opset: Number(model.opsetImport.find((entry) => !entry.domain)?.version ?? 0),
    inputs: graph.input.filter((info) => !initializers.has(info.name)).map(valueInfo),
    outputs: graph.output.map(valueInfo),
    nodes,
    initializers,
  };
}

// fr_feature and what is derived from it only use integer attributes (Conv, Reshape, the Q/DQ axis).
function attributeValue(attribute) {
  if (attribute.type === AttributeType.INT) return Number(attribute.i);
  if (attribute.type === AttributeType.INTS) return attribute.ints.map(Number);
  throw new Error(`attribute ${attribute.name}: type ${attribute.type} not handled`);
}

function attributeProto(name, value) {
  if (Array.isArray(value) && value.every(Number.isInteger)) return { name, type: AttributeType.INTS, ints: value };
  if (Number.isInteger(value)) return { name, type: AttributeType.INT, i: value };
  throw new Error(`attribute ${name}: only integers are written`);
}

/** Encodes the graph; nodes are written in the order given (keep it topological). */
export function encodeModel(graph) {
  // A null shape leaves it unknown (the calibration's extra outputs).
  const valueInfo = ({ name, elemType, shape }) => ({
    name,
    type: {
      tensorType: {
        elemType,
        ...(shape && {
          shape: { dim: shape.map((dim) => (typeof dim === "string" ? { dimParam: dim } : { dimValue: dim })) },
        }),
      },
    },
  });
  const initializer = [...graph.initializers.entries()].map(([name, tensor]) =>
    tensor.proto
      ? tensor.proto
      : {
          name,
          dataType: tensor.dataType,
          dims: tensor.dims,
          rawData: new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength),
        },
  );
  const model = onnx.ModelProto.create({
    irVersion: graph.irVersion,
    producerName: graph.producerName,
    opsetImport: [{ domain: "", version: graph.opset }],
    graph: {
      name: "graph",
      node: graph.nodes.map((node, index) => ({
        name: `${node.opType}_${index}`,
        opType: node.opType,
        domain: node.domain,
        input: node.inputs,
        output: node.outputs,
        attribute: Object.entries(node.attributes).map(([name, value]) => attributeProto(name, value)),
      })),
      initializer,
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Nodes that read `tensorName`. */
export const consumersOf = (graph, tensorName) => graph.nodes.filter((node) => node.inputs.includes(tensorName));

export const producerOf = (graph, tensorName) => graph.nodes.find((node) => node.outputs.includes(tensorName));
