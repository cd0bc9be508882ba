// Derives fr_feature_int8.onnx from the pinned fr_feature.onnx, deterministically (the same bytes every run;
// their SHA-256 is pinned in src/model-manifest.json under "derived"). fetch-models.mjs runs it after the fetch.
// 1. simplifyFeatureGraph: float transformations that keep the function (embeddings within 1e-6 of the original):
//    pruned channels removed, channels padded to multiples of 16, channels rescaled between layers, each PRelu
//    rewritten as Add(conv, Relu(conv)).
// 2. quantizeFeatureGraph: QDQ with per-channel symmetric int8 weights (7 bits used) and uint8 activations whose
//    ranges are in src/fr_feature.int8-calibration.json (scripts/calibrate-int8.ts). The input is the uint8 BGR
//    image: the model's (v - 127) / 128 is exactly DequantizeLinear with scale 1/128 and zero point 127.
// packages/vision/README.md ("The int8 embedding model") has the measurements behind each choice.
// Usage: node packages/vision/scripts/feature-int8.mjs <fr_feature.onnx> <fr_feature_int8.onnx>
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { consumersOf, DataType, decodeModel, encodeModel, producerOf } from "./onnx-graph.mjs";

// The model was pruned to ~1e-30 rather than to zero (and those denormal weights slow the float model down on
// Intel CPUs). Live channels have a largest |weight| of at least 1e-3, pruned ones at most 1e-5.
const DEAD_WEIGHT = 1e-4;

export const CALIBRATION_FILE = fileURLToPath(new URL("../src/fr_feature.int8-calibration.json", import.meta.url));

const initializer = (graph, name) => {
  const tensor = graph.initializers.get(name);
  if (!tensor?.data) throw new Error(`initializer ${name} missing`);
  return tensor;
};

function convParts(graph, node) {
  const weight = initializer(graph, node.inputs[1]);
  const bias = initializer(graph, node.inputs[2]);
  const [outChannels, inPerGroup, kernelHeight, kernelWidth] = weight.dims;
  const group = node.attributes.group ?? 1;
  return {
    weight,
    bias,
    outChannels,
    inPerGroup,
    kernelSize: kernelHeight * kernelWidth,
    depthwise: group === outChannels && inPerGroup === 1,
    pointwise:
      group === 1 && kernelHeight === 1 && kernelWidth === 1 && (node.attributes.pads ?? []).every((p) => p === 0),
  };
}

function channelMaxAbs(conv, channel) {
  const size = conv.inPerGroup * conv.kernelSize;
  let max = 0;
  for (let i = channel * size; i < (channel + 1) * size; i++) max = Math.max(max, Math.abs(conv.weight.data[i]));
  return max;
}

/** Removes entry `index` along axis 0 of a tensor (its first dim shrinks by one). */
function dropRow(tensor, index) {
  const rowSize = tensor.data.length / tensor.dims[0];
  const data = new tensor.data.constructor(tensor.data.length - rowSize);
  data.set(tensor.data.subarray(0, index * rowSize));
  data.set(tensor.data.subarray((index + 1) * rowSize), index * rowSize);
  tensor.data = data;
  tensor.dims = [tensor.dims[0] - 1, ...tensor.dims.slice(1)];
}

/** Removes input channel `index` of a dense 1x1 conv weight [out, in, 1, 1]. */
function dropColumn(tensor, index) {
  const [outChannels, inChannels] = tensor.dims;
  const data = new Float32Array(outChannels * (inChannels - 1));
  for (let o = 0, k = 0; o < outChannels; o++) {
    for (let i = 0; i < inChannels; i++) if (i !== index) data[k++] = tensor.data[o * inChannels + i];
  }
  tensor.data = data;
  tensor.dims = [outChannels, inChannels - 1, 1, 1];
}

const prelu = (value, slope) => (value >= 0 ? value : slope * value);

/** Whether every reader of `tensorName` can take channel `channel` as a constant and drop it. */
function canAbsorbConstant(graph, tensorName, channel) {
  if (graph.outputs.some((output) => output.name === tensorName)) return false;
  const consumers = consumersOf(graph, tensorName);
  return (
    consumers.length > 0 &&
    consumers.every((node) => {
      if (node.opType === "PRelu") return canAbsorbConstant(graph, node.outputs[0], channel);
      if (node.opType !== "Conv") return false;
      const conv = convParts(graph, node);
      if (conv.pointwise) return true;
      // A depthwise conv turns a constant into a constant only if it ignores it (zero padding makes borders differ).
      return (
        conv.depthwise &&
        channelMaxAbs(conv, channel) < DEAD_WEIGHT &&
        canAbsorbConstant(graph, node.outputs[0], channel)
      );
    })
  );
}

