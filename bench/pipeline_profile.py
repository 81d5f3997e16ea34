"""Where the end-to-end time goes: the face detector, the keypoint network, the rest, and the cascade's threading.

    python bench/pipeline_profile.py [--data DIR] [--threads 2]

Runs `KeypointDetector` (shipped model, ONNX when onnxruntime is installed), with the CNN face detector and with the
Haar cascade, over the 770 test images in chunks of 32, timing `find_faces` and every network call apart; then times the cascade alone on 300 images with 1 or 2 OpenCV
threads and 1 or 2 images at once (one per worker thread).
"""
import argparse, time

import cv2
import numpy as np
import torch

from facekp.data import SPLIT_CSVS, find_data, load_image, read_keypoints_csv
from facekp.inference import KeypointDetector

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data'); p.add_argument('--threads', type=int, default=2); p.add_argument('--chunk', type=int, default=32)
    a = p.parse_args()
    torch.set_num_threads(a.threads); cv2.setNumThreads(a.threads)
    df = read_keypoints_csv(find_data(a.data) / SPLIT_CSVS['test'])
    rgbs = [np.asarray(load_image(q)) for q in df['path']]
    for name in ('cnn', 'haar'): profile(KeypointDetector(workers=a.threads, face_detector=name), rgbs, a.chunk)
    some = rgbs[:300]
    for cv_threads in (a.threads, 1):
        cv2.setNumThreads(cv_threads)
        for workers in (1, a.threads):
            d = KeypointDetector(workers=workers, face_detector='haar')     # find_faces: one image per worker thread
            d.find_faces(some[:workers]); t = time.perf_counter(); d.find_faces(some)
            print(f'cascade alone, {cv_threads} OpenCV thread(s), {workers} image(s) at once: '
                  f'{1000 * (time.perf_counter() - t) / len(some):.2f} ms per image')

def profile(det, rgbs, chunk):
    "Time `det` over `rgbs`: the face detector, the network calls, the rest."
    calls, predict = [], det._predict
    def timed(crops):
        t = time.perf_counter(); r = predict(crops); calls.append((len(crops), time.perf_counter() - t)); return r
    det._predict = timed
    det.batch(rgbs[:chunk]); calls.clear()                       # warm up
    t0, t_find = time.perf_counter(), 0.
    for i in range(0, len(rgbs), chunk):
        t = time.perf_counter(); boxes = det.find_faces(rgbs[i:i + chunk]); t_find += time.perf_counter() - t
        det.keypoints_in_boxes(rgbs[i:i + chunk], boxes)
    total, n = time.perf_counter() - t0, len(rgbs)
    t_net, crops = sum(c[1] for c in calls), sum(c[0] for c in calls)
    print(f'{type(det.model).__name__}, {type(det.face_detector).__name__}: {1000 * total / n:.2f} ms per image ({n / total:.1f} images/s): face detector '
          f'{1000 * t_find / n:.2f} ms, network {1000 * t_net / n:.2f} ms ({crops / n:.2f} crops per image), '
          f'rest {1000 * (total - t_find - t_net) / n:.2f} ms')

if __name__ == '__main__': main()
