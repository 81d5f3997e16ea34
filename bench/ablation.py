"""Small measured ablations: the choices the training recipe makes, each against its alternatives.

    python bench/ablation.py --table questions [--data DIR]   # 1000 images, 96 px, 1 + 5 epochs -> bench/results/ablation.md, .json
    python bench/ablation.py --table tuning [--data DIR]      # 1500 images, 112 px, 1 + 6 epochs -> bench/results/tuning.md, .json
    python bench/ablation.py --table photos --data ../shared/facekp-data --data ../shared/300w-train   # all images, 1 + 8 epochs -> photos.md, .json
    python bench/ablation.py --table heads --data ../shared/facekp-data --data ../shared/300w-train    # all images, 128 px, 1 + 8 epochs -> heads.md, .json
    python bench/ablation.py --table frozen --data ../shared/facekp-data --data ../shared/300w-train   # all images, 128 px, 1 + 8 epochs -> frozen.md, .json
    python bench/ablation.py --table sizes --data ../shared/facekp-data --data ../shared/300w-train    # all images, 1 + 8 epochs -> sizes.md, .json

The ImageNet trunk comes from a local weights file: set `$FACEKP_PRETRAINED` to its folder (e.g.
`FACEKP_PRETRAINED=../shared/pretrained`), or it is looked for in `~/.cache/facekp/pretrained`.

`questions` answers the training notebook's three questions (architecture, loss, batch size), at batch size 32 with
the standard augmentation; `tuning` compares the learning rates, the augmentation, the head's dropout and the weight
average at batch size 16 (the row marked "the recipe" is the training defaults').
`photos` compares what the model learns real photos from: the data (the Udacity frames alone, or with 300-W's faces)
and the augmentation (the light one of the Udacity frames' recipe, or one for photos: more rotation, scale and
shift, blur, occlusion). Its rows are scored on each source's validation faces (people, photos held out of
training), never on a test split; so are those of `heads` (the spatial head against heatmaps), `frozen` (how many
of the trunk's first layers keep their ImageNet weights: `facekp train --frozen-layers`) and `sizes` (the input's side,
every other setting the recipe's; the JSON gives each row's pipeline seconds too, the same work at each size).
The other tables' rows train on the first `limit` training images for 1 frozen + `epochs` epochs and are scored on
the first `limit` official test images (NME, inter-ocular). Short runs favour settings that learn fast: they rank
choices, they do not reach the full recipe's numbers.

Writes the Markdown table (--out, default bench/results/<table>.md) and beside it the numbers as JSON with their
provenance (bench/provenance.py: machine, versions, git commit, date, command, repeats). A row's `minutes` is its
training time as the run recorded it: with --repeats N each row is trained N times (same settings, same seed) and
the table gives the median minutes and NME, the JSON each repeat's. --limit below the table's own, --rows or
--epochs make a trial run (`trial: true`).
"""
import argparse, json, statistics, sys, tempfile, time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from provenance import Timings, write_results

from facekp.evaluation import evaluate, evaluate_sources
from facekp.model import find_pretrained
from facekp.training import train_keypoints

