"Tests of the face detector (facekp.model, facekp.detection, facekp.detector_training): targets and decoding, the shipped detector on real faces, files, ONNX, training and resuming."
import math

import numpy as np
import pytest
import torch

from facekp.core import ModelError, default_face_detector_path, face_squares, file_sha256
from facekp.detection import CnnFaceDetector, decode_centers, nms_squares
from facekp.detector_training import FaceCanvases, center_loss, center_targets, train_face_detector
from facekp.model import FaceCenterNet, export_onnx, load_face_detector, save_face_detector
from conftest import make_data_dir, two_faces

def test_targets_decode_back_to_the_faces():
    faces = np.array([[40, 50, 60], [150, 90, 24], [100, 20, 12]], np.float32)
    t = center_targets(faces, (128, 192))
    assert t.shape == (5, 16, 24) and t[4].sum() == 3 and t[0].max() == 1
    perfect = np.concatenate([np.where(t[4:5] > 0, 9.0, -9.0), t[1:4]])
    got = decode_centers(perfect, threshold=0.5)
    np.testing.assert_allclose(got[np.argsort(got[:, 0]), :3], faces[np.argsort(faces[:, 0])], atol=1e-3)
    half = decode_centers(perfect, threshold=0.5, scale=0.5)          # found on an image at half size
    np.testing.assert_allclose(np.sort(half[:, 2]), np.sort(faces[:, 2]) * 2, rtol=1e-4)
    assert center_targets([[500, 500, 40]], (64, 64))[4].sum() == 0   # a centre outside the image is no target

def test_nms_keeps_the_best_of_overlapping_squares():
    sq = np.array([[50, 50, 40, 0.6], [53, 51, 42, 0.9], [150, 50, 40, 0.7], [52, 50, 10, 0.95]], np.float32)
    kept = nms_squares(sq, 0.4)
    assert kept[:, 3].tolist() == pytest.approx([0.95, 0.9, 0.7])   # the small square inside overlaps little: kept
    assert len(nms_squares(np.zeros((0, 4)))) == 0

def test_loss_prefers_the_truth():
    t = torch.from_numpy(center_targets([[30, 45, 50]], (64, 64)))[None]
    good = torch.cat([torch.logit(t[:, :1].clamp(1e-3, 1 - 1e-3)), t[:, 1:4]], 1)
    shifted = torch.roll(good, 2, dims=3)
    assert center_loss(good, t) < center_loss(shifted, t) and center_loss(good, t) < center_loss(torch.zeros(1, 4, 8, 8), t)

def test_canvases_label_every_face_they_paste():
    rng = np.random.default_rng(0)
    imgs = [rng.integers(0, 255, (100, 80, 3), dtype=np.uint8) for _ in range(4)]
    ds = FaceCanvases(imgs, np.array([[40, 50, 30]] * 4, np.float32), n=50, side=96)
    for j in range(50):
        pic, sq = ds.sample(np.random.default_rng(j))
        assert pic.shape == (96, 96, 3) and sq.shape[1] == 3
        assert ((sq[:, 2] >= ds.min_face * 0.99) & (sq[:, 2] <= ds.max_face * 1.01)).all()
    x, t = ds[0]
    assert x.shape == (3, 96, 96) and t.shape == (5, 12, 12) and 0 <= x.min() and x.max() <= 1

def test_files_save_load_and_bad_files(tmp_path):
    net = FaceCenterNet((8, 8, 16, 16, 16)).eval()
    p = save_face_detector(net, tmp_path / 'fd.pth', note='x')
    x = torch.rand(1, 3, 64, 64)
    torch.testing.assert_close(load_face_detector(p)(x), net(x))
    assert torch.load(p, weights_only=True)['note'] == 'x'                        # weights only: no code runs
    torch.save({'format': 'something else'}, tmp_path / 'other.pth')
    with pytest.raises(ModelError, match='not a facekp face detector'): load_face_detector(tmp_path / 'other.pth')
    with pytest.raises(ModelError, match='missing.pth: face detector file not found'): CnnFaceDetector(tmp_path / 'missing.pth')

def test_shipped_onnx_twin_is_of_the_shipped_weights():
    import onnx
    twin = default_face_detector_path().with_suffix('.onnx')
    meta = {p.key: p.value for p in onnx.load(str(twin)).metadata_props}
    assert meta['facekp_source_sha256'] == file_sha256(default_face_detector_path())

def test_levels_follow_the_image_size():
    d = CnnFaceDetector()
    assert d.levels((1000, 3000)) == [d.base_side / 3000, 2 * d.base_side / 3000, 4 * d.base_side / 3000]
    assert d(np.full((3000, 4000, 3), 128, np.uint8)).shape == (0, 4)       # a big blank image: no face, no error
    assert d(np.zeros((5, 7, 3), np.uint8)).shape == (0, 4)                 # a tiny one too

