"""Worker for bench/speed.py: another landmark tool run in its own venv, on the images speed.py decoded.

    PYTHON bench/landmark_worker.py {facekp,mediapipe,dlib} IN.npz OUT.npz [--max-faces 10] [--refine] [--repeats 1] [--model PATH]

Needs only numpy and the tool: MediaPipe (`pip install mediapipe==0.10.14`, whose wheel ships its models), dlib
(`pip install dlib-bin face-recognition-models`), or facekp itself (so that all three are timed the same way, each
in a process of its own that has loaded nothing else).

IN.npz: uint8 RGB arrays `0`, `1`, ... (the images, in order). Each image is one call, end to end:
  facekp     `KeypointDetector(--model)(rgb)`: its face detector + keypoints (the ONNX twins on a CPU), the points read out;
  mediapipe  Face Mesh (static_image_mode=True: face detection + mesh on every image), the points read out;
  dlib       HOG detector (upsample 1) + the 68-point ERT shape predictor on each face, the points read out.
The clock runs around those per-image calls only (not the loading, not the model set-up, not one uncounted
warm-up call on the first image). --repeats N passes over all the images, each timed on its own (the points are
the first pass's).

OUT.npz: `counts` (faces per image), `points` (all faces, in order: (faces, P, 2) in the tool's own pixel
convention: MediaPipe's normalised x, y times the image's width and height; dlib's integer parts),
`boxes` (faces, 4: x0, y0, x1, y1; dlib's rectangle, MediaPipe's points' extent), `seconds` (per image, the
first pass), `cpu_seconds` (the process's CPU time over the first pass's calls, all threads), `pass_seconds` and
`pass_cpu_seconds` (each pass's totals), `version`; for dlib also `predictor_ms_per_face` (the shape predictor
alone, the whole first image as the box; one median of 200 calls per pass).
"""
import argparse, statistics, sys, time

import numpy as np

def facekp_tool(a):
    import facekp
    from facekp.inference import KeypointDetector
    d = KeypointDetector(a.model)
    def run(rgb): return [(np.asarray(f['keypoints'], np.float32), tuple(float(v) for v in f['box'])) for f in d(rgb)]
    return run, facekp.__version__, {}

def mediapipe_tool(a):
    import mediapipe as mp
    fm = mp.solutions.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=a.max_faces, refine_landmarks=a.refine)
    def run(rgb):
        h, w = rgb.shape[:2]
        r = fm.process(rgb)
        return [(np.array([(p.x * w, p.y * h) for p in f.landmark], np.float32), None) for f in (r.multi_face_landmarks or [])]
    return run, mp.__version__, {}

def dlib_tool(a):
    import dlib, face_recognition_models
    hog = dlib.get_frontal_face_detector()
    sp = dlib.shape_predictor(face_recognition_models.pose_predictor_model_location())
    def run(rgb):
        return [(np.array([[q.x, q.y] for q in sp(rgb, rc).parts()], np.float32), (rc.left(), rc.top(), rc.right(), rc.bottom()))
                for rc in hog(rgb, 1)]
    def predictor_ms(rgb):
        rc = dlib.rectangle(0, 0, rgb.shape[1] - 1, rgb.shape[0] - 1)
        sp(rgb, rc); ts = []
        for _ in range(200):
            t = time.perf_counter(); sp(rgb, rc); ts.append(time.perf_counter() - t)
        return 1000 * statistics.median(ts)
    return run, dlib.__version__, dict(predictor_ms_per_face=predictor_ms)

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('tool', choices=['facekp', 'mediapipe', 'dlib']); p.add_argument('inp'); p.add_argument('out')
    p.add_argument('--max-faces', type=int, default=10, help='MediaPipe: max_num_faces')
    p.add_argument('--refine', action='store_true', help='MediaPipe: refine_landmarks (478 points, eyes and lips refined)')
    p.add_argument('--repeats', type=int, default=1, help='timed passes over all the images')
    p.add_argument('--model', default=None, help='facekp: the model file (default: the shipped one)')
    a = p.parse_args()
    try: run, version, extra = dict(facekp=facekp_tool, mediapipe=mediapipe_tool, dlib=dlib_tool)[a.tool](a)
    except Exception as e: sys.exit(f'{a.tool}: {type(e).__name__}: {e}'.splitlines()[0])
    with np.load(a.inp) as z: rgbs = [z[str(i)] for i in range(len(z.files))]
    if rgbs: run(rgbs[0])                      # warm-up, not counted
    counts, points, boxes, pass_seconds, pass_cpu, extras = [], [], [], [], [], {k: [] for k in extra}
    for k in range(max(1, a.repeats)):
        seconds, cpu = [], 0.0
        for rgb in rgbs:
            c, t = time.process_time(), time.perf_counter()
            faces = run(rgb)
            seconds.append(time.perf_counter() - t); cpu += time.process_time() - c
            if k: continue
            counts.append(len(faces))
            for pts, b in faces:
                points.append(pts); boxes.append(np.concatenate([pts.min(0), pts.max(0)]) if b is None else np.array(b, np.float32))
        if not k: first, first_cpu = seconds, cpu
        pass_seconds.append(sum(seconds)); pass_cpu.append(cpu)
        for name, f in extra.items():
            if rgbs: extras[name].append(f(rgbs[0]))
    n_pts = points[0].shape[0] if points else 0
    res = dict(counts=np.array(counts, np.int64), seconds=np.array(first), cpu_seconds=np.array(first_cpu),
               pass_seconds=np.array(pass_seconds), pass_cpu_seconds=np.array(pass_cpu),
               points=np.stack(points) if points else np.zeros((0, n_pts, 2), np.float32),
               boxes=np.stack(boxes) if boxes else np.zeros((0, 4), np.float32), version=np.array(version),
               imports_torch=np.array('torch' in sys.modules))
    res.update({k: np.array(v) for k, v in extras.items() if v})
    np.savez(a.out, **res)

if __name__ == '__main__': main()
