"""The shipped face check against one refitted with photometric jitter (grey, dark, hard contrast) on its positive and
negative crops alike, on the validation faces: the checks' balanced accuracy on held-out crops (plain and jittered),
and the whole pipeline through each check (NME, faces missed, FR@0.10) per source.

    python bench/face_check.py --data ../shared/facekp-data --data ../shared/300w-train [--out bench/results/face_check.json]

Whether dark or grey faces are what the face check rejects: the one 300-W validation photo the pipeline misses
(`lfpw/image_0335.jpg`, a dark black-and-white close-up) is rejected by the face check, not missed by the detector.
The shipped model is not changed; the refitted check lives only in this run.
"""
import argparse, sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from provenance import write_results

import numpy as np
import torch

import facekp.face_check as fc
from facekp.core import default_model_path, point_convention
from facekp.data import open_source, source_list, split_tables
from facekp.evaluation import evaluate_pipeline
from facekp.inference import KeypointDetector
from facekp.model import load_keypoint_model, pooled_features

def photometric(crop, rng):
    "A crop made grey (30 %), darker (30 %, gamma 1.3 to 2.5) and harder in contrast (20 %), each at random."
    a = crop.astype(np.float32)
    if rng.random() < 0.3: a = np.repeat(a.mean(-1, keepdims=True), 3, -1)
    if rng.random() < 0.3: a = 255 * (a / 255) ** rng.uniform(1.3, 2.5)
    if rng.random() < 0.2: a = (a - a.mean()) * rng.uniform(1.2, 1.6) + a.mean()
    return np.clip(a, 0, 255).astype(np.uint8)

def jitter_all(crops, rng): return np.stack([photometric(c, rng) for c in crops])

def fit_jittered_check(model, cfg, train, n, seed):
    "`fit_face_check` on the same crops as the shipped check's, each passed through `photometric`."
    plain = fc.face_check_crops
    def crops(*args, **kwargs):
        pos, neg = plain(*args, **kwargs); rng = np.random.default_rng(seed + 7)
        return jitter_all(pos, rng), jitter_all(neg, rng)
    fc.face_check_crops = crops
    try: return fc.fit_face_check(model, train, cfg['size'], cfg['margin'], n=n, seed=seed)
    finally: fc.face_check_crops = plain

def balanced_accuracy(model, check, pos, neg) -> float:
    "The mean of the shares of face crops accepted and of other crops rejected."
    with torch.inference_mode():
        p, q = (fc.face_probability(check, pooled_features(model, torch.from_numpy(x).permute(0, 3, 1, 2).float() / 255)[1])
                for x in (pos, neg))
    return float(((p > 0.5).mean() + (q <= 0.5).mean()) / 2)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', action='append', required=True, help='a data source; repeat for several (as facekp train)')
    ap.add_argument('--model', default=None, help='a keypoint model .pth (default: the shipped one)')
    ap.add_argument('--n', type=int, default=4000, help='training faces that give crops to the refitted check (as add_face_check)')
    ap.add_argument('--seed', type=int, default=42)
    ap.add_argument('--out', default=None, help='write the results here (JSON with provenance)')
    a = ap.parse_args()
    model, cfg, extra = load_keypoint_model(a.model or default_model_path())
    train, val = split_tables(a.data, 'identity', seed=a.seed)
    checks = {'shipped': extra['face_check'], 'refitted with photometric jitter': fit_jittered_check(model, cfg, train, a.n, a.seed)}
    pos, neg = fc.face_check_crops(val, cfg['size'], cfg['margin'], n=500, seed=a.seed + 1)
    rng = np.random.default_rng(a.seed + 2); pos_j, neg_j = jitter_all(pos, rng), jitter_all(neg, rng)
    sources = [(src, split_tables(src, 'identity', seed=a.seed)[1]) for src in map(open_source, source_list(a.data))]
    rows = []
    for name, check in checks.items():
        row = dict(check=name, accuracy_plain=balanced_accuracy(model, check, pos, neg),
                   accuracy_jittered=balanced_accuracy(model, check, pos_j, neg_j), pipeline={})
        for src, faces in sources:
            det = KeypointDetector((model, cfg, {**extra, 'face_check': check}),
                                   convention=point_convention(cfg, 'auto', src.kind))
            r = evaluate_pipeline(faces, det, progress=False)
            row['pipeline'][src.name] = dict(nme_io=r.nme_io, n_missed=r.n_missed, fr_010=r.fr_010, n_images=r.n_images)
        rows.append(row)
        print(f"{name:34s} held-out crops: {100 * row['accuracy_plain']:.2f} % plain, {100 * row['accuracy_jittered']:.2f} % jittered; "
              + '; '.join(f"{s}: NME {100 * v['nme_io']:.2f} %, {v['n_missed']} missed, FR@0.10 {100 * v['fr_010']:.2f} %"
                          for s, v in row['pipeline'].items()), flush=True)
    if a.out: write_results(a.out, 'face-check', dict(data=a.data, rows=rows), 1)

if __name__ == '__main__': main()
