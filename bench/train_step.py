"""Time one training step (forward, backward, Adam) of the keypoint model on CPU, with and without channels-last, and
channels-last under bfloat16 autocast.

    python bench/train_step.py [--size 112] [--bs 16] [--threads 2] [--frozen-layers 7]

Random input, so it measures the arithmetic only (no data loading). This is why `train_keypoints` runs its
convolutions channels-last: 217 -> 136 ms per step at 112 px, batch 16, on the 2-core development machine.
"""
import argparse, time

import torch

from facekp.model import keypoint_model, model_config
from facekp.training import freeze_first_layers

def step_ms(size, bs, channels_last, steps=10, bf16=False, frozen_layers=0):
    model = keypoint_model(model_config(size=size)).train()
    freeze_first_layers(model, frozen_layers)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], 1e-4)
    x, y = torch.rand(bs, 3, size, size), torch.rand(bs, 68, 2)
    if channels_last:
        model = model.to(memory_format=torch.channels_last); x = x.contiguous(memory_format=torch.channels_last)
    for i in range(steps + 3):
        if i == 3: t = time.perf_counter()
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
            loss = (model(x).float() - y).pow(2).mean()
        opt.zero_grad(); loss.backward(); opt.step()
    return 1000 * (time.perf_counter() - t) / steps

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--size', type=int, default=112); p.add_argument('--bs', type=int, default=16)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--frozen-layers', type=int, default=0, help="the trunk's first layers kept fixed (facekp train --frozen-layers)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    for name, cl, bf16 in (('contiguous', False, False), ('channels-last', True, False), ('channels-last, bfloat16 autocast', True, True)):
        ms = step_ms(a.size, a.bs, cl, bf16=bf16, frozen_layers=a.frozen_layers)
        print(f"{name:33s}: {ms:.0f} ms per step, {1000 * a.bs / ms:.0f} images/s")

if __name__ == '__main__': main()