function absorbConstant(graph, tensorName, channel, value) {
  for (const node of consumersOf(graph, tensorName)) {
    if (node.opType === "PRelu") {
      const slope = initializer(graph, node.inputs[1]);
      const next = prelu(value, slope.data[channel]);
      dropRow(slope, channel);
      absorbConstant(graph, node.outputs[0], channel, next);
      continue;
    }
    const conv = convParts(graph, node);
    if (conv.pointwise) {
      const inChannels = conv.weight.dims[1];
      for (let o = 0; o < conv.outChannels; o++) {
        conv.bias.data[o] += conv.weight.data[o * inChannels + channel] * value;
      }
      dropColumn(conv.weight, channel);
    } else {
      const next = conv.bias.data[channel];
      dropRow(conv.weight, channel);
      dropRow(conv.bias, channel);
      node.attributes.group -= 1;
      absorbConstant(graph, node.outputs[0], channel, next);
    }
  }
}

/** A depthwise conv's channel goes with its input channel: can that be removed upstream? */
function canDropUpstream(graph, tensorName, channel) {
  if (consumersOf(graph, tensorName).length !== 1) return false;
  const node = producerOf(graph, tensorName);
  if (!node) return false;
  if (node.opType === "PRelu") return canDropUpstream(graph, node.inputs[0], channel);
  if (node.opType !== "Conv") return false;
  const conv = convParts(graph, node);
  return !conv.depthwise || canDropUpstream(graph, node.inputs[0], channel);
}

function dropUpstream(graph, tensorName, channel) {
  const node = producerOf(graph, tensorName);
  if (node.opType === "PRelu") {
    dropRow(initializer(graph, node.inputs[1]), channel);
    dropUpstream(graph, node.inputs[0], channel);
    return;
  }
  const conv = convParts(graph, node);
  dropRow(conv.weight, channel);
  dropRow(conv.bias, channel);
  if (conv.depthwise) {
    node.attributes.group -= 1;
    dropUpstream(graph, node.inputs[0], channel);
  }
}

/** Removes the pruned channels (see DEAD_WEIGHT), in place; returns how many were removed. */
function removeDeadChannels(graph) {
  let removed = 0;
  for (const node of graph.nodes) {
    if (node.opType !== "Conv") continue;
    for (let channel = convParts(graph, node).outChannels - 1; channel >= 0; channel--) {
      const conv = convParts(graph, node);
      if (channelMaxAbs(conv, channel) >= DEAD_WEIGHT || !canAbsorbConstant(graph, node.outputs[0], channel)) continue;
      if (conv.depthwise && !canDropUpstream(graph, node.inputs[0], channel)) continue;
      const value = conv.bias.data[channel];
      if (conv.depthwise) {
        node.attributes.group -= 1;
        dropUpstream(graph, node.inputs[0], channel);
      }
      dropRow(conv.weight, channel);
      dropRow(conv.bias, channel);
      absorbConstant(graph, node.outputs[0], channel, value);
      removed++;
    }
  }
  return removed;
}

/** Every conv -> PRelu -> conv chain where the PRelu is the only reader of the first conv and of itself. */
function preluChains(graph) {
  const chains = [];
  for (const prelu of graph.nodes) {
    if (prelu.opType !== "PRelu") continue;
    const producer = producerOf(graph, prelu.inputs[0]);
    const readers = consumersOf(graph, prelu.outputs[0]);
    if (producer?.opType !== "Conv" || consumersOf(graph, prelu.inputs[0]).length !== 1) {
      throw new Error(`PRelu on ${prelu.inputs[0]} does not follow a conv of its own`);
    }
    const reader = readers.length === 1 && readers[0].opType === "Conv" ? readers[0] : null;
    chains.push({ producer, prelu, reader });
  }
  return chains;
}

