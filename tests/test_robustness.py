"""Bad inputs, table by table: every one ends in a one-line error naming the file or option (exit status 2 in the
CLI) or a documented fallback, never a traceback, a hang or a changed file outside the output."""
import hashlib, json, os, pickle, subprocess, sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from hypothesis import given, settings, strategies as st, HealthCheck
from hypothesis.extra import numpy as hnp

from facekp.core import DataError, ModelError, as_rgb_array, default_model_path, example_photo, load_image
from conftest import golden_face

def snapshot(root) -> dict:
    "Every file under `root` with its size and sha256: compared before and after a command."
    return {str(p.relative_to(root)): (p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in Path(root).rglob('*') if p.is_file() and not p.is_symlink()}

def facekp(*args, cwd, timeout=120):
    "Run the `facekp` command as a user would, in `cwd`."
    return subprocess.run([sys.executable, '-m', 'facekp.cli', *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)

def assert_clear_error(r, *names):
    "Exit status 2, one line on stderr naming each of `names`, no traceback."
    err = r.stderr.strip()
    assert r.returncode == 2, (r.returncode, r.stdout[-500:], err[-2000:])
    assert 'Traceback' not in err and len(err.splitlines()) == 1, err
    for n in names: assert n in err, (n, err)

# ---------------------------------------------------------------- arrays and PIL images through the API
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hnp.arrays(dtype=st.sampled_from([np.uint8, np.uint16, np.int8, np.int16, np.int32, np.int64, np.float16, np.float32,
                                         np.float64, np.bool_, np.uint32]),
                  shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6)))
def test_any_array_is_an_image_or_a_clear_error(a):
    try: out = as_rgb_array(a)
    except ValueError as e:
        assert str(e).startswith('image:') and '\n' not in str(e)
        return
    assert out.dtype == np.uint8 and out.ndim == 3 and out.shape[2] == 3 and out.shape[:2] == a.shape[:2]

@pytest.mark.parametrize('value, expected', [(0.5, 128), (1.0, 255), (1.02, 255), (128.0, 128), (255.0, 255)])
def test_float_arrays_keep_their_brightness(value, expected):
    a = np.full((4, 4, 3), 0.5 if value <= 2 else 100.0); a[0, 0] = value     # one value beside many: the rule holds
    assert as_rgb_array(a)[0, 0, 0] == expected

@pytest.mark.parametrize('bad', [None, b'bytes', [[1, 2], [3, 4]], 3.5, object()])
def test_not_an_image_is_named(bad):
    with pytest.raises(ValueError, match='image: expected a path, a PIL image or a NumPy array'): as_rgb_array(bad)

@pytest.mark.parametrize('value', [np.nan, np.inf, -np.inf])
def test_nan_and_infinite_pixels_are_named(value):
    a = np.full((4, 4, 3), 0.5); a[1, 2, 0] = value
    with pytest.raises(ValueError, match='image: array has NaN or infinite values'): as_rgb_array(a)

# ---------------------------------------------------------------- image files
def _bad_images(d: Path) -> dict:
    "name -> (path, what the error says)"
    Image.new('RGB', (40, 30), (200, 10, 10)).save(d / 'ok.png')
    cases = {}
    (d / 'empty.jpg').write_bytes(b''); cases['empty'] = ('empty.jpg', 'an empty file')
    (d / 'text.jpg').write_text('hello'); cases['text'] = ('text.jpg', 'cannot read image')
    (d / 'cut.png').write_bytes((d / 'ok.png').read_bytes()[:60]); cases['truncated'] = ('cut.png', 'cannot read image')
    Image.new('1', (30_000, 30_000)).save(d / 'bomb.png'); cases['bomb'] = ('bomb.png', 'more than the limit')
    os.mkfifo(d / 'fifo.jpg'); cases['fifo'] = ('fifo.jpg', 'not a regular file')
    os.symlink(d / 'loop.jpg', d / 'loop.jpg'); cases['symlink loop'] = ('loop.jpg', 'loop.jpg')
    os.symlink(d / 'gone.jpg', d / 'dangling.jpg'); cases['dangling link'] = ('dangling.jpg', 'image not found')
    return cases

