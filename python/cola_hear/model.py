"""The COLA model in plain PyTorch: one definition, used by this package and by the reference
fixtures (benchmarks/reference/cola_reference.py).

google-research/google-research cola/network.py, written out without torchvision: encoder
(EfficientNet-B0 as Keras builds it, or the small CNN), head (Dense 512, then LayerNorm + tanh for
the bilinear similarity), similarity (bilinear A W P^T, or cosine / 0.2), softmax cross-entropy of
row i against column i. `state_dict` keys are Cola's parameter names
(`encoder.blocks.3.depthwise.conv.weight`, ...), so `cola export` files load by name.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

BN_EPS = 1e-3
BN_MOMENTUM = 0.01  # PyTorch convention; Keras momentum 0.99
LAYER_NORM_EPS = 1e-3
TEMPERATURE = 0.2
FRAMES, BANDS = 96, 64

# (expand ratio, kernel, stride, output channels, repeats): Keras DEFAULT_BLOCKS_ARGS for B0.
EFFICIENTNET_B0_STAGES = [
    (1, 3, 1, 16, 1),
    (6, 3, 2, 24, 2),
    (6, 5, 2, 40, 2),
    (6, 3, 2, 80, 3),
    (6, 5, 1, 112, 3),
    (6, 5, 2, 192, 4),
    (6, 3, 1, 320, 1),
]
EFFICIENTNET_DROP_CONNECT = 0.2
SMALL_CNN_CHANNELS = [64, 128, 256, 512]


def keras_pad(x: torch.Tensor, kernel: int, stride: int) -> torch.Tensor:
    """Zero padding as Keras: 'same' for stride 1, imagenet_utils.correct_pad for stride 2."""
    if stride == 1:
        p = kernel // 2
        return F.pad(x, (p, p, p, p))
    h, w = x.shape[2], x.shape[3]
    top = kernel // 2 - (1 - h % 2)
    left = kernel // 2 - (1 - w % 2)
    return F.pad(x, (left, kernel // 2, top, kernel // 2))


class ConvBN(nn.Module):
    """Convolution without bias (`conv`), then batch norm (`bn`); padding as Keras."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int = 1, groups: int = 1):
        super().__init__()
        self.kernel, self.stride = kernel, stride
        self.conv = nn.Conv2d(cin, cout, kernel, stride, padding=0, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=BN_EPS, momentum=BN_MOMENTUM)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.kernel > 1:
            x = keras_pad(x, self.kernel, self.stride)
        return self.bn(self.conv(x))


class SmallCNNBlock(nn.Module):
    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, 1, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=BN_EPS, momentum=BN_MOMENTUM)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)


