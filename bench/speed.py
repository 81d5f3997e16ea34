"""Speed (and accuracy) of facekp's keypoints and of the whole pipeline, against dlib in the same run.

    python bench/speed.py [--data DIR] [--model PATH] [--onnx] [--limit N] [--threads 2] [--json]

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
  - dlib (`pip install dlib-bin face-recognition-models`, benchmark only): HOG detector (upsample 1) +
    the 68-point ERT shape predictor on the same images, and the ratio.
"""
import argparse, json, os, statistics, time
from pathlib import Path

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

def dlib_predictor_path():
    import importlib.util
    spec = importlib.util.find_spec('face_recognition_models')
    return str(Path(spec.origin).parent / 'models' / 'shape_predictor_68_face_landmarks.dat')

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data'); p.add_argument('--model', default=None); p.add_argument('--onnx', action='store_true')
    p.add_argument('--limit', type=int); p.add_argument('--threads', type=int, default=2)
    p.add_argument('--device', default='cpu'); p.add_argument('--json', action='store_true')
    p.add_argument('--no-dlib', action='store_true')
    p.add_argument('--chunk', type=int, default=32, help='images per detector.batch call')
    p.add_argument('--scale-factor', type=float, default=1.15); p.add_argument('--min-neighbors', type=int, default=4)
    p.add_argument('--refine', type=int, default=None, help="default: what each face detector's boxes need")
    p.add_argument('--refine-tol', type=float, default=None)
    p.add_argument('--no-haar', action='store_true', help='skip the Haar cascade pipeline')
    a = p.parse_args()
    torch.set_num_threads(a.threads); os.environ.setdefault('OMP_NUM_THREADS', str(a.threads))
    import cv2; cv2.setNumThreads(a.threads)
    res = dict(threads=a.threads, device=a.device)
    model = a.model or str(default_model_path())
    opts = dict(refine=a.refine, refine_tol=a.refine_tol)
    haar = dict(face_detector='haar', scale_factor=a.scale_factor, min_neighbors=a.min_neighbors)
    det = KeypointDetector(model, device=a.device, backend='torch', **opts)
    det_haar = KeypointDetector(model, device=a.device, backend='torch', **opts, **haar)
    if a.onnx:
        from facekp.inference import export_onnx
        onnx_path = export_onnx(model, Path(os.environ.get('TMPDIR', '/tmp')) / 'facekp-bench.onnx')
        det_onnx = KeypointDetector(onnx_path, **opts)
        det_haar = KeypointDetector(onnx_path, **opts, **haar)
    res['refine_cnn'], res['refine_haar'] = [(d.refine, d.refine_tol) for d in (det_onnx if a.onnx else det, det_haar)]
    df = read_keypoints_csv(find_data(a.data) / SPLIT_CSVS['test'])
    if a.limit: df = df.iloc[:a.limit]
    kps = keypoints_array(df)
    s = det.size
    prep = prepare_split(df, s, det.config['crop'], det.margin, det.gray)

    # model alone
    one = torch.from_numpy(prep.images[:1]).permute(0, 3, 1, 2).float().div(255).to(a.device)
    many = torch.from_numpy(prep.images[:64]).permute(0, 3, 1, 2).float().div(255).to(a.device)
    with torch.inference_mode():
        res['torch_ms_per_face_bs1'] = 1000 * timeit(lambda: det.model(one), 200)
        res['torch_faces_per_s_bs64'] = len(many) / timeit(lambda: det.model(many), 20)
    if a.onnx:
        res['onnx_ms_per_face_bs1'] = 1000 * timeit(lambda: det_onnx.model(one), 200)
        res['onnx_faces_per_s_bs64'] = len(many) / timeit(lambda: det_onnx.model(many), 20)
        with torch.inference_mode(): res['onnx_max_abs_diff_px'] = float((det.model(many).cpu() - det_onnx.model(many)).abs().max() * s / 2)

    # the model's own NME (true-keypoint crops)
    from facekp.training import predict_crops
    from facekp.data import from_crop
    pred = np.stack([from_crop(q, b) for q, b in zip(predict_crops(det.model, prep.images, device=a.device, progress=False), prep.boxes)])
    res['model_nme'] = float(nme_per_image(pred, kps).mean())

    # end to end
    rgbs = [np.asarray(load_image(q)) for q in df['path']]
    runs = [('torch', det)] + ([('onnx', det_onnx)] if a.onnx else []) + ([] if a.no_haar else [('haar', det_haar)])
    for name, d in runs:
        found, nmes = 0, []
        t = time.perf_counter()
        outs = [d(r) for r in progress_bar(rgbs, leave=False)]
        res[f'facekp_{name}_one_per_call_images_per_s'] = len(rgbs) / (time.perf_counter() - t)
        t = time.perf_counter()
        outs = [o for i in progress_bar(range(0, len(rgbs), a.chunk), leave=False) for o in d.batch(rgbs[i:i + a.chunk])]
        res[f'facekp_{name}_images_per_s'] = len(rgbs) / (time.perf_counter() - t)
        for faces, k in zip(outs, kps):
            i = pick_face([f['box'] for f in faces], k)
            if i is None: continue
            found += 1; nmes.append(nme_per_image(faces[i]['keypoints'][None], k[None])[0])
        res[f'facekp_{name}_found'] = found / len(rgbs)
        res[f'facekp_{name}_pipeline_nme'] = float(np.mean(nmes))
        res[f'facekp_{name}_pipeline_fr_010'] = float(np.mean(np.array(nmes) > 0.1))
        res[f'facekp_{name}_faces_per_image'] = float(np.mean([len(o) for o in outs]))
    for name, d in [('cnn_detector', det_onnx if a.onnx else det)] + ([] if a.no_haar else [('haar', det_haar)]):   # the face detectors alone
        t = time.perf_counter()
        for r in rgbs[:200]: d.face_detector(r)
        res[f'{name}_ms_per_image'] = 1000 * (time.perf_counter() - t) / len(rgbs[:200])
        t = time.perf_counter()
        for i in range(0, 200, a.chunk): d.find_faces(rgbs[i:min(200, i + a.chunk)])
        res[f'{name}_parallel_ms_per_image'] = 1000 * (time.perf_counter() - t) / len(rgbs[:200])
    res['detect_workers'] = det.workers
    res['facekp_images_per_s'] = res['facekp_onnx_images_per_s' if a.onnx else 'facekp_torch_images_per_s']
    res['n_images'] = len(rgbs)

    if not a.no_dlib:
        try: import dlib
        except ImportError: dlib = None; print('dlib not installed: pip install dlib-bin face-recognition-models')
        if dlib is not None:
            dlib.set_num_threads = getattr(dlib, 'set_num_threads', None)
            hog, sp = dlib.get_frontal_face_detector(), dlib.shape_predictor(dlib_predictor_path())
            found, nmes = 0, []
            t = time.perf_counter()
            outs = []
            for r in progress_bar(rgbs, leave=False):
                rects = hog(r, 1)
                outs.append([(rc, np.array([[q.x, q.y] for q in sp(r, rc).parts()], np.float32)) for rc in rects])
            res['dlib_images_per_s'] = len(rgbs) / (time.perf_counter() - t)
            for faces, k in zip(outs, kps):
                i = pick_face([(rc.left(), rc.top(), rc.right(), rc.bottom()) for rc, _ in faces], k)
                if i is None: continue
                found += 1; nmes.append(nme_per_image(faces[i][1][None] + 0.5, k[None])[0])
            res['dlib_found'] = found / len(rgbs); res['dlib_pipeline_nme'] = float(np.mean(nmes))
            rc = dlib.rectangle(0, 0, rgbs[0].shape[1] - 1, rgbs[0].shape[0] - 1)
            res['dlib_predictor_ms_per_face'] = 1000 * timeit(lambda: sp(rgbs[0], rc), 200)
            res['speedup_end_to_end_vs_dlib'] = res['facekp_images_per_s'] / res['dlib_images_per_s']
            if not a.no_haar: res['speedup_haar_pipeline_vs_dlib'] = res['facekp_haar_images_per_s'] / res['dlib_images_per_s']
    if a.json: print(json.dumps(res))
    else:
        for k, v in res.items(): print(f'{k:32s} {v:.4g}' if isinstance(v, float) else f'{k:32s} {v}')

if __name__ == '__main__': main()
