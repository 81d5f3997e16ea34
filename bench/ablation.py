"""A small measured ablation for the training notebook's three questions (architecture, loss, batch size).

    python bench/ablation.py [--data DIR] [--limit 600] [--size 96] [--epochs 4] [--threads 1]

Every row trains on the first `limit` training images for 1 frozen + `epochs` epochs and is scored on
the first `limit` official test images (NME, inter-ocular). Small on purpose: it ranks the choices,
it does not reach the full recipe's numbers. Writes bench/results/ablation.md.
"""
import argparse, json, tempfile, time
from pathlib import Path

import torch

from facekp.training import evaluate, train_keypoints

ROWS = [
    ('MobileNetV2 (ImageNet) + spatial head, Wing loss, bs 32 (the recipe)', {}),
    ('  loss: MSE', dict(loss='mse')),
    ('  loss: L1', dict(loss='l1')),
    ("  head: fastai's default pooled head", dict(head='pooled')),
    ('  no ImageNet weights (random init)', dict(pretrained=False)),
    ('  batch size 64', dict(bs=64)),
    ('  batch size 16', dict(bs=16)),
    ("KeypointNet (the seeds' CNN, grayscale, from scratch)", dict(arch='keypointnet', pretrained=False, lr=1e-3, gray=True)),
]

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data'); p.add_argument('--limit', type=int, default=600); p.add_argument('--size', type=int, default=96)
    p.add_argument('--epochs', type=int, default=4); p.add_argument('--threads', type=int, default=1)
    p.add_argument('--out', default='bench/results/ablation.md')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    lines = [f'| setting ({a.limit} training images, {a.size} px, 1 + {a.epochs} epochs, {a.threads} thread(s)) | test NME | FR@0.10 | minutes |',
             '| --- | --- | --- | --- |']
    for name, kw in ROWS:
        d = Path(tempfile.mkdtemp())
        t = time.time()
        train_keypoints(a.data, out=d / 'm.pth', run_dir=d, size=a.size, epochs=a.epochs, limit=a.limit, face_check=False,
                        **{'bs': 32, **kw})
        mins = (time.time() - t) / 60
        r = evaluate(d / 'm.pth', a.data, limit=a.limit, progress=False)
        lines.append(f"| {name} | {100 * r['nme_io']:.2f} % | {100 * r['fr_010']:.1f} % | {mins:.1f} |")
        print(lines[-1], flush=True)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines))

if __name__ == '__main__': main()
