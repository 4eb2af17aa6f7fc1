"""Torch references of torchvision's ResNet-50 stages as RFENet wraps them (resnet501/502/503):
the same submodules, parameter shapes and forward kernels as torchvision's Bottleneck (stride
on the 3x3), written here so that verification needs no torchvision."""
import torch.nn as nn


class TVBottleneck(nn.Module):
    """1x1, 3x3 (stride s), 1x1 to 4 x width, each conv without bias and with its BatchNorm;
    a strided 1x1 + BN projection when the shape changes; in-place add and ReLU."""

    def __init__(self, c1, width, s):
        super().__init__()
        c2 = 4 * width
        self.conv1, self.bn1 = nn.Conv2d(c1, width, 1, bias=False), nn.BatchNorm2d(width)
        self.conv2, self.bn2 = nn.Conv2d(width, width, 3, s, 1, bias=False), nn.BatchNorm2d(width)
        self.conv3, self.bn3 = nn.Conv2d(width, c2, 1, bias=False), nn.BatchNorm2d(c2)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = nn.Sequential(nn.Conv2d(c1, c2, 1, s, bias=False), nn.BatchNorm2d(c2)) \
            if s != 1 or c1 != c2 else None

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        y += x if self.downsample is None else self.downsample(x)
        return self.relu(y)


def stage(c1, width, blocks, s):
    return [TVBottleneck(c1, width, s)] + [TVBottleneck(4 * width, width, 1) for _ in range(blocks - 1)]


class resnet501(nn.Module):
    """ResNet-50 stem, layer1 and layer2."""

    def __init__(self, ignore=512):
        super().__init__()
        stem = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
                nn.MaxPool2d(3, 2, 1)]
        self.model = nn.Sequential(*stem, nn.Sequential(*stage(64, 64, 3, 1)), nn.Sequential(*stage(256, 128, 4, 2)))

    def forward(self, x):
        return self.model(x)


class resnet502(nn.Module):
    """ResNet-50 layer3."""

    def __init__(self, ignore=1024):
        super().__init__()
        self.model = nn.Sequential(*stage(512, 256, 6, 2))

    def forward(self, x):
        return self.model(x)


class resnet503(nn.Module):
    """ResNet-50 layer4."""

    def __init__(self, ignore=2048):
        super().__init__()
        self.model = nn.Sequential(*stage(1024, 512, 3, 2))

    def forward(self, x):
        return self.model(x)
