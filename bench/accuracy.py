"""Accuracy of the shipped models, written with its provenance for the README's and the model card's tables.

    python bench/accuracy.py --data ../shared/facekp-data --data ../shared/300w-train
        -> bench/results/accuracy.json: each source's validation faces and test split, on crops around the true
           keypoints and through the whole pipeline; the rows `facekp evaluate --json` prints (`evaluate_sources`)
    python bench/accuracy.py --model runs/integral/facekp.pth --split identity --out bench/results/accuracy_integral.json --data ...
        -> another model's validation rows only (a candidate is never scored on a test split)
    python bench/accuracy.py --table pipeline --data ../shared/300w-train
        -> bench/results/pipeline.json: the whole pipeline on the validation faces of the last --data source with
           other settings: refinement passes and tolerance, the CNN face detector's threshold and first scale
    python bench/accuracy.py --table maps --data ../shared/facekp-data --data ../shared/300w-train
        -> bench/results/maps.json: each source's validation faces placed by each of the model's point maps, on crops
           around the true keypoints and through the whole pipeline: the network's own points, the crops' map, the
           refined answers' map (`facekp.training.add_conventions`)
    python bench/accuracy.py --table first-scale --data ../shared/facekp-data --data ../shared/300w-train
        -> bench/results/first_scale.json: the whole pipeline on every --data source's validation faces for each
           first scale of the CNN face detector (`CnnFaceDetector(base_side=...)`, --sides): how the default was chosen

`--precision int8` on a CPU without VNNI runs the int8 twin's quantize/dequantize nodes as written, in float32, as
facekp does there (`facekp.core.onnx_session`): the arithmetic the twin has where `facekp detect` picks it. The results
file says so.

Then `python .ci/tables.py` renders the tables from them. Accuracy only: every number is deterministic, so each
is measured once (`repeats` 1); a row's `seconds` is how long it took, not a benchmark. `--limit N` (the first N
faces of each split) makes a trial run, marked `trial: true`, which `.ci/tables.py` does not render into the README.
"""
import argparse, os, sys, tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from provenance import write_results

HERE = Path(__file__).resolve().parent

