"""Images/s of the training loader: a plain fastai pipeline that decodes and resizes files every epoch
("before") against `keypoint_dls`, which decodes and crops each image once and caches the crops ("after").

    python bench/loader.py [--data DIR] [--size 160] [--bs 64] [--batches 20]

Both pipelines do the same batch augmentation (rotate, zoom, lighting) on the CPU.
"""
import argparse, time

import numpy as np
from fastai.vision.all import DataBlock, ImageBlock, PointBlock, RandomSplitter, Resize, aug_transforms
from fastprogress.fastprogress import progress_bar

from facekp.data import SPLIT_CSVS, find_data, keypoint_dls, keypoints_array, load_image, read_keypoints_csv

def rate(dl, batches):
    it = iter(dl); next(it)                      # first batch: warm-up (workers, caches)
    t = time.perf_counter(); n = 0
    for _ in progress_bar(range(batches), leave=False):
        x, _ = next(it); n += len(x)
    return n / (time.perf_counter() - t)

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data'); p.add_argument('--size', type=int, default=160); p.add_argument('--bs', type=int, default=64)
    p.add_argument('--batches', type=int, default=20); p.add_argument('--workers', type=int, default=0)
    a = p.parse_args()
    root = find_data(a.data)
    df = read_keypoints_csv(root / SPLIT_CSVS['training'])
    kps = dict(zip(df['path'], keypoints_array(df)))
    plain = DataBlock(blocks=(ImageBlock, PointBlock), get_x=lambda p: load_image(p), get_y=lambda p: kps[p],
                      splitter=RandomSplitter(0.01), item_tfms=Resize(a.size, method='pad', pad_mode='zeros'),
                      batch_tfms=aug_transforms(do_flip=False, max_warp=0, pad_mode='zeros'))
    before = rate(plain.dataloaders(list(df['path']), bs=a.bs, num_workers=a.workers).train, a.batches)
    t = time.perf_counter()
    dls = keypoint_dls(root, size=a.size, bs=a.bs, num_workers=a.workers)
    prep_s = time.perf_counter() - t
    after = rate(dls.train, a.batches)
    print(f'training loader, {a.size}px, bs {a.bs}, {a.workers} workers, {a.batches} batches:')
    print(f'  before (decode + resize every epoch): {before:7.0f} images/s')
    print(f'  after  (crops prepared once, cached):  {after:7.0f} images/s   ({after / before:.1f}x; preparing/loading the cache took {prep_s:.1f} s)')

if __name__ == '__main__': main()