def test_shipped_detector_finds_two_pasted_faces():
    canvas, kps = two_faces()
    boxes = CnnFaceDetector()(canvas)
    truth = face_squares(np.stack(kps))
    for cx, cy, s in truth:   # each face has a box centred on it, of about its size
        c = boxes[:, :2] + boxes[:, 2:] / 2
        j = np.abs(c - [cx, cy]).max(1).argmin()
        assert np.abs(c[j] - [cx, cy]).max() < 0.15 * s and abs(math.log(boxes[j, 2] / s)) < 0.2

def test_training_runs_and_resumes(tmp_path, capsys):
    data = make_data_dir(tmp_path / 'data', n_train=8, n_test=4)
    kw = dict(epochs=2, n_per_epoch=16, bs=8, widths=(8, 8, 16, 16, 16))
    h = train_face_detector(data, out=tmp_path / 'fd.pth', run_dir=tmp_path / 'run', progress=False, **kw)
    assert len(h) == 2 and all(np.isfinite([r['train_loss'], r['valid_loss']]).all() for r in h)
    ck = torch.load(tmp_path / 'run' / 'face_detector_checkpoint.pth', weights_only=True)   # resumable, weights only
    assert ck['epoch'] == 2
    before = (tmp_path / 'fd.pth').read_bytes()
    h2 = train_face_detector(data, out=tmp_path / 'fd.pth', run_dir=tmp_path / 'run', progress=False, **kw)
    assert 'this run is finished (2 epochs' in capsys.readouterr().out and h2 == h   # said, not trained again
    assert (tmp_path / 'fd.pth').read_bytes() == before
    saved = load_face_detector(tmp_path / 'fd.pth').state_dict()                 # the model is the last epoch's weights
    assert saved.keys() == ck['model'].keys() and all(torch.equal(saved[k], ck['model'][k]) for k in saved)
    with pytest.raises(ModelError, match='other settings'):
        train_face_detector(data, out=tmp_path / 'fd.pth', run_dir=tmp_path / 'run', progress=False, **{**kw, 'epochs': 3})
    with pytest.raises(ValueError, match='unknown face detector settings'): train_face_detector(data, run_dir=tmp_path / 'r2', depth=3)

def test_a_run_interrupted_after_an_epoch_goes_on_from_there(tmp_path, capsys):
    data = make_data_dir(tmp_path / 'data', n_train=8, n_test=4)
    kw = dict(epochs=2, n_per_epoch=16, bs=8, widths=(8, 8, 16, 16, 16))
    h = train_face_detector(data, out=tmp_path / 'fd.pth', run_dir=tmp_path / 'run', progress=False, **kw)
    ck_path = tmp_path / 'run' / 'face_detector_checkpoint.pth'
    ck = torch.load(ck_path, weights_only=True)
    # what the checkpoint looked like after the first epoch (the run "crashed" in the second)
    first = train_face_detector(data, out=tmp_path / 'fd1.pth', run_dir=tmp_path / 'run1', progress=False, **{**kw, 'epochs': 1})
    ck1 = torch.load(tmp_path / 'run1' / 'face_detector_checkpoint.pth', weights_only=True)
    ck1['args'] = ck['args']; torch.save(ck1, ck_path)
    h2 = train_face_detector(data, out=tmp_path / 'fd.pth', run_dir=tmp_path / 'run', progress=False, **kw)
    assert 'resuming' in capsys.readouterr().out and len(h2) == 2 and h2[0] == first[0]
    assert torch.load(ck_path, weights_only=True)['epoch'] == 2

def test_bad_onnx_and_no_onnxruntime(tmp_path, monkeypatch):
    net = FaceCenterNet((8, 8, 16, 16, 16)).eval()
    p = save_face_detector(net, tmp_path / 'fd.pth')
    (tmp_path / 'fd.onnx').write_bytes(b'not onnx')
    with pytest.warns(UserWarning, match='fd.onnx: not a readable ONNX model.*with PyTorch'):
        assert CnnFaceDetector(p).session is None                          # a broken twin: the weights run, and it is said
    with pytest.raises(ModelError, match='fd.onnx: not a twin of fd.pth'): CnnFaceDetector(p, backend='onnx')
    assert CnnFaceDetector(p, backend='torch').model is not None            # the weights alone still work
    monkeypatch.setitem(__import__('sys').modules, 'onnxruntime', None)      # a machine without onnxruntime
    with pytest.warns(UserWarning, match='onnxruntime is not installed'): d = CnnFaceDetector(p)
    assert d.session is None and d.path == p and d(np.zeros((40, 50, 3), np.uint8)).shape[1] == 4
    with pytest.raises(ModelError, match='needs onnxruntime'): CnnFaceDetector(tmp_path / 'fd.onnx')

