"""The face detectors on harder pictures: the 770 test images as they are, rotated, at half size, small in a large
frame, grey and dark; the share of faces with a box holding the face's centre, for facekp's CNN and the Haar cascade.

    python bench/face_detector.py --data ../shared/facekp-data     # -> bench/results/face_detector.json and .md

Prints a Markdown table and writes it to OUT.md, and the numbers with their provenance (bench/provenance.py: machine,
versions, git commit, date, command) to OUT.json, from which `python .ci/tables.py` renders the model card's table.
Shares of faces found, no timings: each is measured once. `--limit N` (the first N test images) is a trial run.
"""
import argparse, sys
from pathlib import Path

import cv2
import numpy as np
import torch

from facekp.data import SPLIT_CSVS, find_data, keypoints_array, load_image, read_keypoints_csv
from facekp.core import face_squares
from facekp.detection import CnnFaceDetector, HaarFaceDetector

sys.path.insert(0, str(Path(__file__).resolve().parent))
from provenance import write_results

PICTURES = ['as is', 'rotated 20', 'rotated -35', 'half size', 'in a 3x frame', 'grey', 'dark']

def variant(rgb, k, name):
    "The picture `name` made from `rgb` and its keypoints `k` moved with it."
    h, w = rgb.shape[:2]
    if name == 'as is': return rgb, k
    if name.startswith('rotated'):
        m = cv2.getRotationMatrix2D((w / 2, h / 2), float(name.split()[1]), 1.0)
        return cv2.warpAffine(rgb, m, (w, h), borderMode=cv2.BORDER_REPLICATE), k @ m[:, :2].T + m[:, 2]
    if name == 'half size': return cv2.resize(rgb, (w // 2, h // 2), interpolation=cv2.INTER_AREA), k * [(w // 2) / w, (h // 2) / h]
    if name == 'in a 3x frame':
        big = np.full((3 * h, 3 * w, 3), 110, np.uint8); big[h:2 * h, w:2 * w] = rgb
        return big, k + [w, h]
    if name == 'grey': return np.repeat(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)[..., None], 3, -1), k
    if name == 'dark': return (rgb * 0.35).astype(np.uint8), k
    raise ValueError(name)

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data'); p.add_argument('--limit', type=int, help='only the first N test images (a trial run)')
    p.add_argument('--trial', action='store_true', help='mark the results as a trial run (implied by --limit)')
    p.add_argument('--out', default=str(Path(__file__).resolve().parent / 'results' / 'face_detector'),
                   help='writes OUT.md and OUT.json')
    a = p.parse_args()
    df = read_keypoints_csv(find_data(a.data) / SPLIT_CSVS['test'])
    if a.limit: df = df.iloc[:a.limit]
    kps, rgbs = keypoints_array(df), [np.asarray(load_image(q)) for q in df['path']]
    dets = {'cnn': ('CNN (`CnnFaceDetector`)', CnnFaceDetector()), 'haar': ('Haar cascade (`HaarFaceDetector`)', HaarFaceDetector())}
    lines = ['| picture | ' + ' | '.join(label for label, _ in dets.values()) + ' |', '| --- |' + ' --- |' * len(dets)]
    print('\n'.join(lines))
    rows = []
    for name in PICTURES:
        row = dict(picture=name)
        for key, (_, d) in dets.items():
            found = 0
            for rgb, k in zip(rgbs, kps):
                pic, kk = variant(rgb, k, name); cx, cy, _ = face_squares(kk[None])[0]
                found += any(x <= cx <= x + w and y <= cy <= y + h for x, y, w, h in d(np.ascontiguousarray(pic)))
            row[key] = found / len(rgbs)
        rows.append(row)
        lines.append(f'| {name} | ' + ' | '.join(f'{100 * row[k]:.1f} %' for k in dets) + ' |'); print(lines[-1], flush=True)
    out = Path(a.out)
    out.with_suffix('.md').write_text('\n'.join(lines) + '\n')
    write_results(out.with_suffix('.json'), 'face_detector', dict(n_images=len(rgbs), detectors={k: v[0] for k, v in dets.items()},
                  rows=rows), repeats=1, trial=a.trial or a.limit is not None, data=str(find_data(a.data)))

if __name__ == '__main__':
    torch.set_num_threads(2); cv2.setNumThreads(2)
    main()
