"""Ray Data's overhead: images/s of `facekp.scale.landmark_dataset` (local Ray) against the single-process path, same images.

    python bench/scale.py --data ../shared/facekp-data [--split training] [--repeats 3] [--cpus 2] [--batch-size 128]   # -> bench/results/scale.json

The single-process path is `facekp.scale.Landmarker` called on batches of `--batch-size` paths in this process (what one Ray
actor runs: read, detect, keypoints, rows), over all the images, on all the cores (the face detector on `--cpus`
threads). The Ray path is `landmark_dataset` on a local Ray of `--cpus` CPUs (its default actors), writing Parquet,
timed from the dataset's creation to the last file written (actors starting and loading their models included;
`ray.init` itself is timed apart). Its steady rate leaves the start out: the rows written after the first Parquet
file, over the time from the first file to the last. Each repeat writes to a fresh folder.
"""
import argparse, os, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from provenance import Timings, write_results

import pyarrow.parquet as pq
import ray
from facekp.data import SPLIT_CSVS, find_data, read_keypoints_csv
from facekp.scale import Landmarker, landmark_dataset

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data'); p.add_argument('--split', default='training', choices=['training', 'test'])
    p.add_argument('--limit', type=int); p.add_argument('--repeats', type=int, default=3); p.add_argument('--cpus', type=int, default=2)
    p.add_argument('--batch-size', type=int, default=128)
    p.add_argument('--out', default='bench/results/scale.json')
    a = p.parse_args()
    df = read_keypoints_csv(find_data(a.data) / SPLIT_CSVS[a.split])
    paths = [str(x) for x in df['path']][:a.limit or None]
    T, single, viaray, steady, init = Timings(), [], [], [], []
    lm = Landmarker(workers=a.cpus)
    lm({'path': paths[:8]})   # warm-up, not counted
    for _ in range(max(1, a.repeats)):
        t = time.perf_counter()
        for i in range(0, len(paths), a.batch_size): lm({'path': paths[i:i + a.batch_size]})
        single.append(len(paths) / (time.perf_counter() - t))
        with tempfile.TemporaryDirectory() as d:
            t = time.perf_counter(); ray.init(num_cpus=a.cpus, include_dashboard=False, log_to_driver=False, configure_logging=False)
            init.append(time.perf_counter() - t)
            try: r = landmark_dataset(paths, Path(d) / 'out.parquet', batch_size=a.batch_size)
            finally: ray.shutdown()
            viaray.append(r['images_per_s'])
            files = sorted(Path(d, 'out.parquet').glob('*.parquet'), key=os.path.getmtime)
            m, n = [os.path.getmtime(f) for f in files], [pq.read_metadata(f).num_rows for f in files]
            steady.append((sum(n) - n[0]) / (m[-1] - m[0]) if len(files) > 1 and m[-1] > m[0] else float('nan'))
        print(f'single process {single[-1]:.1f} images/s; Ray Data {viaray[-1]:.1f} images/s, steady {steady[-1]:.1f} (ray.init {init[-1]:.1f} s)', flush=True)
    res = dict(n_images=len(paths), split=a.split, cpus=a.cpus, batch_size=a.batch_size,
               single_images_per_s=T.add('single_images_per_s', single, 'images/s'),
               ray_images_per_s=T.add('ray_images_per_s', viaray, 'images/s'),
               ray_steady_images_per_s=T.add('ray_steady_images_per_s', steady, 'images/s'),
               ray_init_s=T.add('ray_init_s', init, 's'), ray_version=ray.__version__)
    res['ray_over_single'] = res['ray_images_per_s'] / res['single_images_per_s']
    res['ray_steady_over_single'] = res['ray_steady_images_per_s'] / res['single_images_per_s']
    print(f"Ray Data / single process: {res['ray_over_single']:.2f} whole run, {res['ray_steady_over_single']:.2f} steady (medians of {a.repeats})")
    write_results(a.out, 'scale', res, repeats=a.repeats, trial=bool(a.limit), timings=T)

if __name__ == '__main__': main()
