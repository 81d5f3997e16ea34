"""Small measured ablations: how the recipe was chosen.

    python bench/ablation.py --table questions [--data DIR]   # 1000 images, 96 px, 1 + 5 epochs
    python bench/ablation.py --table tuning [--data DIR]      # 1500 images, 112 px, 1 + 6 epochs

`questions` answers the training notebook's three questions (architecture, loss, batch size), from the first recipe;
`tuning` then chose the learning rates, the augmentation, the head's dropout and the weight average of the shipped recipe,
at batch size 16.
Every row trains on the first `limit` training images for 1 frozen + `epochs` epochs and is scored on the first
`limit` official test images (NME, inter-ocular). Short runs favour settings that learn fast: they rank choices,
they do not reach the full recipe's numbers. Writes bench/results/ablation.md or tuning.md.
"""
import argparse, tempfile, time
from pathlib import Path

import torch

from facekp.training import evaluate, train_keypoints

STANDARD_AUG = dict(max_rotate=15., max_zoom=0.1, max_shift=0.06, max_lighting=0.3)
MILD_AUG = dict(max_rotate=10, max_zoom=0.07, max_shift=0.04, max_lighting=0.2)
LIGHT_AUG = dict(max_rotate=5, max_zoom=0.04, max_shift=0.02, max_lighting=0.1)
TABLES = {
    'questions': (dict(bs=32, lr=3e-3, trunk_lr=0.1, head_dropout=0.1, average=0.0, **STANDARD_AUG), [
        ('MobileNetV2 (ImageNet) + spatial head, Wing loss, bs 32 (the recipe)', {}),
        ('  loss: MSE', dict(loss='mse')),
        ('  loss: L1', dict(loss='l1')),
        ("  head: fastai's default pooled head", dict(head='pooled')),
        ('  no ImageNet weights (random init)', dict(pretrained=False)),
        ('  batch size 64', dict(bs=64)),
        ('  batch size 16', dict(bs=16)),
        ("KeypointNet (the seeds' CNN, grayscale, from scratch)", dict(arch='keypointnet', pretrained=False, lr=1e-3, gray=True)),
    ]),
    'tuning': (dict(bs=16, lr=3e-3, head_dropout=0.1, average=0.0, **MILD_AUG), [
        ('lr 3e-3, trunk at 0.1 of it, mild augmentation', dict(trunk_lr=0.1)),
        ('lr 3e-3, trunk at 0.3', dict(trunk_lr=0.3)),
        ('lr 3e-3, trunk at 1.0 (one learning rate)', dict(trunk_lr=1.0)),
        ('lr 1e-2, trunk at 0.1', dict(lr=1e-2, trunk_lr=0.1)),
        ('lr 3e-3, trunk at 1.0, light augmentation', dict(trunk_lr=1.0, **LIGHT_AUG)),
        ('  shift 6 %, zoom 8 % (crops as loose as a detector\'s)', dict(trunk_lr=1.0, **{**LIGHT_AUG, 'max_shift': 0.06, 'max_zoom': 0.08})),
        ('  no dropout in the head', dict(trunk_lr=1.0, head_dropout=0.0, **LIGHT_AUG)),
        ('  no dropout, no weight decay', dict(trunk_lr=1.0, head_dropout=0.0, wd=0.0, **LIGHT_AUG)),
        ('  no dropout, lr 2e-3', dict(trunk_lr=1.0, head_dropout=0.0, lr=2e-3, **LIGHT_AUG)),
        ('  no dropout, lr 2e-3, weights averaged (the recipe)', dict(trunk_lr=1.0, head_dropout=0.0, lr=2e-3, average=2.0, **LIGHT_AUG)),
        ('  no dropout, lr 5e-3', dict(trunk_lr=1.0, head_dropout=0.0, lr=5e-3, **LIGHT_AUG)),
    ]),
}

SIZES = {'questions': dict(limit=1000, size=96, epochs=5), 'tuning': dict(limit=1500, size=112, epochs=6)}

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--table', choices=list(TABLES), default='questions')
    p.add_argument('--data'); p.add_argument('--limit', type=int); p.add_argument('--size', type=int)
    p.add_argument('--epochs', type=int); p.add_argument('--threads', type=int, default=2)
    p.add_argument('--out', default=None, help='default: bench/results/ablation.md or tuning.md')
    a = p.parse_args()
    for k, v in SIZES[a.table].items():   # each table's own defaults: what it was measured with
        if getattr(a, k) is None: setattr(a, k, v)
    torch.set_num_threads(a.threads)
    base, rows = TABLES[a.table]
    lines = [f'| setting ({a.limit} training images, {a.size} px, bs {base["bs"]}, 1 + {a.epochs} epochs, {a.threads} thread(s)) '
             f'| test NME | FR@0.10 | minutes |', '| --- | --- | --- | --- |']
    for name, kw in rows:
        d = Path(tempfile.mkdtemp())
        t = time.time()
        train_keypoints(a.data, out=d / 'm.pth', run_dir=d, size=a.size, epochs=a.epochs, limit=a.limit, face_check=False,
                        **{**base, **kw})
        mins = (time.time() - t) / 60
        r = evaluate(d / 'm.pth', a.data, limit=a.limit, progress=False)
        lines.append(f"| {name} | {100 * r['nme_io']:.2f} % | {100 * r['fr_010']:.1f} % | {mins:.1f} |")
        print(lines[-1], flush=True)
    out = Path(a.out or f"bench/results/{'ablation' if a.table == 'questions' else 'tuning'}.md")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines))

if __name__ == '__main__': main()
