/**
 * OpenLTH's LeNet in PyTorch (models/mnist_lenet.py, written out again here): `LeNet(plan, outputs)`,
 * fully connected layers `fc_layers.<i>` of the sizes in `plan`, then `fc`. Imports `nn` and `F`.
 */
export const OPENLTH_LENET = `
import torch.nn as nn
import torch.nn.functional as F

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
`;

/**
 * OpenLTH's model definitions in PyTorch (models/mnist_lenet.py, cifar_resnet.py, cifar_vgg.py,
 * imagenet_resnet.py, written out again here), and `build(name, outputs)` for an OpenLTH model
 * name (`mnist_lenet_300_100`, `cifar_resnet_20_16`, `cifar_vgg_11`, `imagenet_resnet_18_64` ...).
 * Imports torchvision (Debian's python3-torchvision: the ImageNet ResNets build on it).
 */
export const OPENLTH_MODELS = `${OPENLTH_LENET}
import torchvision

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