def test_bad_image_files_via_the_api(tmp_path):
    for name, (f, msg) in _bad_images(tmp_path).items():
        with pytest.raises(DataError) as e: load_image(tmp_path / f)
        assert f in str(e.value) and msg in str(e.value) and '\n' not in str(e.value), (name, e.value)

def test_one_bad_file_never_stops_a_batch(tmp_path):
    (tmp_path / 'in').mkdir()
    cases = _bad_images(tmp_path / 'in')
    import shutil; shutil.copy(example_photo(), tmp_path / 'in' / 'zz_face.jpg')
    before = snapshot(tmp_path / 'in')
    r = facekp('detect', 'in', '--json', '--out', 'out', cwd=tmp_path)
    assert r.returncode == 2 and 'Traceback' not in r.stderr
    doc = json.loads(r.stdout)
    assert [(Path(i['path']).name, len(i['faces'])) for i in doc['images']] == [('ok.png', 0), ('zz_face.jpg', 1)]
    assert sorted(Path(e['path']).name for e in doc['errors']) == sorted(f for f, _ in cases.values())
    for f, msg in cases.values(): assert any(f in l and msg in l for l in r.stderr.splitlines()), (f, r.stderr)
    assert snapshot(tmp_path / 'in') == before and sorted(p.name for p in (tmp_path / 'out').iterdir()) == ['ok_keypoints.png', 'zz_face_keypoints.jpg']

def test_exif_rotation_applies_to_paths_and_pil_images_alike(tmp_path):
    from facekp.inference import KeypointDetector
    im = Image.open(example_photo()).convert('RGB').rotate(90, expand=True)   # stored on its side, EXIF says turn it back
    exif = im.getexif(); exif[0x0112] = 6     # 6: turn 90° clockwise to display
    im.save(tmp_path / 'r.jpg', exif=exif, quality=95)
    det = KeypointDetector()
    a, b = det(tmp_path / 'r.jpg'), det(Image.open(tmp_path / 'r.jpg'))
    assert len(a) == len(b) == 1 and np.abs(a[0]['keypoints'] - b[0]['keypoints']).max() < 1e-3
    assert np.abs(a[0]['keypoints'] - golden_face()['keypoints']).mean() < 1     # upright: the face of the photo itself

# ---------------------------------------------------------------- model files
def _bad_models(d: Path) -> dict:
    import torch
    from facekp.model import read_weights
    good = read_weights(default_model_path())
    cases = {}
    (d / 'empty.pth').write_bytes(b''); cases['empty'] = ('empty.pth', 'an empty file')
    (d / 'noise.pth').write_bytes(os.urandom(4096)); cases['noise'] = ('noise.pth', 'not a readable weights file')
    class Boom:
        def __reduce__(self): return (os.system, ('touch PWNED',))
    (d / 'pickle.pth').write_bytes(pickle.dumps({'x': Boom()})); cases['code'] = ('pickle.pth', 'not a readable weights file')
    for k, v in [('size', -1), ('n_points', 5), ('arch', 'nope'), ('n_in', 7), ('margin', 1e9)]:
        torch.save({**good, 'config': {**good['config'], k: v}}, d / f'cfg_{k}.pth'); cases[f'config {k}'] = (f'cfg_{k}.pth', f'{k}=')
    with open(d / 'huge.pth', 'wb') as f: f.truncate(3 << 30)   # sparse: 3 GiB on paper
    cases['huge'] = ('huge.pth', 'too large')
    (d / 'bad.onnx').write_bytes(b'not onnx'); cases['onnx'] = ('bad.onnx', 'not a readable ONNX model')
    (d / 'dir.pth').mkdir(); cases['folder'] = ('dir.pth', 'not a regular file')
    cases['missing'] = ('missing.pth', 'model file not found')
    return cases

