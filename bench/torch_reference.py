#!/usr/bin/env python3
"""PyTorch reference for `npm run bench`: LeNet-300-100 and CIFAR ResNet-20 as OpenLTH defines
them (mnist_lenet_300_100, cifar_resnet_20), trained with OpenLTH's default SGD settings and
timed the way bench/tfjs_worker.js times lth. Prints one JSON object on stdout."""
import argparse
import json
import os
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(784, 300), nn.Linear(300, 100), nn.Linear(100, 10)

    def forward(self, x):
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class Block(nn.Module):
    def __init__(self, fin, fout, downsample):
        super().__init__()
        stride = 2 if downsample else 1
        self.conv1 = nn.Conv2d(fin, fout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(fout)
        self.conv2 = nn.Conv2d(fout, fout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(fout)
        self.shortcut = nn.Sequential()
        if downsample or fin != fout:
            self.shortcut = nn.Sequential(nn.Conv2d(fin, fout, 1, 2, bias=False), nn.BatchNorm2d(fout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet20(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        blocks, fin = [], 16
        for i, width in enumerate([16, 32, 64]):
            for j in range(3):
                blocks.append(Block(fin, width, i > 0 and j == 0))
                fin = width
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        out = F.relu(self.bn(self.conv(x)))
        out = self.blocks(out)
        out = F.adaptive_avg_pool2d(out, 1).flatten(1)
        return self.fc(out)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--model', choices=['lenet', 'resnet20'], required=True)
    p.add_argument('--batch', type=int, default=128)
    p.add_argument('--steps', type=int, default=10)
    p.add_argument('--warmup', type=int, default=3)
    p.add_argument('--eval-images', type=int, default=10000)
    p.add_argument('--eval-batch', type=int, default=1000)
    p.add_argument('--threads', type=int, default=os.cpu_count())
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = LeNet() if a.model == 'lenet' else ResNet20()
    shape = (784,) if a.model == 'lenet' else (3, 32, 32)
    x = torch.randn(a.batch, *shape)
    y = torch.randint(0, 10, (a.batch,))
    # OpenLTH's defaults: LeNet SGD lr 0.1; ResNet-20 SGD lr 0.1, momentum 0.9, weight decay 1e-4.
    if a.model == 'lenet':
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    baseline = peak_rss_mb()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    model.train()
    for _ in range(a.warmup):
        step()
    times, losses = [], []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        losses.append(step())
        times.append((time.perf_counter() - t0) * 1000)

    model.eval()
    xe = torch.randn(a.eval_batch, *shape)
    with torch.no_grad():
        model(xe)
        t0 = time.perf_counter()
        done = 0
        while done < a.eval_images:
            n = min(a.eval_batch, a.eval_images - done)
            model(xe[:n]).argmax(1)
            done += n
        eval_ms = (time.perf_counter() - t0) * 1000
    print(json.dumps({
        'framework': 'pytorch', 'version': torch.__version__, 'model': a.model, 'backend': 'torch',
        'threads': torch.get_num_threads(), 'batch': a.batch, 'steps': a.steps,
        'step_ms': statistics.median(times), 'step_ms_all': times, 'eval_ms': eval_ms,
        'eval_images': a.eval_images, 'peak_rss_mb': peak_rss_mb(), 'baseline_rss_mb': baseline,
        'losses': losses,
    }))


if __name__ == '__main__':
    main()
