"""Haar cascade settings on the official test images: how often a box holds the true face, and how long it takes.

    python bench/haar.py [--data DIR] [--threads 2] [SETTING ...]

A SETTING is cascade,scale_factor,min_neighbors (default: the ones the model card quotes), e.g.
`default,1.15,4 default,1.2,2 alt2,1.3,2`; `cascade` names cv2.data.haarcascades/haarcascade_frontalface_<cascade>.xml.
Detection only (no keypoints), on grayscale images, one image at a time, min_size 30, best of two runs.
"""
import argparse, sys, time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from speed import pick_face
from facekp.data import SPLIT_CSVS, find_data, keypoints_array, load_image, read_keypoints_csv

DEFAULT = ['default,1.15,4', 'default,1.2,2', 'default,1.2,3', 'default,1.25,2', 'default,1.3,1', 'alt2,1.3,2']

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('settings', nargs='*', default=DEFAULT); p.add_argument('--data'); p.add_argument('--threads', type=int, default=2)
    a = p.parse_args()
    cv2.setNumThreads(a.threads)
    df = read_keypoints_csv(find_data(a.data) / SPLIT_CSVS['test'])
    kps = keypoints_array(df)
    grays = [cv2.cvtColor(np.asarray(load_image(q)), cv2.COLOR_RGB2GRAY) for q in df['path']]
    print(f'| cascade | scale_factor | min_neighbors | a box on the true face | ms/image ({a.threads} threads) |\n| --- | --- | --- | --- | --- |')
    for s in a.settings:
        name, sf, mn = s.split(','); sf, mn = float(sf), int(mn)
        cascade = cv2.CascadeClassifier(cv2.data.haarcascades + f'haarcascade_frontalface_{name}.xml')
        best = float('inf')
        for _ in range(2):
            t = time.perf_counter()
            boxes = [np.asarray(cascade.detectMultiScale(g, sf, mn, minSize=(30, 30)), np.float32).reshape(-1, 4) for g in grays]
            best = min(best, time.perf_counter() - t)
        found = np.mean([pick_face([(x, y, x + w, y + h) for x, y, w, h in b], k) is not None for b, k in zip(boxes, kps)])
        print(f'| {name} | {sf} | {mn} | {100 * found:.1f} % | {1000 * best / len(grays):.2f} |', flush=True)

if __name__ == '__main__': main()