def test_bad_model_files_are_named(tmp_path):
    from facekp.inference import KeypointDetector
    for name, (f, msg) in _bad_models(tmp_path).items():
        with pytest.raises(ModelError) as e: KeypointDetector(tmp_path / f)
        assert f in str(e.value) and msg in str(e.value), (name, e.value)
    assert not (tmp_path / 'PWNED').exists() and not Path('PWNED').exists()   # loading never runs the file's code

@pytest.mark.parametrize('case', ['empty', 'code', 'config size', 'huge', 'onnx'])
def test_bad_model_files_in_the_cli(tmp_path, case):
    f, msg = _bad_models(tmp_path)[case]
    r = facekp('detect', '--model', f, '--no-draw', cwd=tmp_path)
    assert_clear_error(r, f, msg)
    assert not (tmp_path / 'PWNED').exists()

# ---------------------------------------------------------------- options of every subcommand
OPTIONS = [
    (['detect', '--batch-size', '0'], '--batch-size'), (['detect', '--batch-size', 'many'], '--batch-size'),
    (['detect', '--min-score', '-0.5'], '--min-score'), (['detect', '--min-score', 'nan'], '--min-score'),
    (['detect', '--refine', '99'], '--refine'), (['detect', '--detector', 'dlib'], '--detector'),
    (['detect', '--scale-factor', '1.0', '--detector', 'haar'], '--scale-factor'), (['detect', '--device', 'gpu'], '--device'),
    (['detect', '--scale-factor', '1.2'], '--detector haar'),
    (['filter', 'x.jpg', '--kind', 'cape'], '--kind'), (['video', 'x.mp4', '--max-frames', '0'], '--max-frames'),
    (['train', '--epochs', '0'], '--epochs'), (['train', '--bs', '1'], '--bs'), (['train', '--lr', '-1'], '--lr'),
    (['train', '--size', '8'], '--size'), (['train', '--arch', 'vgg'], '--arch'), (['train', '--valid', '1.5'], '--valid'),
    (['train', '--valid', 'half'], '--valid'), (['train', '--max-rotate', '400'], '--max-rotate'),
    (['train', '--head-dropout', '1'], '--head-dropout'), (['train', '--limit', '0'], '--limit'),
    (['evaluate', '--limit', '-3'], '--limit'), (['evaluate', '--split', 'train'], '--split'),
    (['train-face-detector', '--epochs', '0'], '--epochs'), (['train-face-detector', '--lr', 'inf'], '--lr'),
    (['data', 'show', '--n', '0'], '--n'), (['data', 'show', '--size', '-2'], '--size'), (['nonsense'], 'nonsense'),
]

@pytest.mark.parametrize('argv, option', OPTIONS, ids=[' '.join(a) for a, _ in OPTIONS])
def test_options_are_checked(tmp_path, argv, option):
    r = facekp(*argv, cwd=tmp_path)
    assert_clear_error(r, option)
    assert list(tmp_path.iterdir()) == []

def test_cuda_without_a_gpu(tmp_path):
    from facekp.core import resolve_device
    try: resolve_device('cuda'); pytest.skip('this machine has a GPU')
    except ValueError: pass
    assert_clear_error(facekp('detect', '--device', 'cuda', '--no-draw', cwd=tmp_path), "device 'cuda'", 'no CUDA GPU')

# ---------------------------------------------------------------- outputs
@pytest.mark.parametrize('argv, names', [
    (['filter', 'face.jpg', '--out', 'face.jpg'], ['--out face.jpg', 'that is the input']),
    (['swap', 'face.jpg', 'face.jpg', '--out', 'face.jpg'], ['--out face.jpg', 'that is the input']),
    (['filter', 'face.jpg', '--out', 'result.txt'], ['--out result.txt', 'not an image file name']),
    (['detect', 'face.jpg', '--out', 'face.jpg'], ['--out face.jpg', 'a file, not a folder']),
    (['video', 'face.jpg', '--out', 'v.txt'], ['--out v.txt', 'not a video file name']),
    (['video', 'face.jpg', '--landmarks', 'p.json'], ['--landmarks p.json', '.jsonl']),
    (['video', 'face.jpg', '--out', 'v.mp4'], ['face.jpg', 'a still image, not a video']),
    (['export-onnx', '--out', str(default_model_path().with_suffix('.onnx'))], ['--replace-shipped']),
])
def test_outputs_never_replace_inputs(tmp_path, argv, names):
    import shutil; shutil.copy(example_photo(), tmp_path / 'face.jpg')
    before = snapshot(tmp_path); shipped = snapshot(default_model_path().parent)
    assert_clear_error(facekp(*argv, cwd=tmp_path), *names)
    assert snapshot(tmp_path) == before and snapshot(default_model_path().parent) == shipped

