import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { runTorch } from '@lth/testing';
import { buildModel, loadModelState, loadSafetensors, ModelHparams, Rng, saveModel, saveSafetensors, Step, toTorchLayout, trainableVariables, type Model, type SafeTensor } from '@lth/kernel';

/**
 * OpenLTH's model definitions in PyTorch (models/mnist_lenet.py, cifar_resnet.py, cifar_vgg.py,
 * imagenet_resnet.py, written out again here), and `build(name, outputs)`.
 */
export const OPENLTH_MODELS = `
import torch.nn as nn
import torch.nn.functional as F
import torchvision

class LeNet(nn.Module):
    def __init__(self, plan, outputs):
        super().__init__()
        layers = []
        current_size = 784
        for size in plan:
            layers.append(nn.Linear(current_size, size))
            current_size = size
        self.fc_layers = nn.ModuleList(layers)
        self.fc = nn.Linear(current_size, outputs)
    def forward(self, x):
        x = x.view(x.size(0), -1)
        for layer in self.fc_layers:
            x = F.relu(layer(x))
        return self.fc(x)

class CifarResNet(nn.Module):
    class Block(nn.Module):
        def __init__(self, f_in, f_out, downsample=False):
            super().__init__()
            stride = 2 if downsample else 1
            self.conv1 = nn.Conv2d(f_in, f_out, kernel_size=3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(f_out)
            self.conv2 = nn.Conv2d(f_out, f_out, kernel_size=3, stride=1, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(f_out)
            if downsample or f_in != f_out:
                self.shortcut = nn.Sequential(nn.Conv2d(f_in, f_out, kernel_size=1, stride=2, bias=False), nn.BatchNorm2d(f_out))
            else:
                self.shortcut = nn.Sequential()
        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            out += self.shortcut(x)
            return F.relu(out)
    def __init__(self, plan, outputs):
        super().__init__()
        current_filters = plan[0][0]
        self.conv = nn.Conv2d(3, current_filters, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(current_filters)
        blocks = []
        for segment_index, (filters, num_blocks) in enumerate(plan):
            for block_index in range(num_blocks):
                downsample = segment_index > 0 and block_index == 0
                blocks.append(CifarResNet.Block(current_filters, filters, downsample))
                current_filters = filters
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(plan[-1][0], outputs)
    def forward(self, x):
        out = F.relu(self.bn(self.conv(x)))
        out = self.blocks(out)
        out = F.avg_pool2d(out, out.size()[3])
        out = out.view(out.size(0), -1)
        return self.fc(out)

class CifarVgg(nn.Module):
    class ConvModule(nn.Module):
        def __init__(self, in_filters, out_filters):
            super().__init__()
            self.conv = nn.Conv2d(in_filters, out_filters, kernel_size=3, padding=1)
            self.bn = nn.BatchNorm2d(out_filters)
        def forward(self, x):
            return F.relu(self.bn(self.conv(x)))
    def __init__(self, plan, outputs):
        super().__init__()
        layers = []
        filters = 3
        for spec in plan:
            if spec == 'M':
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            else:
                layers.append(CifarVgg.ConvModule(filters, spec))
                filters = spec
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(512, outputs)
    def forward(self, x):
        x = self.layers(x)
        x = nn.AvgPool2d(2)(x)
        x = x.view(x.size(0), -1)
        return self.fc(x)

VGG_PLANS = {
    11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512],
    13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512],
    16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512],
    19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512],
}

class ImageNetResNet(torchvision.models.ResNet):
    def __init__(self, block, layers, num_classes=1000, width=64):
        torch.nn.Module.__init__(self)
        self._norm_layer = torch.nn.BatchNorm2d
        self.inplanes = width
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        self.conv1 = torch.nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = self._norm_layer(self.inplanes)
        self.relu = torch.nn.ReLU(inplace=True)
        self.maxpool = torch.nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, width, layers[0])
        self.layer2 = self._make_layer(block, width*2, layers[1], stride=2, dilate=False)
        self.layer3 = self._make_layer(block, width*4, layers[2], stride=2, dilate=False)
        self.layer4 = self._make_layer(block, width*8, layers[3], stride=2, dilate=False)
        self.avgpool = torch.nn.AdaptiveAvgPool2d((1, 1))
        self.fc = torch.nn.Linear(width*8*block.expansion, num_classes)

class ImageNetModel(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model
    def forward(self, x):
        return self.model(x)

IMAGENET = {
    18: (torchvision.models.resnet.BasicBlock, [2, 2, 2, 2]),
    34: (torchvision.models.resnet.BasicBlock, [3, 4, 6, 3]),
    50: (torchvision.models.resnet.Bottleneck, [3, 4, 6, 3]),
    101: (torchvision.models.resnet.Bottleneck, [3, 4, 23, 3]),
    152: (torchvision.models.resnet.Bottleneck, [3, 8, 36, 3]),
    200: (torchvision.models.resnet.Bottleneck, [3, 24, 36, 3]),
}

def build(name, outputs):
    parts = name.split('_')
    if name.startswith('mnist_lenet_'):
        return LeNet([int(p) for p in parts[2:]], outputs)
    if name.startswith('cifar_resnet_'):
        W = 16 if len(parts) == 3 else int(parts[3])
        D = (int(parts[2]) - 2) // 6
        return CifarResNet([(W, D), (2*W, D), (4*W, D)], outputs)
    if name.startswith('cifar_vgg_'):
        return CifarVgg(VGG_PLANS[int(parts[2])], outputs)
    if name.startswith('imagenet_resnet_'):
        block, layers = IMAGENET[int(parts[2])]
        W = 64 if len(parts) == 3 else int(parts[3])
        return ImageNetModel(ImageNetResNet(block, layers, num_classes=outputs, width=W))
    raise ValueError(name)
`;

