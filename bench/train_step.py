"""Time one training step (forward, backward, Adam) of the keypoint model on CPU: contiguous, channels-last, and
channels-last under bfloat16 autocast, for each number of the trunk's first layers kept fixed.

    python bench/train_step.py --size 128 --frozen-layers 0 7 [--bs 16] [--threads 2] [--repeats 3] [--out F]

Random input, so it measures the arithmetic only (no data loading). The settings are measured in turns, `--repeats`
times, and each timing is the median of its repeats, so that a neighbour's load falls on every setting alike. With
`--out` (e.g. bench/results/train_step.json) the numbers are written with their provenance. This is why
`train_keypoints` runs its convolutions channels-last (217 -> 136 ms per step at 112 px, batch 16, on a 2-core
machine), and what keeping the trunk's first layers fixed (`facekp train --frozen-layers`) saves.
"""
import argparse, sys, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from provenance import Timings, write_results

import torch

from facekp.model import keypoint_model, model_config
from facekp.training import freeze_first_layers

VARIANTS = (('contiguous', False, False), ('channels-last', True, False), ('channels-last, bfloat16 autocast', True, True))

def step_ms(size, bs, channels_last, steps=10, bf16=False, frozen_layers=0):
    "Milliseconds per training step, after 3 uncounted ones."
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
    p.add_argument('--frozen-layers', type=int, nargs='+', default=[0], help="the trunk's first layers kept fixed (facekp train --frozen-layers); several are compared")
    p.add_argument('--steps', type=int, default=10, help='steps timed per measurement')
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--out', default=None, help='write the results here (JSON with provenance)')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    times = {(n, name): [] for n in a.frozen_layers for name, _, _ in VARIANTS}
    for r in range(a.repeats):
        for n in a.frozen_layers:
            for name, cl, bf16 in VARIANTS:
                times[n, name].append(step_ms(a.size, a.bs, cl, a.steps, bf16, n))
            print(f'repeat {r + 1}/{a.repeats}, {n} layers fixed: done', file=sys.stderr)
    timings, rows = Timings(), []
    for (n, name), values in times.items():
        ms = timings.add(f'{name}, {n} layers fixed', values, 'ms')
        rows.append(dict(frozen_layers=n, variant=name, ms_per_step=ms, images_per_s=1000 * a.bs / ms))
        print(f"{n:2d} layers fixed, {name:33s}: {ms:.0f} ms per step, {1000 * a.bs / ms:.0f} images/s "
              f"[{min(values):.0f}-{max(values):.0f}]")
    if a.out: write_results(a.out, 'train-step', dict(size=a.size, bs=a.bs, threads=a.threads, rows=rows), a.repeats, timings=timings)

if __name__ == '__main__': main()