def test_unwritable_output_keeps_the_results(tmp_path):
    "The drawing cannot be written (a folder stands where it goes, which stops root too): the JSON still has the face."
    import shutil; shutil.copy(example_photo(), tmp_path / 'face.jpg')
    (tmp_path / 'out' / 'face_keypoints.jpg').mkdir(parents=True)
    r = facekp('detect', 'face.jpg', '--json', '--out', 'out', cwd=tmp_path)
    assert r.returncode == 2 and 'out/face_keypoints.jpg: cannot write' in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert len(json.loads(r.stdout)['images'][0]['faces']) == 1
    assert [p.name for p in (tmp_path / 'out').iterdir()] == ['face_keypoints.jpg']           # no temporary file left

def test_nan_weights_are_refused(tmp_path):
    import torch
    from facekp.model import load_keypoint_model, read_weights
    d = read_weights(default_model_path()); k = next(iter(d['state_dict']))
    d['state_dict'][k] = d['state_dict'][k].float() * float('nan'); torch.save(d, tmp_path / 'nan.pth')
    with pytest.raises(ModelError, match='nan.pth: 1 weight tensor.* NaN or infinity'): load_keypoint_model(tmp_path / 'nan.pth')

def test_haar_settings_are_checked():
    from facekp.detection import HaarFaceDetector
    for kw, name in [(dict(scale_factor=1.0), 'scale_factor=1.0'), (dict(min_neighbors=-1), 'min_neighbors=-1'),
                     (dict(min_size=float('nan')), 'min_size=nan')]:
        with pytest.raises(ValueError, match=name): HaarFaceDetector(**kw)

def test_batch_takes_any_iterable():
    from facekp.inference import KeypointDetector
    det = KeypointDetector()
    assert [len(f) for f in det.batch(p for p in [example_photo()])] == [1]
    with pytest.raises(ValueError, match='images: expected a list of images'): det.batch(str(example_photo()))

def test_huge_overlay_is_refused(tmp_path):
    from facekp.fun import read_overlay
    Image.new('RGBA', (5000, 5000)).save(tmp_path / 'big.png')
    with pytest.raises(ValueError, match='big.png: 5000x5000 pixels, more than an overlay needs'): read_overlay(tmp_path / 'big.png')

def test_a_face_in_a_long_strip_is_found():
    "A 6000x300 strip: at the usual scales the face would be 32 px tall at most; one more scale searches it with its short side at the first scale's side."
    import cv2
    from facekp.inference import KeypointDetector
    f = as_rgb_array(example_photo()); f = cv2.resize(f, (int(f.shape[1] * 300 / f.shape[0]), 300))
    strip = np.full((300, 6000, 3), 120, np.uint8); strip[:, 2000:2000 + f.shape[1]] = f
    faces = KeypointDetector()(strip)
    assert len(faces) == 1 and 2000 < faces[0]['keypoints'][:, 0].mean() < 2000 + f.shape[1]

def test_a_pil_image_whose_file_is_cut_is_named(tmp_path):
    "A PIL image opened lazily reads its pixels on use: a truncated file is a clear error, not a traceback."
    Image.new('RGB', (64, 48), (10, 200, 10)).save(tmp_path / 'p.png')
    (tmp_path / 'cut.png').write_bytes((tmp_path / 'p.png').read_bytes()[:80])
    with pytest.raises(DataError, match='image: cannot read the PIL image'): as_rgb_array(Image.open(tmp_path / 'cut.png'))