/**
 * Loads lth's model into OpenLTH's (strict), evaluates it, then runs one train-mode forward and
 * backward; builds a PyTorch model of its own, gives it random batch-norm weights and running
 * statistics, and saves it for lth to load.
 */
const INTEROP = `
torch.set_num_threads(2)
d, name, outputs = sys.argv[1], sys.argv[2], int(sys.argv[3])
inp = read_safetensors(d + '/input.safetensors')
nchw = lambda t: t.permute(0, 3, 1, 2).contiguous()
x, x_train, labels = nchw(inp['x']), nchw(inp['x_train']), inp['labels'].long()
out = {}
m = build(name, outputs)
m.load_state_dict(read_safetensors(d + '/lth.safetensors'), strict=True)
m.eval()
with torch.no_grad():
    out['eval_logits'] = m(x)
m.train()
logits = m(x_train)
F.cross_entropy(logits, labels).backward()
out['train_logits'] = logits.detach()
for n, p in m.named_parameters():
    out['grad.' + n] = p.grad
for n, t in m.state_dict().items():
    out['after.' + n] = t
torch.manual_seed(0)
t = build(name, outputs)
for mod in t.modules():
    if isinstance(mod, nn.BatchNorm2d):
        nn.init.uniform_(mod.weight, 0.5, 1.5)
        nn.init.uniform_(mod.bias, -0.2, 0.2)
t.train()
with torch.no_grad():
    for _ in range(2):
        t(torch.randn(x.shape))
t.eval()
with torch.no_grad():
    out['torch_eval_logits'] = t(x)
write_safetensors(d + '/torch_model.safetensors', t.state_dict())
write_safetensors(d + '/out.safetensors', out)
`;

/** Largest absolute difference between two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(Number(a[i]) - Number(b[i])));
  return m;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(Number(a[i])));
  return m;
}

/** What `compareWithPyTorch` measured; every difference is a max absolute difference. */
export interface InteropReport {
  /** lth's eval logits against PyTorch's with lth's weights. */
  readonly evalLogits: number;
  /** Train-mode logits (batch statistics) of the same weights. */
  readonly trainLogits: number;
  /** With `gradients`: the loss gradient's difference, per parameter, relative to its largest magnitude. */
  readonly gradients: ReadonlyMap<string, number>;
  /** Every state entry after the train-mode forward (running statistics updated). */
  readonly stateAfterTrain: ReadonlyMap<string, number>;
  /** lth's eval logits with PyTorch's weights against PyTorch's. */
  readonly torchWeightsEvalLogits: number;
  /** Names PyTorch's `state_dict()` has, in order. */
  readonly torchStateNames: readonly string[];
}

