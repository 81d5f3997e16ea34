"""Does a keypoint model read the face's size off the edges of its crop? Crops around the true keypoints, made larger or
smaller by a factor, on the validation faces of each source (in the benchmark's pictures, `photo_square`):

- **scale sweep**: NME, and the predicted keypoints' extent against the true extent, for each factor. A model that reads
  the face finds the same extent at every factor (ratio 1); one that reads the crop's edges finds a face that grows with
  the crop. `follows` is the share of the crop's change that shows in the answer (the slope of log extent against log
  factor: 0 for a model that reads the face, 1 for one that reads only the crop's edges).
- **refinement from the true crop**: the pipeline's re-cropping around the keypoints found (`KeypointDetector`),
  started from the true crop: NME after each pass, and after the mean of the last two passes, which is what the
  pipeline answers. A model that reads the crop's edges agrees with its own crop, and its answer drifts from pass to pass.

    python bench/crop_edges.py --data ../shared/facekp-data --data ../shared/300w-train [--model a.pth --model b.pth] [--out bench/results/crop_edges.json]

Each model runs in float32 with PyTorch; points are placed in each source's convention, as `facekp evaluate` places them.
"""
import argparse, sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from provenance import write_results

import numpy as np

from facekp.core import crop_box, default_model_path, face_squares, from_crop, place_by_map, point_convention, point_map, snap_box
from facekp.data import keypoints_array, load_image, open_source, source_list, split_tables
from facekp.inference import KeypointDetector, photo_square
from facekp.model import nme_per_image

FACTORS = (0.9, 0.95, 1.0, 1.05, 1.1)

def pictures(df):
    "The benchmark's picture of each face, and its true keypoints in the picture's pixels."
    pics, targ = [], []
    for p, k in zip(df['path'], keypoints_array(df)):
        pic, back = photo_square(np.asarray(load_image(p)), k, 1.5, 400)
        o = back(np.zeros((1, 2)))[0]; f = 1 / float(back(np.ones((1, 2)))[0, 0] - o[0])   # back(p) = (p - t) / f
        pics.append(pic); targ.append((k - o) * f)
    return pics, np.stack(targ).astype(np.float32)

def scaled(box, size, factor):
    "Crop box `box` made `factor` times as large about its centre."
    side = size / float(box[2]); c = np.asarray(box[:2], np.float64) + side / 2; side *= factor
    return np.array([c[0] - side / 2, c[1] - side / 2, size / side, size / side], np.float32)

class Runner:
    "A model's keypoints in picture pixels for given crops, placed in a convention."
    def __init__(self, det, kind):
        self.det, self.S, self.M = det, det.size, det.margin
        self.map = point_map(det.config, point_convention(det.config, 'auto', kind))
    def raw(self, pics, boxes):
        kp, _ = self.det._predict(self.det._crops(pics, range(len(pics)), boxes))
        return np.stack([from_crop(k, b) for k, b in zip(kp, boxes)])
    def placed(self, kps): return place_by_map(kps, self.map, self.M)   # by the crops' map, as one pass on a crop is placed
    def box(self, kps): return [snap_box(crop_box(k, (1, 1), self.S, 'face', self.M), self.S) for k in kps]

def extent(k): return face_squares(k)[:, 2]   # each face's larger side

def measure(model, src, df, passes=3):
    det = KeypointDetector(model, backend='torch', convention=None)
    run = Runner(det, src.kind); pics, targ = pictures(df)
    true_boxes = run.box(targ)
    sweep = []
    for f in FACTORS:
        k = run.placed(run.raw(pics, [scaled(b, run.S, f) for b in true_boxes]))
        sweep.append(dict(factor=f, nme=float(nme_per_image(k, targ).mean()), extent_ratio=float((extent(k) / extent(targ)).mean())))
    lx = np.log([s['factor'] for s in sweep]); ly = np.log([s['extent_ratio'] for s in sweep])
    follows = float(np.polyfit(lx, ly, 1)[0])
    k = run.raw(pics, true_boxes); refine = [dict(passes=0, nme=float(nme_per_image(run.placed(k), targ).mean()))]
    for i in range(passes):
        prev, k = k, run.raw(pics, run.box(k))
        refine.append(dict(passes=i + 1, nme=float(nme_per_image(run.placed(k), targ).mean()),
                           nme_mean_of_last_two=float(nme_per_image(run.placed((k + prev) / 2), targ).mean())))
    return dict(model=str(model), source=src.name, faces=len(df), follows=follows, sweep=sweep, refine=refine)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', action='append', required=True, help='a data source; repeat for several (as facekp train)')
    ap.add_argument('--model', action='append', default=None, help='a keypoint model .pth; repeat for several (default: the shipped one)')
    ap.add_argument('--limit', type=int, default=None, help='the first LIMIT validation faces of each source (a trial)')
    ap.add_argument('--out', default=None, help='write the results here (JSON with provenance)')
    a = ap.parse_args()
    rows = []
    for model in a.model or [default_model_path()]:
        for src in map(open_source, source_list(a.data)):
            df = split_tables(src, 'identity', limit=a.limit)[1]
            r = measure(model, src, df); rows.append(r)
            print(f"{Path(model).name} {src.name} ({r['faces']} faces): follows {r['follows']:.2f}; sweep "
                  + ', '.join(f"{s['factor']}: NME {100 * s['nme']:.2f} % extent {s['extent_ratio']:.3f}" for s in r['sweep'])
                  + '; refinement from the true crop ' + ', '.join(f"{p['passes']}: {100 * p['nme']:.2f} %" for p in r['refine'])
                  + f" (mean of the last two after {r['refine'][-1]['passes']}: {100 * r['refine'][-1]['nme_mean_of_last_two']:.2f} %)", flush=True)
    if a.out: write_results(a.out, 'crop-edges', dict(data=a.data, rows=rows), 1, trial=a.limit is not None)

if __name__ == '__main__': main()