STANDARD_AUG = dict(max_rotate=15., max_zoom=0.1, max_shift=0.06, max_lighting=0.3)
MILD_AUG = dict(max_rotate=10, max_zoom=0.07, max_shift=0.04, max_lighting=0.2)
LIGHT_AUG = dict(max_rotate=5, max_zoom=0.04, max_shift=0.02, max_lighting=0.1)
PHOTO_AUG = dict(max_rotate=15, max_zoom=0.1, max_shift=0.05, max_lighting=0.2, max_blur=1.5, max_occlusion=0.25)
TABLES = {
    'questions': (dict(bs=32, lr=3e-3, trunk_lr_mult=0.1, head_dropout=0.1, average=0.0, **STANDARD_AUG), [
        ('MobileNetV2 (ImageNet) + spatial head, Wing loss, bs 32 (the recipe)', {}),
        ('  loss: MSE', dict(loss='mse')),
        ('  loss: L1', dict(loss='l1')),
        ("  head: fastai's default pooled head", dict(head='pooled')),
        ('  no ImageNet weights (random init)', dict(pretrained=False)),
        ('  batch size 64', dict(bs=64)),
        ('  batch size 16', dict(bs=16)),
        ("KeypointNet (the Udacity project's CNN, grayscale, from scratch)", dict(arch='keypointnet', pretrained=False, lr=1e-3, gray=True)),
    ]),
    'tuning': (dict(bs=16, lr=3e-3, head_dropout=0.1, average=0.0, **MILD_AUG), [
        ('lr 3e-3, trunk at 0.1 of it, mild augmentation', dict(trunk_lr_mult=0.1)),
        ('lr 3e-3, trunk at 0.3', dict(trunk_lr_mult=0.3)),
        ('lr 3e-3, trunk at 1.0 (one learning rate)', dict(trunk_lr_mult=1.0)),
        ('lr 1e-2, trunk at 0.1', dict(lr=1e-2, trunk_lr_mult=0.1)),
        ('lr 3e-3, trunk at 1.0, light augmentation', dict(trunk_lr_mult=1.0, **LIGHT_AUG)),
        ('  shift 6 %, zoom 8 % (crops as loose as a detector\'s)', dict(trunk_lr_mult=1.0, **{**LIGHT_AUG, 'max_shift': 0.06, 'max_zoom': 0.08})),
        ('  no dropout in the head', dict(trunk_lr_mult=1.0, head_dropout=0.0, **LIGHT_AUG)),
        ('  no dropout, no weight decay', dict(trunk_lr_mult=1.0, head_dropout=0.0, wd=0.0, **LIGHT_AUG)),
        ('  no dropout, lr 2e-3', dict(trunk_lr_mult=1.0, head_dropout=0.0, lr=2e-3, **LIGHT_AUG)),
        ('  no dropout, lr 2e-3, weights averaged (the recipe)', dict(trunk_lr_mult=1.0, head_dropout=0.0, lr=2e-3, average=2.0, **LIGHT_AUG)),
        ('  no dropout, lr 5e-3', dict(trunk_lr_mult=1.0, head_dropout=0.0, lr=5e-3, **LIGHT_AUG)),
    ]),
    'photos': (dict(bs=16, lr=2e-3, trunk_lr_mult=1.0, head_dropout=0.0, average=2.0), [
        ('Udacity frames alone, light augmentation (the Udacity recipe)', dict(sources=1, **LIGHT_AUG)),
        ('Udacity + 300-W, light augmentation', dict(**LIGHT_AUG)),
        ('Udacity + 300-W, photo augmentation', dict(**PHOTO_AUG)),
        ('Udacity + 300-W, photo augmentation, 128 px', dict(size=128, **PHOTO_AUG)),
    ]),
    'heads': (dict(bs=16, lr=2e-3, trunk_lr_mult=1.0, head_dropout=0.0, average=2.0, **PHOTO_AUG), [
        ('spatial head: a linear layer over the 4x4 map (the recipe)', dict(head='spatial')),
        ('integral head: 16x16 heatmaps, soft-argmax', dict(head='integral')),
    ]),
    'frozen': (dict(bs=16, lr=2e-3, trunk_lr_mult=1.0, head_dropout=0.0, average=2.0, **PHOTO_AUG), [
        ('every layer trained', dict(frozen_layers=0)),
        ("the trunk's first 4 layers fixed (the stem, the blocks at 1/2 and 1/4 of the input's side)", dict(frozen_layers=4)),
        ("the trunk's first 7 layers fixed (and the blocks at 1/8)", dict(frozen_layers=7)),
    ]),
    'sizes': (dict(bs=16), [   # the recipe's settings (`TRAIN_DEFAULTS`) but the input's side
        ('128 px (the recipe)', dict(size=128)),
        ('160 px', dict(size=160)),
        ('192 px', dict(size=192)),
    ]),
}