# (label, KeypointDetector keyword arguments) of the `pipeline` table; the first differs from the shipped default only where said
PIPELINE_ROWS = [
    ('no refinement: one pass on the face detector\'s box', dict(refine=0)),
    ('up to 2 passes while the crop moves more than 2 % (the default)', dict(refine=2, refine_tol=0.02)),
    ('up to 3 passes while the crop moves more than 1 %', dict(refine=3, refine_tol=0.01)),
    ('face detector threshold 0.3 (the default: 0.2), default passes', dict(face_detector_kwargs=dict(threshold=0.3))),
    ("face detector's first scale 192 px (the default: 160 px), default passes", dict(face_detector_kwargs=dict(base_side=192))),
]

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--table', choices=['sources', 'pipeline', 'first-scale', 'maps'], default='sources')
    p.add_argument('--sides', type=int, nargs='+', default=[192, 176, 160, 144, 128], help='--table first-scale: the sides tried')
    p.add_argument('--data', action='append', help='a data source (repeat it for several)')
    p.add_argument('--model', default=None, help='keypoint model file (default: the shipped one)')
    p.add_argument('--split', default='all', choices=['all', 'identity'], help="--table sources: 'identity' for the validation faces alone")
    p.add_argument('--detector', default='cnn', choices=['cnn', 'haar'], help='the face detector of the pipeline rows')
    p.add_argument('--limit', type=int, help='only the first N faces of each split of each source (a trial run)')
    p.add_argument('--trial', action='store_true', help='mark the results as a trial run (implied by --limit)')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--precision', default='auto', choices=['auto', 'float32', 'int8'],
                   help="the pipeline's keypoint network: as `facekp detect` runs it (auto: int8 where the CPU runs it faster), or float32 / int8")
    p.add_argument('--out', default=None, help='default: bench/results/accuracy.json or pipeline.json')
    a = p.parse_args()
    os.environ.setdefault('OMP_NUM_THREADS', str(a.threads))
    import torch
    torch.set_num_threads(a.threads)
    from facekp.evaluation import evaluate, evaluate_pipeline, evaluate_sources
    from facekp.inference import KeypointDetector
    from facekp.model import default_model_path, load_keypoint_model, save_keypoint_model
    from facekp.core import point_convention
    from facekp.data import open_source, split_tables
    model = a.model or str(default_model_path())
    trial = a.trial or a.limit is not None
    from facekp.core import int8_is_fast
    as_written = a.precision == 'int8' and not int8_is_fast()   # facekp runs the int8 twin's nodes as written there (`onnx_session`)
    if a.table == 'sources':
        rows = evaluate_sources(model, a.data, a.split, 'both', a.detector, limit=a.limit, progress=False, precision=a.precision)
        results = dict(rows=[r.to_dict() for r in rows])
        for r in rows: print(f'{r.source:14s} {r.split:8s} {r.boxes:5s} {r.n_images:5d} faces  found {100 * r.found:5.1f} %  '
                             f'NME {100 * r.nme_io:.2f} %', file=sys.stderr, flush=True)
    elif a.table == 'maps':   # validation faces only: never a test split
        results = dict(split='identity', rows=[])
        model_obj, cfg, extra = load_keypoint_model(model)
        with tempfile.TemporaryDirectory() as tmp:   # the same model with the refined answers' maps as its crops' maps
            swapped = Path(tmp) / 'refined_maps.pth'
            save_keypoint_model(model_obj, {**cfg, 'conventions': cfg['refined_conventions']}, swapped, **extra)
            for src in [open_source(d) for d in a.data]:
                df = split_tables(src, 'identity', limit=a.limit)[1]
                conv = point_convention(cfg, 'auto', src.kind)
                for label, path, c in (("the network's own points", model, None), ("the crops' map", model, conv),
                                       ("the refined answers' map", swapped, conv)):
                    r = evaluate(path, src, 'identity', limit=a.limit, progress=False, convention=c)
                    results['rows'].append({**r.to_dict(), 'source': src.name, 'boxes': 'true', 'map': label})
                for label, which in (("the network's own points", None), ("the crops' map", 'crops'), ("the refined answers' map", 'refined')):
                    det = KeypointDetector(model, precision=a.precision, convention=None if which is None else conv)
                    if which == 'crops': det.refined_point_map = det.point_map   # refined answers placed as one pass on a crop
                    r = evaluate_pipeline(df, det, progress=False)
                    results['rows'].append({**r.to_dict(), 'source': src.name, 'boxes': 'cnn', 'map': label})
                for row in results['rows'][-6:]:
                    print(f"{row['source']:14s} {row['boxes']:5s} {row['map']:26s} NME {100 * row['nme_io']:.3f} %", file=sys.stderr, flush=True)
    elif a.table == 'first-scale':   # validation faces only: never a test split
        val = split_tables(a.data, 'identity', limit=a.limit)[1]
        results = dict(split='identity', rows=[])
        cfg = KeypointDetector(model, convention=None).config   # the point conventions the model has
        for side in a.sides:
            for name, df in val.groupby('source', sort=False):   # each source in the model's convention for its kind (as `facekp evaluate`)
                det = KeypointDetector(model, face_detector='cnn', face_detector_kwargs=dict(base_side=side), precision=a.precision,
                                       convention=point_convention(cfg, 'auto', df['kind'].iat[0]))
                r = evaluate_pipeline(df, det, progress=False)
                results['rows'].append({**r.to_dict(), 'base_side': side, 'source': name})
                print(f'{side:4d} px  {name:14s} {len(df):4d} faces  missed {r.n_missed:3d}  NME {100 * r.nme_io:.2f} %  '
                      f'FR@0.10 {100 * r.fr_010:.2f} %', file=sys.stderr, flush=True)
    else:
        src = open_source(a.data[-1] if a.data else None)
        df = split_tables(src, 'identity', limit=a.limit)[1]
        results = dict(source=src.name, split='identity', n_faces=len(df), rows=[])
        for label, kw in PIPELINE_ROWS:
            det = KeypointDetector(model, face_detector=a.detector, precision=a.precision, **kw)
            r = evaluate_pipeline(df, det, progress=False)
            row = dict(label=label, settings=kw, refine=det.refine, refine_tol=det.refine_tol, **r.to_dict())
            results['rows'].append(row)
            print(f'{label:70s} NME {100 * r.nme_io:.2f} %  FR@0.10 {100 * r.fr_010:.2f} %  found {100 * r.found:.1f} %',
                  file=sys.stderr, flush=True)
    out = Path(a.out or HERE / 'results' / dict(sources='accuracy.json', pipeline='pipeline.json', maps='maps.json', **{'first-scale': 'first_scale.json'})[a.table])
    if as_written: results['int8_arithmetic'] = 'quantize/dequantize nodes as written, in float32 (a CPU without VNNI)'
    write_results(out, f'accuracy-{a.table}', results, repeats=1, trial=trial, model=model, data=a.data, limit=a.limit)

if __name__ == '__main__': main()