/** Multiplies input channel `channel` of a depthwise or dense 1x1 conv by `factor`. */
function scaleInputChannel(conv, channel, factor) {
  if (conv.depthwise) {
    for (let i = channel * conv.kernelSize; i < (channel + 1) * conv.kernelSize; i++) conv.weight.data[i] *= factor;
    return;
  }
  const inChannels = conv.weight.dims[1];
  for (let o = 0; o < conv.outChannels; o++) conv.weight.data[o * inChannels + channel] *= factor;
}

function inputChannelMaxAbs(conv, channel) {
  if (conv.depthwise) return channelMaxAbs(conv, channel);
  const inChannels = conv.weight.dims[1];
  let max = 0;
  for (let o = 0; o < conv.outChannels; o++) max = Math.max(max, Math.abs(conv.weight.data[o * inChannels + channel]));
  return max;
}

/** Divides output channel `channel` of a conv (weights and bias) by `divisor`. */
function scaleOutputChannel(conv, channel, divisor) {
  const size = conv.weight.data.length / conv.outChannels;
  for (let i = channel * size; i < (channel + 1) * size; i++) conv.weight.data[i] /= divisor;
  conv.bias.data[channel] /= divisor;
}

const isRescalable = (graph, reader) => {
  if (!reader) return false;
  const conv = convParts(graph, reader);
  return conv.depthwise || conv.pointwise;
};

/**
 * PRelu(k*y) = k*PRelu(y) for k > 0, and PRelu_s(y) = -s * PRelu_1/s(-y): a conv's output channel can be divided
 * by k (or negated) and the next conv's input channel multiplied back without changing the function.
 * 1. Slopes above 1 (one channel of the first layer) become 1/s, so that every PRelu has slopes <= 1 (rewritePRelu).
 * 2. Cross-layer equalisation (Nagel et al., 2019): k = sqrt(range1 / range2) gives both convs the same weight
 *    range, which per-tensor activation quantisation needs: untouched, some channels used a few of the 256 levels
 *    (embeddings at cosine 0.968 to the float ones instead of 0.991).
 */