def test_stale_onnx_twin_is_not_used(tmp_path):
    "A twin exported from other weights is never run in their place: the .pth runs with PyTorch, and it is said."
    a = save_face_detector(FaceCenterNet((8, 8, 16, 16, 16)).eval(), tmp_path / 'a.pth')
    export_onnx(a, tmp_path / 'fd.onnx')
    b = save_face_detector(FaceCenterNet((8, 8, 16, 16, 16)).eval(), tmp_path / 'fd.pth')   # other weights beside a twin of a.pth
    with pytest.warns(UserWarning, match='fd.onnx: exported from another file than fd.pth'):
        d = CnnFaceDetector(b)
    assert d.session is None and d.path == b
    export_onnx(b)                                            # a fresh twin is used
    assert CnnFaceDetector(b).session is not None

# ---------------------------------------------------------------- training that cannot learn; files it must not touch
import facekp.detector_training as fdet
from facekp.core import MODELS_DIR

def _snapshot(root):
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(root.rglob('*')) if p.is_file()}

TINY_FD = dict(epochs=1, n_per_epoch=16, bs=8, widths=(8, 8, 16, 16, 16))

@pytest.mark.parametrize('kw,expect', [
    (dict(epochs=0), 'epochs=0: expected a whole number, 1 or more'),
    (dict(epochs=-2), 'epochs=-2: expected a whole number'),
    (dict(epochs=1.5), 'epochs=1.5: expected a whole number'),
    (dict(bs=0), 'bs=0: expected a whole number'),
    (dict(lr=0.0), 'lr=0.0: expected a number above 0'),
    (dict(lr=float('nan')), 'lr=nan: expected a number above 0'),
    (dict(n_per_epoch=4), 'n_per_epoch=4 is fewer than one batch (bs=8)'),
    (dict(limit=0), 'limit=0: expected a whole number'),
])
def test_detector_settings_that_cannot_train(tmp_path, kw, expect):
    before = _snapshot(MODELS_DIR)
    with pytest.raises(ValueError) as e: train_face_detector(tmp_path / 'nodata', run_dir=tmp_path / 'run', progress=False, **{**TINY_FD, **kw})
    assert expect in str(e.value) and '\n' not in str(e.value)
    assert not (tmp_path / 'run').exists() and _snapshot(MODELS_DIR) == before

def test_detector_never_replaces_the_shipped_one_by_default(tmp_path, monkeypatch, capsys):
    before = _snapshot(MODELS_DIR)
    for kw in (dict(out=MODELS_DIR / 'face_detector.pth'), dict(run_dir=MODELS_DIR)):
        with pytest.raises(ModelError, match='shipped models folder .*replace_shipped=True'):
            train_face_detector(tmp_path / 'nodata', **{'run_dir': tmp_path / 'run', **kw}, progress=False, **TINY_FD)
    monkeypatch.chdir(tmp_path)                                   # the default: the run folder, not models/
    data = make_data_dir(tmp_path / 'data', n_train=8, n_test=4)
    (tmp_path / 'runs' / 'face_detector').mkdir(parents=True)
    (tmp_path / 'runs' / 'face_detector' / 'face_detector.onnx').write_bytes(b'a stale twin')
    monkeypatch.setattr(fdet, 'export_onnx', lambda *a, **k: (_ for _ in ()).throw(ImportError('no onnx')))
    train_face_detector(data, progress=False, **TINY_FD)
    assert (tmp_path / 'runs' / 'face_detector' / 'face_detector.pth').is_file()
    assert not (tmp_path / 'runs' / 'face_detector' / 'face_detector.onnx').exists()   # removed, not left stale
    assert _snapshot(MODELS_DIR) == before

def test_detector_nan_loss_stops_without_a_model(tmp_path, monkeypatch):
    data = make_data_dir(tmp_path / 'data', n_train=8, n_test=4)
    monkeypatch.setattr(fdet, 'center_loss', lambda out, targ: out.sum() * float('nan'))
    with pytest.raises(ModelError, match=r'run: training stopped: the training loss became nan in epoch 1, batch 1; no model was saved'):
        train_face_detector(data, out=tmp_path / 'fd.pth', run_dir=tmp_path / 'run', progress=False, **TINY_FD)
    assert not (tmp_path / 'fd.pth').exists() and not (tmp_path / 'fd.onnx').exists()
