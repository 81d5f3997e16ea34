"""How onnxruntime's threads should wait: spinning between runs (its default), sleeping, or spinning within a run
and stopped as it returns (facekp's `onnx_session`).

    python bench/onnx_threads.py [--data DIR] [--repeats 5] [--chunk 32]   # -> bench/results/onnx_threads.json

The default pipeline (CNN face detector + keypoints, ONNX) on the 770 Udacity test images, already decoded, with each
setting in turn, R rounds (the settings take turns within a round, so a busy spell of the machine falls on all of
them alike): images/s one image per call and in chunks of --chunk images (`detector.batch`), and the keypoint
network alone at batch 64 (faces/s) and at batch 1, runs back to back (ms). Settings: onnxruntime's own thread
count with its threads spinning as they wait (its default), spinning while a run lasts and stopped as it returns
(`session.force_spinning_stop`), or sleeping (`session.intra_op.allow_spinning` 0); and one thread. Progress goes
to stderr; the medians and every round go to the results file.
"""
import argparse, os, sys, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from provenance import Timings, write_results

SETTINGS = {  # name: (intra-op threads, allow_spinning, force_spinning_stop)
    'spin within a run (facekp)': (None, '1', '1'),
    'spin (onnxruntime default)': (None, '1', '0'),
    'sleep': (None, '0', '0'),
    'one thread': (1, '1', '0'),
}

def session_maker(threads, spinning, stop):
    "An `onnx_session` stand-in with these settings (patched into facekp for one detector)."
    import onnxruntime as ort
    def make(path, _threads=None):
        o = ort.SessionOptions(); o.log_severity_level = 3
        if threads: o.intra_op_num_threads = threads
        o.add_session_config_entry('session.intra_op.allow_spinning', spinning)
        o.add_session_config_entry('session.force_spinning_stop', stop)
        return ort.InferenceSession(str(path), o, providers=['CPUExecutionProvider'])
    return make

def images_per_s(fn, items):
    t = time.perf_counter()
    for x in items: fn(x)
    return time.perf_counter() - t

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data'); p.add_argument('--repeats', type=int, default=5); p.add_argument('--chunk', type=int, default=32)
    p.add_argument('--limit', type=int, help='the first N test images only (a trial run)')
    p.add_argument('--out', default=str(HERE / 'results' / 'onnx_threads.json'))
    a = p.parse_args()
    import numpy as np
    import facekp.detection as detection, facekp.inference as inference
    from facekp.data import SPLIT_CSVS, find_data, load_image, read_keypoints_csv
    df = read_keypoints_csv(find_data(a.data) / SPLIT_CSVS['test'])
    rgbs = [np.asarray(load_image(q)) for q in df['path'][:a.limit]]
    chunks = [rgbs[i:i + a.chunk] for i in range(0, len(rgbs), a.chunk)]
    x64 = np.random.default_rng(0).random((64, 3, 128, 128), dtype=np.float32); x1 = x64[:1]
    T = Timings(); rounds = {k: dict(one=[], chunks=[], bs64=[], bs1_ms=[]) for k in SETTINGS}
    for r in range(a.repeats):
        for name, setting in SETTINGS.items():
            inference.onnx_session = detection.onnx_session = session_maker(*setting)
            d = inference.KeypointDetector(backend='onnx')
            for im in rgbs[:20]: d(im)   # warm-up, uncounted
            rounds[name]['one'].append(len(rgbs) / images_per_s(d, rgbs))
            rounds[name]['chunks'].append(len(rgbs) / images_per_s(d.batch, chunks))
            run = lambda _: d.model.session.run(None, {'image': x64})
            rounds[name]['bs64'].append(64 * 5 / images_per_s(run, range(5)))
            run1 = lambda _: d.model.session.run(None, {'image': x1})
            rounds[name]['bs1_ms'].append(1000 * images_per_s(run1, range(200)) / 200)
            print(f'round {r + 1}/{a.repeats} {name}: ' + ', '.join(f'{k} {v[-1]:.0f}' for k, v in rounds[name].items()),
                  file=sys.stderr, flush=True)
    results = {name: dict(one_per_call_images_per_s=T.add(f'{name}: one per call', v['one'], 'images/s'),
                          chunk_images_per_s=T.add(f'{name}: chunks', v['chunks'], 'images/s'),
                          keypoints_bs64_faces_per_s=T.add(f'{name}: keypoints bs64', v['bs64'], 'faces/s'),
                          keypoints_bs1_ms=T.add(f'{name}: keypoints bs1', v['bs1_ms'], 'ms'),
                          threads=SETTINGS[name][0], allow_spinning=SETTINGS[name][1],
                          force_spinning_stop=SETTINGS[name][2]) for name, v in rounds.items()}
    base = results['spin (onnxruntime default)']['one_per_call_images_per_s']
    results['one_per_call_facekp_over_default'] = results['spin within a run (facekp)']['one_per_call_images_per_s'] / base
    results.update(n_images=len(rgbs), chunk=a.chunk)
    write_results(a.out, 'onnx_threads', results, a.repeats, trial=a.limit is not None or a.repeats < 3, timings=T)
    for name in SETTINGS:
        r = results[name]
        print(f"{name:28s} one per call {r['one_per_call_images_per_s']:6.1f}  chunks {r['chunk_images_per_s']:6.1f} images/s"
              f"  keypoints bs64 {r['keypoints_bs64_faces_per_s']:6.1f} faces/s, bs1 {r['keypoints_bs1_ms']:.2f} ms")

if __name__ == '__main__':
    main()