/**
 * Builds `name` in lth, warms its batch-norm running statistics with two train-mode forwards,
 * saves it and checks it against OpenLTH's PyTorch model in both directions (see `INTEROP`).
 * `gradients` also compares the loss gradients of a train-mode step (slow on the CPU backend:
 * about 20 s for ResNet-20 at batch 2).
 */
export function compareWithPyTorch(name: string, inputShape: [number, number, number], outputs: number, batch: number, options: { gradients?: boolean } = {}): InteropReport {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lth-interop-${name}-`));
  const hp = ModelHparams.create({ model_name: name, model_init: 'kaiming_normal', batchnorm_init: 'uniform' });
  const m: Model = buildModel(hp, { outputs, inputShape, seed: `interop-${name}` });
  try {
    const rng = new Rng('interop-input', name);
    const n = batch * inputShape[0] * inputShape[1] * inputShape[2];
    const shape = [batch, ...inputShape] as [number, number, number, number];
    const xData = rng.fillNormal(new Float32Array(n));
    const xTrainData = rng.fillNormal(new Float32Array(n));
    const labels = Int32Array.from({ length: batch }, () => rng.int(outputs));
    for (let i = 0; i < 2; i++) tf.tidy(() => void m.forward(tf.tensor4d(rng.fillNormal(new Float32Array(n)), shape), true));
    const lthFile = saveModel(m, dir, Step.zero(1));
    fs.renameSync(lthFile, path.join(dir, 'lth.safetensors'));
    const f32 = (data: Float32Array): SafeTensor => ({ dtype: 'F32', shape, data });
    saveSafetensors(path.join(dir, 'input.safetensors'), [
      ['x', f32(xData)],
      ['x_train', f32(xTrainData)],
      ['labels', { dtype: 'I32', shape: [batch], data: labels }],
    ]);
    runTorch(OPENLTH_MODELS + INTEROP, [dir, name, String(outputs)]);
    const out = loadSafetensors(path.join(dir, 'out.safetensors')).tensors;
    const want = (k: string) => {
      const t = out.get(k);
      if (!t) throw new Error(`PyTorch wrote no '${k}'`);
      return t.data as ArrayLike<number>;
    };

    const x = tf.tensor4d(xData, shape);
    const evalLogits = maxAbsDiff(tf.tidy(() => m.forward(x, false)).dataSync(), want('eval_logits'));

    const xTrain = tf.tensor4d(xTrainData, shape);
    const y = tf.tensor1d(labels, 'int32');
    const gradients = new Map<string, number>();
    let trainLogits: number;
    if (options.gradients) {
      let logits: tf.Tensor2D | null = null;
      const { value, grads } = tf.variableGrads(() => {
        logits = tf.keep(m.forward(xTrain, true));
        return m.loss(logits, y);
      }, trainableVariables(m));
      trainLogits = maxAbsDiff(logits!.dataSync(), want('train_logits'));
      for (const e of m.state) {
        const g = grads[e.variable.name];
        if (!g) continue;
        const ref = want(`grad.${e.name}`);
        gradients.set(e.name, maxAbsDiff(toTorchLayout(g.dataSync() as Float32Array, e.variable.shape, e.layout), ref) / Math.max(maxAbs(ref), 1e-6));
      }
      tf.dispose([value, logits!, ...Object.values(grads)]);
    } else {
      trainLogits = maxAbsDiff(tf.tidy(() => m.forward(xTrain, true)).dataSync(), want('train_logits'));
    }
    tf.dispose([y, xTrain]);
    const stateAfterTrain = new Map<string, number>();
    for (const e of m.state) {
      const lth = toTorchLayout(e.variable.dataSync() as Float32Array | Int32Array, e.variable.shape, e.layout);
      stateAfterTrain.set(e.name, maxAbsDiff(lth, want(`after.${e.name}`)));
    }

    const torchFile = path.join(dir, 'torch_model.safetensors');
    const torchStateNames = [...loadSafetensors(torchFile).tensors.keys()];
    loadModelState(m, torchFile);
    const torchWeightsEvalLogits = maxAbsDiff(tf.tidy(() => m.forward(x, false)).dataSync(), want('torch_eval_logits'));
    x.dispose();
    return { evalLogits, trainLogits, gradients, stateAfterTrain, torchWeightsEvalLogits, torchStateNames };
  } finally {
    m.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