SIZES = {'questions': dict(limit=1000, size=96, epochs=5), 'tuning': dict(limit=1500, size=112, epochs=6),
         'photos': dict(limit=0, size=112, epochs=8), 'heads': dict(limit=0, size=128, epochs=8),
         'frozen': dict(limit=0, size=128, epochs=8), 'sizes': dict(limit=0, size=128, epochs=8)}

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--table', choices=list(TABLES), default='questions')
    p.add_argument('--data', action='append', help='a data source (repeat it for several)')
    p.add_argument('--limit', type=int); p.add_argument('--size', type=int)
    p.add_argument('--rows', help='only these rows (numbers from 1, comma-separated)')
    p.add_argument('--keep', help='keep the model of each row in KEEP/<table>/row<k>/ (default: a temporary folder)')
    p.add_argument('--score-kept', action='store_true', help='score the models kept in --keep again, without training')
    p.add_argument('--epochs', type=int); p.add_argument('--threads', type=int, default=2)
    p.add_argument('--out', default=None, help='default: bench/results/ablation.md, tuning.md or photos.md (and .json beside it)')
    p.add_argument('--repeats', type=int, default=1, help='train each row this many times (its minutes: a timing)')
    p.add_argument('--trial', action='store_true', help='mark the results as a trial run')
    a = p.parse_args()
    if find_pretrained('mobilenet_v2') is None:   # the rows compare recipes of an ImageNet trunk: never silently from scratch
        p.error('no local ImageNet weights for mobilenet_v2: set FACEKP_PRETRAINED to their folder (e.g. ../shared/pretrained)')
    trial = a.trial or bool(a.rows) or any(getattr(a, k) not in (None, v) for k, v in SIZES[a.table].items())
    for k, v in SIZES[a.table].items():   # each table's own defaults: what it was measured with
        if getattr(a, k) is None: setattr(a, k, v)
    R, T, records = max(1, a.repeats), Timings(), []
    torch.set_num_threads(a.threads)
    base, rows = TABLES[a.table]
    photos = a.table in ('photos', 'heads', 'frozen', 'sizes')
    data = a.data if photos or a.data is None else a.data[0]
    scored = 'validation NME ' + ' / '.join(Path(d).name for d in a.data) if photos else 'test NME'
    side = 'the side by row' if all('size' in kw for _, kw in rows) else f'{a.size} px'   # a table of sides names each in its rows
    lines = [f'| setting ({a.limit or "all"} training images, {side}, bs {base["bs"]}, 1 + {a.epochs} epochs, {a.threads} thread(s)) '
             f'| {scored} | FR@0.10 | minutes |', '| --- | --- | --- | --- |']
    if photos:   # and through the whole pipeline: the shipped face detector's boxes, on the photos' validation faces
        lines[0] = lines[0].replace(' | minutes |', f' | pipeline NME {Path(a.data[-1]).name} (found) | minutes |')
        lines[1] += ' --- |'
    only = {int(r) for r in a.rows.split(',')} if a.rows else None
    for k, (name, kw) in enumerate(rows, 1):
        if only and k not in only: continue
        kw = {'size': a.size, **base, **kw}
        train_data = data[:kw.pop('sources')] if 'sources' in kw else data
        reps = []
        for j in range(R):
            d = (Path(a.keep) / a.table / f'row{k}' / (f'repeat{j + 1}' if j else '')) if a.keep else Path(tempfile.mkdtemp())
            if not (a.keep and (d / 'm.pth').is_file() and a.score_kept):
                train_keypoints(train_data, out=d / 'm.pth', run_dir=d, epochs=a.epochs, limit=a.limit or None, face_check=False,
                                resume=False, **kw)
            rec = dict(minutes=json.loads((d / 'history.json').read_text())[-1]['seconds'] / 60)   # training time, as the run recorded it
            r = evaluate(d / 'm.pth', data, split='identity' if photos else 'test', limit=a.limit or None, progress=False)
            rec.update(nme=r.nme_io, fr_010=r.fr_010,
                       by_source={s: dict(nme=v['nme_io'], fr_010=v['fr_010']) for s, v in r.by_source.items()} if photos and r.by_source else None)
            if photos:
                p = evaluate_sources(d / 'm.pth', a.data[-1], split='identity', boxes='detector', limit=a.limit or None, progress=False)[0]
                rec['pipeline'] = dict(source=Path(a.data[-1]).name, nme=p.nme_io, found=p.found, seconds=p.seconds)
            reps.append(rec)
        med = lambda f: statistics.median(f(x) for x in reps)
        mins = T.add(f'row{k}_minutes', [x['minutes'] for x in reps], 'minutes')
        if photos and reps[0]['by_source']:
            nme = ' / '.join(f"{100 * med(lambda x: x['by_source'][s]['nme']):.2f} %" for s in reps[0]['by_source'])
            fr = ' / '.join(f"{100 * med(lambda x: x['by_source'][s]['fr_010']):.1f} %" for s in reps[0]['by_source'])
        else: nme, fr = f"{100 * med(lambda x: x['nme']):.2f} %", f"{100 * med(lambda x: x['fr_010']):.1f} %"
        pipe = (f" {100 * med(lambda x: x['pipeline']['nme']):.2f} % ({100 * med(lambda x: x['pipeline']['found']):.1f} %) |"
                if photos else '')
        lines.append(f"| {name} | {nme} | {fr} |{pipe} {mins:.1f} |")
        records.append(dict(row=k, label=name.strip(), settings=kw, trained_on=[str(x) for x in (train_data if isinstance(train_data, list) else [train_data])],
                            nme=med(lambda x: x['nme']), fr_010=med(lambda x: x['fr_010']), minutes=mins, repeats=reps))
        print(lines[-1], flush=True)
    out = Path(a.out or Path(__file__).resolve().parent / 'results' / f"{dict(questions='ablation').get(a.table, a.table)}.md")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text('\n'.join(lines) + '\n')
    write_results(out.with_suffix('.json'), f'ablation-{a.table}', dict(table=a.table, limit=a.limit, size=a.size, epochs=a.epochs,
                  threads=a.threads, base=base, scored_on=scored, rows=records, markdown=lines), repeats=R, trial=trial, timings=T,
                  data=[str(x) for x in (a.data or [])])
    print('\n'.join(lines))

if __name__ == '__main__': main()