class SmallCNN(nn.Module):
    """4 x [conv 3x3 same, BN, ReLU, max-pool 2], 64/128/256/512 channels, global max pool."""

    features = SMALL_CNN_CHANNELS[-1]

    def __init__(self):
        super().__init__()
        chans = [1] + SMALL_CNN_CHANNELS
        self.blocks = nn.ModuleList(SmallCNNBlock(chans[i], chans[i + 1]) for i in range(4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return x.amax(dim=(2, 3))


class SqueezeExcite(nn.Module):
    def __init__(self, channels: int, squeezed: int):
        super().__init__()
        self.reduce = nn.Conv2d(channels, squeezed, 1)
        self.expand = nn.Conv2d(squeezed, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = x.mean(dim=(2, 3), keepdim=True)
        s = torch.sigmoid(self.expand(F.silu(self.reduce(s))))
        return x * s


class MBConv(nn.Module):
    """Keras efficientnet.block: expand 1x1, depthwise kxk, SE (ratio 0.25 of block input), project."""

    def __init__(self, cin: int, cout: int, expand: int, kernel: int, stride: int, drop_rate: float):
        super().__init__()
        mid = cin * expand
        if expand != 1:
            self.expand = ConvBN(cin, mid, 1)
        self.depthwise = ConvBN(mid, mid, kernel, stride, groups=mid)
        self.se = SqueezeExcite(mid, max(1, int(cin * 0.25)))
        self.project = ConvBN(mid, cout, 1)
        self.residual = stride == 1 and cin == cout
        self.drop_rate = drop_rate
        self.drop_connect = True

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.silu(self.expand(x)) if hasattr(self, "expand") else x
        y = F.silu(self.depthwise(y))
        y = self.project(self.se(y))
        if not self.residual:
            return y
        if self.training and self.drop_connect and self.drop_rate > 0:
            # Keras Dropout with noise_shape (N, 1, 1, 1): whole samples dropped, rest scaled.
            keep = 1.0 - self.drop_rate
            mask = torch.rand(y.shape[0], 1, 1, 1, dtype=y.dtype, device=y.device) < keep
            y = y * mask.to(y.dtype) / keep
        return y + x


class EfficientNetB0(nn.Module):
    """Keras EfficientNetB0(include_top=False, weights=None, pooling='max'), 1 input channel."""

    features = 1280

    def __init__(self):
        super().__init__()
        self.stem = ConvBN(1, 32, 3, 2)
        blocks, cin, index = [], 32, 0
        total = sum(stage[4] for stage in EFFICIENTNET_B0_STAGES)
        for expand, kernel, stride, cout, repeats in EFFICIENTNET_B0_STAGES:
            for r in range(repeats):
                rate = EFFICIENTNET_DROP_CONNECT * index / total
                blocks.append(MBConv(cin, cout, expand, kernel, stride if r == 0 else 1, rate))
                cin, index = cout, index + 1
        self.blocks = nn.ModuleList(blocks)
        self.top = ConvBN(320, 1280, 1)

    def set_drop_connect(self, enabled: bool) -> None:
        for block in self.blocks:
            block.drop_connect = enabled

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x * (1.0 / 255.0)  # Keras Rescaling; the un-adapted Normalization is the identity
        x = F.silu(self.stem(x))
        for block in self.blocks:
            x = block(x)
        x = F.silu(self.top(x))
        return x.amax(dim=(2, 3))


class Head(nn.Module):
    def __init__(self, features: int, bilinear: bool):
        super().__init__()
        self.dense = nn.Linear(features, 512)
        if bilinear:
            self.norm = nn.LayerNorm(512, eps=LAYER_NORM_EPS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.dense(x)
        if hasattr(self, "norm"):
            x = torch.tanh(self.norm(x))
        return x


class Bilinear(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(512, 512))

    def forward(self, a: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
        return a @ (self.weight @ p.T)


class ColaModel(nn.Module):
    """Encoder + head + similarity; `forward` returns embeddings, similarity, loss, accuracy."""

    def __init__(self, encoder: str, similarity: str):
        super().__init__()
        assert encoder in ("cnn", "effnet") and similarity in ("bilinear", "cosine")
        self.encoder = SmallCNN() if encoder == "cnn" else EfficientNetB0()
        self.head = Head(self.encoder.features, similarity == "bilinear")
        if similarity == "bilinear":
            self.similarity = Bilinear()
        self.kind = similarity

    def forward(self, anchors: torch.Tensor, positives: torch.Tensor):
        b = anchors.shape[0]
        embeddings = self.head(self.encoder(torch.cat([anchors, positives], dim=0)))
        a, p = embeddings[:b], embeddings[b:]
        if self.kind == "bilinear":
            s = self.similarity(a, p)
        else:
            # tf.math.l2_normalize: x / sqrt(max(sum x^2, 1e-12))
            na = a * torch.rsqrt(torch.clamp((a * a).sum(1, keepdim=True), min=1e-12))
            np_ = p * torch.rsqrt(torch.clamp((p * p).sum(1, keepdim=True), min=1e-12))
            s = na @ np_.T / TEMPERATURE
        labels = torch.arange(b)
        loss = F.cross_entropy(s, labels)
        accuracy = (s.argmax(dim=1) == labels).to(s.dtype).mean()
        return a, p, s, loss, accuracy
