"""The face detector's first scale (`CnnFaceDetector(base_side=...)`), chosen on validation faces only: faces missed,
NME and FR@0.10 of the whole pipeline on each source's held-out faces, each face in a picture cut as the benchmark
cuts them (`facekp.evaluation.photo_square`: 1.5 times its landmarks' extent, at most 400 px).

    python bench/detector_scale.py --data ../shared/facekp-data --data ../shared/300w-train [--sides 192 176 160 144 128]
"""
import argparse

from facekp.data import split_tables
from facekp.evaluation import evaluate_pipeline
from facekp.inference import KeypointDetector

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', action='append', required=True); p.add_argument('--sides', type=int, nargs='+', default=[192, 176, 160, 144, 128])
    p.add_argument('--threshold', type=float, default=0.3)
    a = p.parse_args()
    _, val = split_tables(a.data, 'identity', seed=42)   # validation faces only: never a test split
    print('| first scale | faces missed | NME | FR@0.10 |\n| --- | --- | --- | --- |')
    for side in a.sides:
        det = KeypointDetector(face_detector_kwargs=dict(base_side=side, threshold=a.threshold))
        rs = [(s, evaluate_pipeline(g, det, progress=False)) for s, g in sorted(val.groupby('source'), key=lambda sg: sg[0] != '300w-train')]
        print(f'| {side} px | ' + ' / '.join(f'{r.n_missed}' for _, r in rs) + ' | ' + ' / '.join(f'{100 * r.nme_io:.2f} %' for _, r in rs)
              + ' | ' + ' / '.join(f'{100 * r.fr_010:.2f} %' for _, r in rs) + ' |  (' + ', '.join(f'{s}: {len(r.per_image)}' for s, r in rs) + ')', flush=True)

if __name__ == '__main__': main()
