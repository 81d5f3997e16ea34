"""Time what `facekp train` does after its epochs: fit the face check (`add_face_check`) and the point maps
(`add_conventions`), on a copy of a trained model, with the passes over many crops on an in-memory ONNX copy
(`facekp.model.crop_outputs`, the default on a CPU) and on PyTorch, in turns.

    python bench/training_tail.py --data ../shared/facekp-data --data ../shared/300w-train [--model models/facekp.pth]
                                  [--repeats 2] [--out bench/results/training_tail.json]

The model is copied to a temporary folder first: the file given is never changed. Both ways fit the same check and the
same maps (the held-out accuracy of the face check is printed for each). The refined maps' pipeline runs on the
model's float32 ONNX twin either way.
"""
import argparse, shutil, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from provenance import Timings, write_results

import facekp.model
from facekp.core import default_model_path
from facekp.training import add_conventions, add_face_check

def tail_seconds(model, data, onnx: bool) -> dict:
    "Seconds of the face check and of the point maps on a copy of `model`; `onnx=False` runs the crops on PyTorch."
    runner = facekp.model.onnx_runner
    if not onnx: facekp.model.onnx_runner = lambda *a, **k: None   # as without the onnx exporter: PyTorch
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(shutil.copy(model, Path(tmp) / 'model.pth'))
            t = time.perf_counter(); check = add_face_check(path, data, valid='identity', seed=42)
            t1 = time.perf_counter(); add_conventions(path, data, valid='identity', seed=42, progress=False)
            t2 = time.perf_counter()
    finally: facekp.model.onnx_runner = runner
    return dict(face_check=t1 - t, point_maps=t2 - t1, valid_accuracy=check['valid_accuracy'])

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', action='append', required=True, help='a data source the model learned from (several: repeat)')
    p.add_argument('--model', default=None, help='a keypoint model .pth (default: the shipped model); only a copy is changed')
    p.add_argument('--repeats', type=int, default=2)
    p.add_argument('--out', default=None, help='write the results here (JSON with provenance)')
    a = p.parse_args()
    model = Path(a.model or default_model_path())
    runs = {'onnx': [], 'torch': []}
    for r in range(a.repeats):
        for way in ('torch', 'onnx'):
            runs[way].append(tail_seconds(model, a.data, way == 'onnx'))
            s = runs[way][-1]
            print(f'repeat {r + 1}/{a.repeats}, {way}: face check {s["face_check"]:.1f} s, point maps {s["point_maps"]:.1f} s '
                  f'(face check held-out accuracy {s["valid_accuracy"]:.4f})', file=sys.stderr)
    timings, results = Timings(), dict(model=str(model), data=a.data)
    for way, rs in runs.items():
        for part in ('face_check', 'point_maps'):
            results[f'{way}_{part}_s'] = timings.add(f'{way}, {part}', [s[part] for s in rs], 's')
        results[f'{way}_total_s'] = timings.add(f'{way}, total', [s['face_check'] + s['point_maps'] for s in rs], 's')
        results[f'{way}_valid_accuracy'] = rs[-1]['valid_accuracy']
        print(f"{way:5s}: face check {results[f'{way}_face_check_s']:.1f} s + point maps {results[f'{way}_point_maps_s']:.1f} s "
              f"= {results[f'{way}_total_s']:.1f} s")
    if a.out: write_results(a.out, 'training-tail', results, a.repeats, timings=timings)

if __name__ == '__main__': main()
