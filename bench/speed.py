"""Speed (and accuracy) of facekp's keypoints and of the whole pipeline, against dlib and MediaPipe in the same run.

The README's and the model card's speed tables come from this command, run on a quiet machine (nothing else busy:
the load average it records at the end shows it), then `python .ci/tables.py` renders them:

    python bench/speed.py --data ../shared/facekp-data --onnx          # -> bench/results/speed.json, 3 repeats

A quick trial of the whole chain (marked `trial: true`; `.ci/tables.py` renders it only with --allow-trial):

    python bench/speed.py --data ../shared/facekp-data --onnx --limit 20 --repeats 1   # -> bench/results/speed-trial.json

    python bench/speed.py [--data DIR] [--model PATH] [--onnx] [--precision auto] [--limit N] [--threads 2] [--json] [--repeats 3]
                          [--out PATH] [--trial]
                          [--no-haar] [--no-dlib] [--dlib-python PATH] [--no-mediapipe] [--mp-python PATH] [--mp-refine]

With --onnx, facekp runs the model's ONNX twin that `facekp detect` would run (--precision auto: the int8 twin on a CPU
with VNNI or a dot product, else float32; or --precision float32 / int8); when that is the int8 twin, the float32 twin
is measured beside it (keypoints alone, and end to end in a process of its own).

Measures, on CPU (and on the GPU when there is one, with --device cuda):
  - keypoints for one face at batch 1 (median ms over repeated calls; the model only, one pass);
  - keypoints batched (faces/s at batch 64);
  - end to end on the official test images: face detection + keypoints (with refinement), images/s,
    through `detector.batch` on --chunk images at a time (how `facekp detect` runs a folder) and one
    image per call;
    the share of images where a box holds the true face; the pipeline's NME (detected box, not the
    true one), next to the model's own NME on true-keypoint crops;
    with facekp's CNN face detector (the default) and, in the same run, with the Haar cascade
    (--scale-factor, --min-neighbors: the cascade's settings; --refine, --refine-tol: the keypoint passes;
    defaults as shipped);
  - on the same decoded images, one image per call, end to end (images/s, share of true faces found by
    the same rule, pipeline NME) and facekp's images/s over theirs (`speedup_*_vs_*`: batched, one per call):
    - dlib (benchmark only): HOG detector (upsample 1) + the 68-point ERT shape predictor. In this process
      if it has dlib (`pip install dlib-bin face-recognition-models`), else through bench/landmark_worker.py
      run by --dlib-python (default /work/venv-dlib/bin/python);
    - MediaPipe Face Mesh (benchmark only, never a facekp dependency), always in its own venv through
      bench/landmark_worker.py run by --mp-python (default /work/venv-mp/bin/python;
      python3 -m venv /work/venv-mp && /work/venv-mp/bin/pip install mediapipe==0.10.14, whose wheel ships
      its models): static_image_mode=True (face detection + mesh on every image), max_num_faces=10
      (--mp-max-faces), refine_landmarks=False (468 points; --mp-refine: 478, eyes and lips refined);
      its points reach the 68 iBUG points through MP_TO_68 (source and changes there).
    A worker's clock runs around the per-image calls only (after one uncounted warm-up call), so the
    tools' start-up is not counted (bench/startup.py measures that). A tool that is missing or fails
    prints one line and is left out; --no-dlib, --no-mediapipe skip them.
Every timing is measured --repeats times (each a whole measurement: a median over repeated calls, or a pass over
all the images; the tools in processes of their own take turns, one pass each, facekp, dlib, MediaPipe, facekp, ...,
so that a busy spell of a shared machine falls on all of them alike); the results give the median, and the results file
each timing's spread (`timings`: min, max, quartiles, every value). The accuracy numbers (faces found, NME) do not
change between repeats and are measured once. The results file (bench/provenance.py) records the machine, the
versions (dlib's and MediaPipe's too), the git commit and whether the tree had uncommitted changes, the date and
the command line.
Prints every result, then a table of the end-to-end rows (--json: the results as one JSON object).
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from provenance import Timings, write_results

import numpy as np
import torch
from fastprogress.fastprogress import progress_bar

from facekp.data import SPLIT_CSVS, find_data, keypoints_array, load_image, prepare_split, read_keypoints_csv
from facekp.inference import KeypointDetector
from facekp.model import default_model_path, nme_per_image

def timeit(f, reps):
    f(); ts = []
    for _ in range(reps):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)

def pick_face(faces_boxes, kps):
    "Index of the box (x0, y0, x1, y1) holding the true face's centre (the largest if several), or None."
    c = (kps.min(0) + kps.max(0)) / 2
    hits = [i for i, b in enumerate(faces_boxes) if b[0] <= c[0] <= b[2] and b[1] <= c[1] <= b[3]]
    return max(hits, key=lambda i: faces_boxes[i][2] - faces_boxes[i][0]) if hits else None

WORKER = Path(__file__).resolve().parent / 'landmark_worker.py'

# The 68 iBUG points from MediaPipe Face Mesh's vertices (two: their mean). After the map of
# github.com/PeizhiYan/Mediapipe_2_Dlib_Landmarks (mediapipe2dlib/mp2dlib.py, `mp2dlib_correspondence`, 2024),
# with three points changed, checked on the first 300 training images (the test images left alone) and by eye:
# 30 (nose tip) 4 -> 1, MediaPipe's own `noseTip` (tensorflow/tfjs-models, facemesh/src/keypoints.ts,
# MESH_ANNOTATIONS); 55 and 59 (lower outer lip) 321 and 91 -> 405 and 181, the third vertex of `lipsLowerOuter`
# from each corner, as the map takes the third of `lipsUpperOuter` for 53 and 49. Their errors fell from 7.9, 7.1
# and 8.4 % of the inter-ocular distance to 5.0, 6.1 and 4.1 % (NME 6.89 -> 6.77 %). The rest is the published map;
# the jaw stays the furthest off (9-15 %): Face Mesh's outline is the head's silhouette, not the labelled jaw line.
MP_TO_68 = [
    [127], [234], [93], [132, 58], [58, 172], [136], [150], [176], [152],       # jaw 0-16
    [400], [379], [365], [397, 288], [361], [323], [454], [356],
    [70], [63], [105], [66], [107], [336], [296], [334], [293], [300],         # brows 17-26
    [168, 6], [197, 195], [5], [1], [75], [97], [2], [326], [305],             # nose 27-35
    [33], [160], [158], [133], [153], [144], [362], [385], [387], [263], [373], [380],   # eyes 36-47
    [61], [39], [37], [0], [267], [269], [291], [405], [314], [17], [84], [181],  # outer lips 48-59
    [78], [82], [13], [312], [308], [317], [14], [87]]                         # inner lips 60-67

def mediapipe_to_68(pts):
    "(P, 2) Face Mesh points (468, or 478 with refine_landmarks) -> (68, 2) iBUG points."
    return np.stack([pts[ix].mean(0) for ix in MP_TO_68])

# Points into the labels' pixels: dlib reports 0-based pixel centres, as the labels are documented; MediaPipe's
# normalised x times the width is continuous (0 the left edge of the image), so x * width - 0.5 are pixel centres.
# Both then get LABEL_SHIFT, the 0.5 px this benchmark has always added to dlib's points (the labels lie about
# +1 px right and down of both tools' points on average, so the shift changes both NMEs alike).
LABEL_SHIFT = 0.5

def run_worker(tool, python, images_npz, *args):
    "Run bench/landmark_worker.py `tool` with `python` (the tool's own venv): (its results, None) or (None, why not)."
    if not os.path.exists(python): return None, 'not found'
    out = Path(images_npz).with_name(f'{tool.replace(":", "-")}-out.npz')
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'PYTHONHOME')}
    env.update(GLOG_minloglevel='2', TF_CPP_MIN_LOG_LEVEL='2')
    try: r = subprocess.run([python, str(WORKER), tool.split(':')[0], str(images_npz), str(out), *args], capture_output=True, text=True,
                            env=env, timeout=3600)
    except (OSError, subprocess.SubprocessError) as e: return None, f'{type(e).__name__}: {e}'.splitlines()[0]
    if r.returncode != 0 or not out.exists():
        lines = [l.strip() for l in r.stderr.splitlines() if l.strip()]
        return None, f'worker exit {r.returncode}: {lines[-1] if lines else "no message"}'
    with np.load(out) as z: return {k: z[k] for k in z.files}, None

def run_workers_in_turn(jobs, images_npz, repeats):
    """Run each (tool, python, args) worker once per repeat, taking turns (A B C A B C ...), so that a busy spell of a
    shared machine falls on every tool alike: {tool: (results with each pass's times, None) or (None, why not)}."""
    out = {}
    for _ in range(repeats):
        for tool, python, args in jobs:
            if tool in out and out[tool][0] is None: continue   # failed once: not again
            z, why = run_worker(tool, python, images_npz, *args, '--repeats', '1')   # `tool`: a worker's tool, or tool:label
            if z is None or tool not in out: out[tool] = (z, why); continue
            for k in ('pass_seconds', 'pass_cpu_seconds', 'predictor_ms_per_face'):
                if k in z: out[tool][0][k] = np.concatenate([np.atleast_1d(out[tool][0][k]), np.atleast_1d(z[k])])
    return out

def worker_faces(z):
    "Per image, the (points, box) of each face a worker found."
    ends = np.cumsum(z['counts']); starts = ends - z['counts']
    return [[(z['points'][j], z['boxes'][j]) for j in range(s, e)] for s, e in zip(starts, ends)]

def dlib_predictor_path():
    import importlib.util
    spec = importlib.util.find_spec('face_recognition_models')
    return str(Path(spec.origin).parent / 'models' / 'shape_predictor_68_face_landmarks.dat')

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data'); p.add_argument('--model', default=None); p.add_argument('--onnx', action='store_true')
    p.add_argument('--precision', default='auto', choices=['auto', 'float32', 'int8'], help="with --onnx: the twin's arithmetic (as `facekp detect --precision`)")
    p.add_argument('--limit', type=int); p.add_argument('--threads', type=int, default=2)
    p.add_argument('--device', default='cpu'); p.add_argument('--json', action='store_true')
    p.add_argument('--no-dlib', action='store_true')
    p.add_argument('--dlib-python', default='/work/venv-dlib/bin/python', help="dlib's venv, used when this python has no dlib")
    p.add_argument('--no-mediapipe', action='store_true', help='skip MediaPipe Face Mesh')
    p.add_argument('--mp-python', default='/work/venv-mp/bin/python', help="MediaPipe's venv (mediapipe==0.10.14)")
    p.add_argument('--mp-max-faces', type=int, default=10, help='MediaPipe: max_num_faces')
    p.add_argument('--mp-refine', action='store_true', help='MediaPipe: refine_landmarks (478 points; default off: 468)')
    p.add_argument('--chunk', type=int, default=32, help='images per detector.batch call')
    p.add_argument('--scale-factor', type=float, default=1.15); p.add_argument('--min-neighbors', type=int, default=4)
    p.add_argument('--refine', type=int, default=None, help="default: what each face detector's boxes need")
    p.add_argument('--refine-tol', type=float, default=None)
    p.add_argument('--no-haar', action='store_true', help='skip the Haar cascade pipeline')
    p.add_argument('--repeats', type=int, default=3, help='times each timing is measured (the results: the median)')
    p.add_argument('--out', default=None, help='results file (default: bench/results/speed.json, or speed-trial.json for a trial)')
    p.add_argument('--trial', action='store_true', help='mark the results as a trial run (implied by --limit)')
    a = p.parse_args()
    trial = a.trial or a.limit is not None
    R, T = max(1, a.repeats), Timings()
    rep = lambda f: [f() for _ in range(R)]
    torch.set_num_threads(a.threads); os.environ.setdefault('OMP_NUM_THREADS', str(a.threads))
    import cv2; cv2.setNumThreads(a.threads)
    res = dict(threads=a.threads, device=a.device, chunk=a.chunk)
    model = a.model or str(default_model_path())
    opts = dict(refine=a.refine, refine_tol=a.refine_tol)
    haar = dict(face_detector='haar', face_detector_kwargs=dict(scale_factor=a.scale_factor, min_neighbors=a.min_neighbors))
    det = KeypointDetector(model, device=a.device, backend='torch', **opts)
    det_haar = KeypointDetector(model, device=a.device, backend='torch', **opts, **haar)
    if a.onnx:   # the twins the model file has (checked by their sha256); a float32 one is exported when it has none
        from facekp.core import INT8_DOT_FLAGS, cpu_flags, int8_is_fast, onnx_twin
        from facekp.model import export_onnx
        float_path = onnx_twin(model, quiet=True) or export_onnx(model, Path(os.environ.get('TMPDIR', '/tmp')) / 'facekp-bench.onnx')
        int8_path = onnx_twin(model, quiet=True, precision='int8')
        if a.precision == 'int8' and int8_path is None: sys.exit(f'--precision int8: {model} has no int8 twin (facekp export-onnx --int8)')
        use_int8 = int8_path is not None and (a.precision == 'int8' or (a.precision == 'auto' and int8_is_fast()))
        onnx_path = int8_path if use_int8 else float_path
        det_onnx = KeypointDetector(onnx_path, **opts)
        det_float = KeypointDetector(float_path, **opts) if use_int8 else det_onnx
        det_haar = KeypointDetector(onnx_path, **opts, **haar)
        res.update(precision=det_onnx.precision, int8_is_fast=int8_is_fast(), cpu_int8_flags=sorted(INT8_DOT_FLAGS & cpu_flags()))
    res['refine_cnn'], res['refine_haar'] = [(d.refine, d.refine_tol) for d in (det_onnx if a.onnx else det, det_haar)]
    df = read_keypoints_csv(find_data(a.data) / SPLIT_CSVS['test'])
    if a.limit: df = df.iloc[:a.limit]
    kps = keypoints_array(df)
    s = det.size
    prep = prepare_split(df, s, det.config['crop'], det.margin, det.gray)

    # end to end
    rgbs = [np.asarray(load_image(q)) for q in df['path']]
    # end to end on the ONNX path first, before anything runs PyTorch in this process: a `facekp detect` on a CPU runs
    # its ONNX twins and never imports PyTorch, whose OpenMP threads, once they have run, slow what runs after them
    runs = ([('onnx', det_onnx)] if a.onnx else []) + ([] if a.no_haar else [('haar', det_haar)])
    def end_to_end(runs):
      for name, d in runs:
          found, nmes, per_call, batched = 0, [], [], []
          for _ in range(R):
              t = time.perf_counter()
              outs = [d(r) for r in progress_bar(rgbs, leave=False)]
              per_call.append(len(rgbs) / (time.perf_counter() - t))
              t = time.perf_counter()
              outs = [o for i in progress_bar(range(0, len(rgbs), a.chunk), leave=False) for o in d.batch(rgbs[i:i + a.chunk])]
              batched.append(len(rgbs) / (time.perf_counter() - t))
          res[f'facekp_{name}_one_per_call_images_per_s'] = T.add(f'facekp_{name}_one_per_call_images_per_s', per_call, 'images/s')
          res[f'facekp_{name}_images_per_s'] = T.add(f'facekp_{name}_images_per_s', batched, 'images/s')
          for faces, k in zip(outs, kps):
              i = pick_face([f['box'] for f in faces], k)
              if i is None: continue
              found += 1; nmes.append(nme_per_image(faces[i]['keypoints'][None], k[None])[0])
          res[f'facekp_{name}_found'] = found / len(rgbs)
          res[f'facekp_{name}_pipeline_nme'] = float(np.mean(nmes))
          res[f'facekp_{name}_pipeline_fr_010'] = float(np.mean(np.array(nmes) > 0.1))
          res[f'facekp_{name}_faces_per_image'] = float(np.mean([len(o) for o in outs]))
    end_to_end(runs)
    # model alone: onnxruntime first, before PyTorch's threads have run in this process (they slow what runs after them)
    one = torch.from_numpy(prep.images[:1]).permute(0, 3, 1, 2).float().div(255).to(a.device)
    many = torch.from_numpy(prep.images[:64]).permute(0, 3, 1, 2).float().div(255).to(a.device)
    if a.onnx:   # OnnxKeypointModel.run takes NumPy arrays
        one_np, many_np = one.cpu().numpy(), many.cpu().numpy()
        res['onnx_ms_per_face_bs1'] = T.add('onnx_ms_per_face_bs1', rep(lambda: 1000 * timeit(lambda: det_onnx.model.run(one_np), 200)), 'ms')
        res['onnx_faces_per_s_bs64'] = T.add('onnx_faces_per_s_bs64', rep(lambda: len(many) / timeit(lambda: det_onnx.model.run(many_np), 20)), 'faces/s')
        if det_float is not det_onnx:   # the float32 twin beside the int8 one; how far the int8 points lie from the float32 ones
            res['onnx_float32_ms_per_face_bs1'] = T.add('onnx_float32_ms_per_face_bs1', rep(lambda: 1000 * timeit(lambda: det_float.model.run(one_np), 200)), 'ms')
            res['onnx_float32_faces_per_s_bs64'] = T.add('onnx_float32_faces_per_s_bs64', rep(lambda: len(many) / timeit(lambda: det_float.model.run(many_np), 20)), 'faces/s')
            move = np.linalg.norm(det_onnx.model.run(many_np)[0] - det_float.model.run(many_np)[0], axis=-1) * s / 2
            res['int8_mean_move_px'], res['int8_max_move_px'] = float(move.mean()), float(move.max())
    with torch.inference_mode():
        res['torch_ms_per_face_bs1'] = T.add('torch_ms_per_face_bs1', rep(lambda: 1000 * timeit(lambda: det.model(one), 200)), 'ms')
        res['torch_faces_per_s_bs64'] = T.add('torch_faces_per_s_bs64', rep(lambda: len(many) / timeit(lambda: det.model(many), 20)), 'faces/s')
        if a.onnx:
            ref = det.model(many).float().cpu().numpy()
            res['onnx_max_abs_diff_px'] = float(np.abs(ref.reshape(len(many_np), -1) - det_float.model.run(many_np)[0].reshape(len(many_np), -1)).max() * s / 2)

    # the model's own NME (true-keypoint crops)
    from facekp.evaluation import predict_crops
    from facekp.data import from_crop
    pred = np.stack([from_crop(q, b) for q, b in zip(predict_crops(det.model, prep.images, device=a.device, progress=False), prep.boxes)])
    res['model_nme'] = float(nme_per_image(pred, kps).mean())

    end_to_end([('torch', det)])   # PyTorch last

    for name, d in [('cnn_detector', det_onnx if a.onnx else det)] + ([] if a.no_haar else [('haar', det_haar)]):   # the face detectors alone
        def alone():
            t = time.perf_counter()
            for r in rgbs[:200]: d.face_detector(r)
            return 1000 * (time.perf_counter() - t) / len(rgbs[:200])
        def parallel():
            t = time.perf_counter()
            for i in range(0, 200, a.chunk): d.find_faces(rgbs[i:min(200, i + a.chunk)])
            return 1000 * (time.perf_counter() - t) / len(rgbs[:200])
        res[f'{name}_ms_per_image'] = T.add(f'{name}_ms_per_image', rep(alone), 'ms')
        res[f'{name}_parallel_ms_per_image'] = T.add(f'{name}_parallel_ms_per_image', rep(parallel), 'ms')
    res['detect_workers'] = det.workers
    res['facekp_images_per_s'] = res['facekp_onnx_images_per_s' if a.onnx else 'facekp_torch_images_per_s']
    res['facekp_one_per_call_images_per_s'] = res['facekp_onnx_one_per_call_images_per_s' if a.onnx else 'facekp_torch_one_per_call_images_per_s']
    res['n_images'] = len(rgbs)

    # other tools on the same images, end to end at one image per call
    def score(name, outs):
        "Share found, pipeline NME, failure rate, faces per image; `outs`: per image, (68 points in the labels' pixels, box) per face."
        nmes = []
        for faces, k in zip(outs, kps):
            i = pick_face([b for _, b in faces], k)
            if i is not None: nmes.append(nme_per_image(faces[i][0][None], k[None])[0])
        res[f'{name}_found'] = len(nmes) / len(outs)
        res[f'{name}_pipeline_nme'] = float(np.mean(nmes)) if nmes else float('nan')
        res[f'{name}_pipeline_fr_010'] = float(np.mean(np.array(nmes) > 0.1)) if nmes else float('nan')
        res[f'{name}_faces_per_image'] = float(np.mean([len(o) for o in outs]))
    def ratios(name):
        res[f'speedup_end_to_end_vs_{name}'] = res['facekp_images_per_s'] / res[f'{name}_images_per_s']   # of the medians
        res[f'speedup_one_per_call_vs_{name}'] = res['facekp_one_per_call_images_per_s'] / res[f'{name}_images_per_s']
        if not a.no_haar: res[f'speedup_haar_pipeline_vs_{name}'] = res['facekp_haar_images_per_s'] / res[f'{name}_images_per_s']
    def drop(name):
        "Forget a tool's partial results."
        for k in [k for k in res if k.startswith(f'{name}_') or k.endswith(f'_vs_{name}')]: del res[k]
        for k in [k for k in T.d if k.startswith(f'{name}_')]: del T.d[k]
    tmp = tempfile.TemporaryDirectory(prefix='facekp-speed-')
    images_npz = None
    def images():
        "The decoded images, once, for the workers (the same pixels facekp and dlib get)."
        nonlocal images_npz
        if images_npz is None:
            images_npz = Path(tmp.name) / 'images.npz'
            np.savez(images_npz, **{str(i): r for i, r in enumerate(rgbs)})
        return images_npz

    # facekp as the other tools are timed: the same worker loop, in a process of its own (one that never imports
    # PyTorch on a CPU, as `facekp detect` does not), one image per call: the headline one-per-call number
    # the tools in processes of their own take turns, one pass each, R times: the same machine for all of them
    try: import dlib
    except ImportError: dlib = None
    jobs = [('facekp', sys.executable, ['--model', str(onnx_path if a.onnx else model)])]
    if a.onnx and det_float is not det_onnx: jobs.append(('facekp:float32', sys.executable, ['--model', str(float_path)]))
    if not a.no_dlib and dlib is None: jobs.append(('dlib', a.dlib_python, []))
    if not a.no_mediapipe: jobs.append(('mediapipe', a.mp_python, ['--max-faces', str(a.mp_max_faces)] + (['--refine'] if a.mp_refine else [])))
    turns = run_workers_in_turn(jobs, images(), R)
    z, why = turns['facekp']
    if z is None: print(f'facekp worker failed: {why}; the one-per-call number is the in-process one')
    else:
        res['facekp_process_images_per_s'] = T.add('facekp_process_images_per_s', len(rgbs) / z['pass_seconds'], 'images/s')
        res['facekp_process_imports_torch'] = bool(z['imports_torch'])
        score('facekp_process', [[(pts, b) for pts, b in f] for f in worker_faces(z)])
        res['facekp_one_per_call_images_per_s'] = res['facekp_process_images_per_s']
        T.d['facekp_one_per_call_images_per_s'] = T.d['facekp_process_images_per_s']
    z, why = turns.get('facekp:float32', (None, 'not run'))
    if z is not None:
        res['facekp_float32_process_images_per_s'] = T.add('facekp_float32_process_images_per_s', len(rgbs) / z['pass_seconds'], 'images/s')
        score('facekp_float32_process', [[(pts, b) for pts, b in f] for f in worker_faces(z)])

    if not a.no_dlib:
        if dlib is not None:
            hog, sp = dlib.get_frontal_face_detector(), dlib.shape_predictor(dlib_predictor_path())
            speeds = []
            for _ in range(R):
                t = time.perf_counter()
                outs = []
                for r in progress_bar(rgbs, leave=False):
                    rects = hog(r, 1)
                    outs.append([(rc, np.array([[q.x, q.y] for q in sp(r, rc).parts()], np.float32)) for rc in rects])
                speeds.append(len(rgbs) / (time.perf_counter() - t))
            res['dlib_images_per_s'] = T.add('dlib_images_per_s', speeds, 'images/s')
            score('dlib', [[(pts + LABEL_SHIFT, (rc.left(), rc.top(), rc.right(), rc.bottom())) for rc, pts in o] for o in outs])
            rc = dlib.rectangle(0, 0, rgbs[0].shape[1] - 1, rgbs[0].shape[0] - 1)
            res['dlib_predictor_ms_per_face'] = T.add('dlib_predictor_ms_per_face', rep(lambda: 1000 * timeit(lambda: sp(rgbs[0], rc), 200)), 'ms')
            res['dlib_version'] = dlib.__version__
            res['dlib_via'] = 'in-process'
            ratios('dlib')
        else:
            try:
                z, why = turns['dlib']
                if z is None:
                    print(f'dlib skipped: not installed here, and {a.dlib_python}: {why} '
                          '(pip install dlib-bin face-recognition-models, here or in --dlib-python\'s venv)')
                else:
                    res['dlib_images_per_s'] = T.add('dlib_images_per_s', len(rgbs) / z['pass_seconds'], 'images/s')
                    score('dlib', [[(pts + LABEL_SHIFT, b) for pts, b in f] for f in worker_faces(z)])
                    res['dlib_predictor_ms_per_face'] = T.add('dlib_predictor_ms_per_face', np.atleast_1d(z['predictor_ms_per_face']), 'ms')
                    res['dlib_version'] = str(z['version'])
                    res['dlib_via'] = a.dlib_python
                    ratios('dlib')
            except Exception as e:
                drop('dlib'); print(f'dlib skipped: {type(e).__name__}: {e}'.splitlines()[0])

    if not a.no_mediapipe:
        try:
            z, why = turns['mediapipe']
            if z is None: print(f'MediaPipe skipped: {a.mp_python}: {why} (python3 -m venv /work/venv-mp && /work/venv-mp/bin/pip install mediapipe==0.10.14)')
            else:
                assert len(z['counts']) == len(rgbs), f'{len(z["counts"])} results for {len(rgbs)} images'
                res['mediapipe_version'] = str(z['version'])
                res['mediapipe_settings'] = f'static_image_mode=True, max_num_faces={a.mp_max_faces}, refine_landmarks={a.mp_refine}'
                res['mediapipe_points'] = int(z['points'].shape[1])
                res['mediapipe_images_per_s'] = T.add('mediapipe_images_per_s', len(rgbs) / z['pass_seconds'], 'images/s')
                res['mediapipe_cpu_per_wall'] = T.add('mediapipe_cpu_per_wall', z['pass_cpu_seconds'] / z['pass_seconds'], 'CPU s / wall s')
                score('mediapipe', [[(mediapipe_to_68(pts) - 0.5 + LABEL_SHIFT, b) for pts, b in f] for f in worker_faces(z)])
                ratios('mediapipe')
        except Exception as e:
            drop('mediapipe'); print(f'MediaPipe skipped: {type(e).__name__}: {e}'.splitlines()[0])
    tmp.cleanup()
    out = a.out or Path(__file__).resolve().parent / 'results' / ('speed-trial.json' if trial else 'speed.json')
    write_results(out, 'speed', res, repeats=R, trial=trial, timings=T,
                  anchors=dict(dlib=res.get('dlib_version'), mediapipe=res.get('mediapipe_version')))

    if a.json: print(json.dumps(res))
    else:
        for k, v in res.items(): print(f'{k:40s} {v:.4g}' if isinstance(v, float) else f'{k:40s} {v}')
        fk = 'onnx' if a.onnx else 'torch'
        fk = f'{fk} {res["precision"]}' if a.onnx else fk
        rows = [(f'facekp ({fk}, --chunk {a.chunk} per call)', 'facekp_images_per_s', f'facekp_{fk.split()[0]}'),
                (f'facekp ({fk}, one image per call)', f'facekp_{fk.split()[0]}_one_per_call_images_per_s', f'facekp_{fk.split()[0]}'),
                (f'facekp ({fk}, own process, one per call)', 'facekp_process_images_per_s', 'facekp_process'),
                ('facekp (onnx float32, own process, one per call)', 'facekp_float32_process_images_per_s', 'facekp_float32_process'),
                ('dlib (HOG + ERT)', 'dlib_images_per_s', 'dlib'),
                (f'MediaPipe Face Mesh ({res.get("mediapipe_points")} -> 68)', 'mediapipe_images_per_s', 'mediapipe')]
        print(f'\nend to end, the same {len(rgbs)} images{"":15s} images/s   facekp batched / this   facekp one per call / this   found    NME %')
        for label, speed, acc in rows:
            if speed not in res: continue
            print(f'{label:40s} {res[speed]:8.1f} {res["facekp_images_per_s"] / res[speed]:22.2f}x '
                  f'{res["facekp_one_per_call_images_per_s"] / res[speed]:27.2f}x {100 * res[acc + "_found"]:7.1f}% {100 * res[acc + "_pipeline_nme"]:7.2f}')

if __name__ == '__main__': main()