function rescaleChannels(graph, rounds = 4) {
  const chains = preluChains(graph).filter(({ reader }) => isRescalable(graph, reader));
  for (const { producer, prelu, reader } of chains) {
    const slope = initializer(graph, prelu.inputs[1]).data;
    for (let c = 0; c < slope.length; c++) {
      if (slope[c] <= 1) continue;
      scaleOutputChannel(convParts(graph, producer), c, -1);
      scaleInputChannel(convParts(graph, reader), c, -slope[c]);
      slope[c] = 1 / slope[c];
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (const { producer, reader } of chains) {
      const first = convParts(graph, producer);
      const second = convParts(graph, reader);
      for (let c = 0; c < first.outChannels; c++) {
        const firstRange = channelMaxAbs(first, c);
        const secondRange = inputChannelMaxAbs(second, c);
        if (!(firstRange > 0 && secondRange > 0)) continue;
        const k = Math.sqrt(firstRange / secondRange);
        scaleOutputChannel(first, c, k);
        scaleInputChannel(second, c, k);
      }
    }
  }
  return graph;
}

/** Appends `extra` zero rows along axis 0. */
function growRows(tensor, extra) {
  const rowSize = tensor.data.length / tensor.dims[0];
  const data = new tensor.data.constructor(tensor.data.length + extra * rowSize);
  data.set(tensor.data);
  tensor.data = data;
  tensor.dims = [tensor.dims[0] + extra, ...tensor.dims.slice(1)];
}

/** Appends `extra` zero input channels to a dense 1x1 conv weight [out, in, 1, 1]. */
function growColumns(tensor, extra) {
  const [outChannels, inChannels] = tensor.dims;
  const data = new Float32Array(outChannels * (inChannels + extra));
  for (let o = 0; o < outChannels; o++) {
    data.set(tensor.data.subarray(o * inChannels, (o + 1) * inChannels), o * (inChannels + extra));
  }
  tensor.data = data;
  tensor.dims = [outChannels, inChannels + extra, 1, 1];
}

/**
 * Pads the channels between a dense conv and the 1x1 convs that read them (through PRelu and depthwise convs) to
 * a multiple of `multiple` with zero channels, which stay exactly 0 all the way. onnxruntime's int8 convs run
 * ~40% faster on this model with multiples of 16 than with the odd counts the pruning leaves.
 */
function padChannels(graph, multiple) {
  for (const producer of graph.nodes) {
    if (producer.opType !== "Conv" || (producer.attributes.group ?? 1) !== 1) continue;
    const channels = convParts(graph, producer).outChannels;
    const extra = (multiple - (channels % multiple)) % multiple;
    if (extra === 0) continue;
    const chain = [];
    const readers = [];
    const walk = (tensorName) => {
      const consumers = consumersOf(graph, tensorName);
      if (consumers.length === 0) return false;
      return consumers.every((node) => {
        if (node.opType === "PRelu" || (node.opType === "Conv" && convParts(graph, node).depthwise)) {
          chain.push(node);
          return walk(node.outputs[0]);
        }
        if (node.opType === "Conv" && convParts(graph, node).pointwise) {
          readers.push(node);
          return true;
        }
        return false;
      });
    };
    if (!walk(producer.outputs[0])) continue;
    for (const node of [producer, ...chain]) {
      for (const input of node.inputs.slice(1)) growRows(initializer(graph, input), extra);
      if (node.opType === "Conv" && node !== producer) node.attributes.group += extra;
    }
    for (const node of readers) growColumns(initializer(graph, node.inputs[1]), extra);
  }
  return graph;
}

/**
 * PRelu(y) = s*y + (1 - s)*Relu(y), and (1 - s)*Relu(y) = Relu((1 - s)*y) for slopes s <= 1 (rescaleChannels):
 * y = conv(x) becomes Add(conv_s(x), Relu(conv_1-s(x))), the conv duplicated with its output channels scaled.
 * onnxruntime runs that as QLinearConv and QLinearAdd; its float PRelu is slow (3.4 of the 8 ms of the float model)
 * and it has no quantised one. Scaling y afterwards (Mul, depthwise 1x1 convs) measured slower and adds a rounding.
 */
function rewritePRelu(graph) {
  for (const { producer, prelu } of preluChains(graph)) {
    const slope = initializer(graph, prelu.inputs[1]).data;
    if (slope.some((value) => value > 1)) throw new Error(`PRelu on ${prelu.inputs[0]} has a slope above 1`);
    const conv = convParts(graph, producer);
    const size = conv.weight.data.length / conv.outChannels;
    const [output] = prelu.outputs;
    const scaledCopy = (name, factors) => {
      const weight = conv.weight.data.map((value, i) => value * factors[Math.floor(i / size)]);
      const bias = conv.bias.data.map((value, c) => value * factors[c]);
      graph.initializers.set(`${name}_weight`, { dataType: DataType.FLOAT, dims: conv.weight.dims, data: weight });
      graph.initializers.set(`${name}_bias`, { dataType: DataType.FLOAT, dims: conv.bias.dims, data: bias });
      return { ...producer, inputs: [producer.inputs[0], `${name}_weight`, `${name}_bias`], outputs: [name] };
    };
    const replacement = [
      scaledCopy(`${output}_linear`, slope),
      scaledCopy(
        `${output}_positive`,
        slope.map((value) => 1 - value),
      ),
      {
        opType: "Relu",
        domain: "",
        inputs: [`${output}_positive`],
        outputs: [`${output}_positive_relu`],
        attributes: {},
      },
      {
        opType: "Add",
        domain: "",
        inputs: [`${output}_linear`, `${output}_positive_relu`],
        outputs: [output],
        attributes: {},
      },
    ];
    graph.nodes.splice(graph.nodes.indexOf(producer), 1, ...replacement);
    graph.nodes.splice(graph.nodes.indexOf(prelu), 1);
  }
  return pruneInitializers(graph);
}

/** Drops initializers no node reads any more. */
function pruneInitializers(graph) {
  const used = new Set(graph.nodes.flatMap((node) => node.inputs));
  for (const name of [...graph.initializers.keys()]) if (!used.has(name)) graph.initializers.delete(name);
  return graph;
}

/** Output shape of every tensor, from the NCHW input (Conv, elementwise ops and the final Reshape only). */
function inferShapes(graph) {
  const shapes = new Map(graph.inputs.map((input) => [input.name, input.shape]));
  for (const node of graph.nodes) {
    const input = shapes.get(node.inputs[0]);
    if (node.opType === "Conv") {
      const [outChannels, , kernelHeight, kernelWidth] = initializer(graph, node.inputs[1]).dims;
      const [padTop, padLeft, padBottom, padRight] = node.attributes.pads ?? [0, 0, 0, 0];
      const [strideY, strideX] = node.attributes.strides ?? [1, 1];
      const outHeight = Math.floor((input[2] + padTop + padBottom - kernelHeight) / strideY) + 1;
      const outWidth = Math.floor((input[3] + padLeft + padRight - kernelWidth) / strideX) + 1;
      shapes.set(node.outputs[0], [input[0], outChannels, outHeight, outWidth]);
    } else if (node.opType === "Reshape") {
      shapes.set(node.outputs[0], null);
    } else {
      shapes.set(node.outputs[0], input);
    }
  }
  return shapes;
}

const roundHalfEven = (value) => {
  const rounded = Math.round(value);
  return Math.abs(value % 1) === 0.5 && rounded % 2 !== 0 ? rounded - 1 : rounded;
};
const clamp = (value, low, high) => Math.min(high, Math.max(low, value));

// 7-bit weights: x86 CPUs without VNNI multiply uint8 by int8 with VPMADDUBSW, whose int16 pair sums saturate
// for 255 * 127 * 2; with |w| <= 63 they cannot (onnxruntime's "reduce_range"). On the fixtures 8 bits measured
// no better beyond the spread between calibrations (README).
const WEIGHT_LIMIT = 63;

/** uint8 scale and zero point covering [min, max] and 0. */
export function activationQuantization([min, max]) {
  const low = Math.min(0, min);
  const high = Math.max(0, max);
  const scale = Math.fround((high - low) / 255) || 1;
  return { scale, zeroPoint: clamp(roundHalfEven(-low / scale), 0, 255) };
}

/**
 * Rewrites the float graph into QDQ form for onnxruntime's QLinearConv / QLinearAdd fusions: int8 per-channel
 * weights and int32 biases behind DequantizeLinear, uint8 activations as QuantizeLinear -> DequantizeLinear pairs,
 * a uint8 input. The convs with a 1x1 output (the global 7x7 depthwise one and the last 1x1) stay float: they
 * cost nothing and keep the embedding itself unquantised.
 */
function quantizeFeatureGraph(graph, ranges) {
  const shapes = inferShapes(graph);
  const isTail = (node) => node.opType === "Reshape" || shapes.get(node.outputs[0])?.[2] === 1;
  const nodes = [];
  const initializers = new Map([...graph.initializers].filter(([, tensor]) => !tensor.data));
  const addInitializer = (name, dataType, dims, data) => {
    initializers.set(name, { dataType, dims, data });
    return name;
  };
  const dequantized = new Map(); // activation tensor -> its DequantizeLinear output
  const quantization = new Map(); // activation tensor -> { scale, zeroPoint }

  const emitActivationQdq = (tensor) => {
    const range = ranges[tensor];
    if (!range) throw new Error(`no calibration range for tensor ${tensor}; run scripts/calibrate-int8.ts`);
    const { scale, zeroPoint } = activationQuantization(range);
    const scaleName = addInitializer(`${tensor}_scale`, DataType.FLOAT, [], Float32Array.of(scale));
    const zeroName = addInitializer(`${tensor}_zero_point`, DataType.UINT8, [], Uint8Array.of(zeroPoint));
    nodes.push({
      opType: "QuantizeLinear",
      domain: "",
      inputs: [tensor, scaleName, zeroName],
      outputs: [`${tensor}_quantized`],
      attributes: {},
    });
    nodes.push({
      opType: "DequantizeLinear",
      domain: "",
      inputs: [`${tensor}_quantized`, scaleName, zeroName],
      outputs: [`${tensor}_dequantized`],
      attributes: {},
    });
    dequantized.set(tensor, `${tensor}_dequantized`);
    quantization.set(tensor, { scale, zeroPoint });
  };

  // (v - 127) / 128 of the uint8 input, exactly.
  const [input] = graph.inputs;
  const inputScale = addInitializer("input_scale", DataType.FLOAT, [], Float32Array.of(1 / 128));
  const inputZero = addInitializer("input_zero_point", DataType.UINT8, [], Uint8Array.of(127));
  nodes.push({
    opType: "DequantizeLinear",
    domain: "",
    inputs: [input.name, inputScale, inputZero],
    outputs: ["input_dequantized"],
    attributes: {},
  });
  dequantized.set(input.name, "input_dequantized");
  quantization.set(input.name, { scale: 1 / 128, zeroPoint: 127 });

  for (const node of graph.nodes) {
    const inputs = node.inputs.map((name) => dequantized.get(name) ?? name);
    if (node.opType === "Conv") {
      const weight = initializer(graph, node.inputs[1]);
      const bias = initializer(graph, node.inputs[2]);
      if (isTail(node)) {
        addInitializer(node.inputs[1], DataType.FLOAT, weight.dims, weight.data);
        addInitializer(node.inputs[2], DataType.FLOAT, bias.dims, bias.data);
      } else {
        const channels = weight.dims[0];
        const size = weight.data.length / channels;
        const inputScale = quantization.get(node.inputs[0]).scale;
        const weightScales = new Float32Array(channels);
        const biasScales = new Float32Array(channels);
        const weightValues = new Int8Array(weight.data.length);
        const biasValues = new Int32Array(channels);
        for (let c = 0; c < channels; c++) {
          weightScales[c] = channelMaxAbs(convParts(graph, node), c) / WEIGHT_LIMIT || 1;
          for (let i = c * size; i < (c + 1) * size; i++) {
            weightValues[i] = clamp(roundHalfEven(weight.data[i] / weightScales[c]), -WEIGHT_LIMIT, WEIGHT_LIMIT);
          }
          biasScales[c] = inputScale * weightScales[c];
          biasValues[c] = roundHalfEven(bias.data[c] / biasScales[c]);
        }
        const dequantize = (name, dataType, values, scales) => {
          const zeroType = dataType === DataType.INT8 ? Int8Array : Int32Array;
          nodes.push({
            opType: "DequantizeLinear",
            domain: "",
            inputs: [
              addInitializer(
                `${name}_quantized`,
                dataType,
                dataType === DataType.INT8 ? weight.dims : [channels],
                values,
              ),
              addInitializer(`${name}_scale`, DataType.FLOAT, [channels], scales),
              addInitializer(`${name}_zero_point`, dataType, [channels], new zeroType(channels)),
            ],
            outputs: [`${name}_dequantized`],
            attributes: { axis: 0 },
          });
          return `${name}_dequantized`;
        };
        inputs[1] = dequantize(node.inputs[1], DataType.INT8, weightValues, weightScales);
        inputs[2] = dequantize(node.inputs[2], DataType.INT32, biasValues, biasScales);
      }
    } else if (!["Relu", "Add", "Reshape"].includes(node.opType)) {
      throw new Error(`cannot quantise ${node.opType} (run rewritePRelu first)`);
    }
    nodes.push({ ...node, inputs });
    const [output] = node.outputs;
    const consumers = consumersOf(graph, output);
    // Conv -> Relu -> Q is what onnxruntime fuses into one QLinearConv (the Relu is the clamp at zero point 0).
    const intoRelu = consumers.length === 1 && consumers[0].opType === "Relu";
    if (!isTail(node) && consumers.length > 0 && !intoRelu) emitActivationQdq(output);
  }
  return {
    ...graph,
    opset: Math.max(graph.opset, 13), // per-channel DequantizeLinear
    inputs: [{ ...input, elemType: DataType.UINT8 }],
    nodes,
    initializers,
  };
}

/** The float graph that gets quantised; calibrate-int8.ts measures the ranges of its tensors. */
export function simplifyFeatureGraph(floatModelBytes) {
  const graph = decodeModel(floatModelBytes);
  removeDeadChannels(graph);
  rescaleChannels(graph);
  padChannels(graph, 16);
  return rewritePRelu(graph);
}

/** Tensors that get a quantisation range: every node output but the model's own output. */
export const calibratedTensors = (graph) =>
  graph.nodes.flatMap((node) => node.outputs).filter((name) => !graph.outputs.some((output) => output.name === name));

/** fr_feature_int8.onnx bytes from fr_feature.onnx bytes (fetch-models.mjs calls this for the manifest). */
export function derive(floatModelBytes, calibration = JSON.parse(readFileSync(CALIBRATION_FILE, "utf8"))) {
  return encodeModel(quantizeFeatureGraph(simplifyFeatureGraph(floatModelBytes), calibration.ranges));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [source, target] = process.argv.slice(2);
  if (!source || !target) {
    console.error("usage: node feature-int8.mjs <fr_feature.onnx> <fr_feature_int8.onnx>");
    process.exit(2);
  }
  writeFileSync(target, derive(readFileSync(source)));
}
