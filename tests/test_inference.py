"Tests of facekp.inference: faces in photos, bad inputs, ONNX parity; and of facekp.features."
import json

import numpy as np
import pytest
import torch
from PIL import Image

from facekp.data import SPLIT_CSVS, DataError, keypoints_array, load_image, read_keypoints_csv
from facekp.core import as_rgb_array, default_model_path
from facekp.detection import HaarFaceDetector, box_to_crop
from facekp.inference import KeypointDetector, OnnxKeypointModel, annotate
from facekp.model import ModelError, export_onnx, keypoint_model, model_config, nme_per_image
from conftest import needs_real_data, real_data

needs_model = pytest.mark.skipif(not default_model_path().is_file(), reason='no shipped model in models/')

@pytest.fixture(scope='module')
def detector():
    return KeypointDetector(device='cpu')

def _two_faces():
    "Two test faces pasted side by side on a gray canvas, with their true keypoints in canvas pixels."
    df = read_keypoints_csv(real_data() / SPLIT_CSVS['test'])
    picks = [i for i in range(len(df)) if 180 < min(load_image(df['path'].iat[i]).size) and max(load_image(df['path'].iat[i]).size) < 300][:2]
    canvas = np.full((420, 700, 3), 120, np.uint8); kps = []
    for j, i in enumerate(picks):
        a = np.asarray(load_image(df['path'].iat[i]))
        x0, y0 = 30 + 340 * j, 20 + 80 * j
        canvas[y0:y0 + a.shape[0], x0:x0 + a.shape[1]] = a
        kps.append(keypoints_array(df.iloc[[i]])[0] + [x0, y0])
    return canvas, kps

@needs_model
@needs_real_data
def test_two_pasted_faces(detector):
    canvas, kps = _two_faces()
    faces = detector(canvas)
    assert len(faces) == 2
    for k in kps:   # each true face has a detected face whose keypoints are near the truth
        best = min(nme_per_image(f['keypoints'][None], k[None])[0] for f in faces)
        assert best < 0.08
    f = faces[0]
    assert f['keypoints'].shape == (68, 2) and f['keypoints'].dtype == np.float32 and f['box'].shape == (4,)
    assert 0 <= f['score'] <= 1

@needs_model
@needs_real_data
def test_refinement_passes_bring_the_keypoints_closer():
    "From the Haar cascade's boxes (which sit on a face less like the training crops), each pass helps."
    canvas, kps = _two_faces()
    def errors(**kw):
        faces = KeypointDetector(face_detector='haar', **kw)(canvas)
        return np.array([min(nme_per_image(f['keypoints'][None], k[None])[0] for f in faces) for k in kps])
    none, one, three = errors(refine=0), errors(refine=1, refine_tol=0), errors(refine=3, refine_tol=0.01)
    assert (one < none).all() and (three <= one + 1e-6).all() and three.mean() < none.mean() * 0.9

@needs_model
@needs_real_data
def test_batch_searches_in_parallel_with_the_same_result():
    canvas, _ = _two_faces()
    images = [canvas, canvas[:, ::-1].copy(), np.full((50, 60, 3), 90, np.uint8), canvas[:, :360].copy()]
    par, seq = KeypointDetector(workers=3), KeypointDetector(workers=1)
    a, b = par.batch(images), seq.batch(images)
    assert [len(r) for r in a] == [2, 2, 0, 1]
    for ra, rb in zip(a, b):
        for fa, fb in zip(ra, rb):
            np.testing.assert_array_equal(fa['box'], fb['box'])
            np.testing.assert_allclose(fa['keypoints'], fb['keypoints'], atol=1e-3)

@needs_model
def test_no_face_is_empty(detector, capsys):
    rng = np.random.default_rng(0)
    assert detector(np.full((200, 300, 3), 90, np.uint8)) == []
    d = KeypointDetector(device='cpu', verbose=True)
    assert d(np.zeros((50, 50), np.uint8)) == []
    assert 'no face found' in capsys.readouterr().out

@needs_model
def test_input_kinds(detector, tmp_path):
    img = (np.random.default_rng(1).random((120, 160, 3)) * 255).astype(np.uint8)
    # paths (RGBA PNG under .jpg), PIL, gray, 16-bit, float and BGR arrays are all accepted
    Image.fromarray(img).convert('RGBA').save(tmp_path / 'x.jpg', format='PNG')
    for im in [tmp_path / 'x.jpg', str(tmp_path / 'x.jpg'), Image.fromarray(img), img[..., 0],
               img.astype(np.uint16) * 257, img.astype(np.float32) / 255, np.zeros((3, 3, 3), np.uint8)]:
        assert isinstance(detector(im), list)
    assert isinstance(detector(img, color='bgr'), list)

def test_bad_inputs_are_clear(tmp_path):
    (tmp_path / 'broken.jpg').write_bytes(b'\xff\xd8\xff\xe0 not really')
    with pytest.raises(DataError, match='broken.jpg: cannot read image'): as_rgb_array(tmp_path / 'broken.jpg')
    with pytest.raises(DataError, match='nope.png: image not found'): as_rgb_array(tmp_path / 'nope.png')
    with pytest.raises(ValueError, match='array of shape'): as_rgb_array(np.zeros((4, 4, 5)))
    with pytest.raises(ValueError, match='expected a path'): as_rgb_array(12)
    with pytest.raises(ValueError, match='NaN'): as_rgb_array(np.full((4, 4), np.nan))
    with pytest.raises(ModelError, match='missing.pth: model file not found'): KeypointDetector(tmp_path / 'missing.pth')

def test_exif_rotated_and_16bit_files(tmp_path):
    a = np.zeros((20, 40, 3), np.uint8); a[:, :10] = 255
    im = Image.fromarray(a); exif = im.getexif(); exif[0x0112] = 6
    im.save(tmp_path / 'r.jpg', exif=exif)
    assert as_rgb_array(tmp_path / 'r.jpg').shape == (40, 20, 3)
    Image.fromarray((np.arange(600, dtype=np.uint16).reshape(20, 30) * 100)).save(tmp_path / 'd.png')
    assert as_rgb_array(tmp_path / 'd.png').dtype == np.uint8

def test_haar_scales_large_images():
    det = HaarFaceDetector(max_side=256)
    big = np.full((2000, 3000, 3), 128, np.uint8)
    assert det(big).shape == (0, 4)

def test_box_to_crop_centres_on_box():
    x0, y0, sx, sy = box_to_crop((100, 50, 80, 80), 112, 0.2, HaarFaceDetector.crop_rel)
    side = 112 / sx
    assert sx == sy and np.isclose(side, 1.225 * 80) and np.isclose(x0 + side / 2, 140)

@needs_model
def test_onnx_parity(tmp_path):
    pytest.importorskip('onnxruntime')
    path = export_onnx(None, tmp_path / 'm.onnx')
    om = OnnxKeypointModel(path)
    from facekp.model import load_keypoint_model
    tm, cfg, _ = load_keypoint_model(default_model_path())
    x = torch.rand(3, cfg['n_in'], cfg['size'], cfg['size'])
    with torch.no_grad(): a = tm(x)
    b = torch.from_numpy(om.run(x.numpy())[0])
    px = (a - b).abs().max().item() * cfg['size'] / 2
    assert px < 1e-4 and om.config == cfg          # within 1e-4 px of the crop

def test_onnx_bad_file(tmp_path):
    pytest.importorskip('onnxruntime')
    (tmp_path / 'bad.onnx').write_bytes(b'nope')
    with pytest.raises(ModelError, match='bad.onnx: not a readable ONNX model'): OnnxKeypointModel(tmp_path / 'bad.onnx')

def test_annotate_draws():
    faces = [dict(box=np.array([10, 10, 60, 60], np.float32), keypoints=np.full((68, 2), 30, np.float32), score=1.0)]
    out = annotate(np.zeros((80, 80, 3), np.uint8), faces)
    assert out.shape == (80, 80, 3) and out[30, 30, 1] == 255 and out[10, 30].any()

@needs_model
def test_backend_choice(tmp_path):
    pytest.importorskip('onnxruntime')
    import shutil
    from facekp.core import pick_backend as _pick_backend
    pth = tmp_path / 'm.pth'; shutil.copy(default_model_path(), pth)
    assert _pick_backend(pth, 'cpu') == pth                                  # no twin: PyTorch
    export_onnx(pth, tmp_path / 'm.onnx')
    assert _pick_backend(pth, 'cpu') == tmp_path / 'm.onnx'                  # a twin of this very file: ONNX
    assert _pick_backend(pth, 'cpu', 'torch') == pth
    det = KeypointDetector(pth, device='cpu')
    assert isinstance(det.model, OnnxKeypointModel) and det.face_check is not None
    torch.save({'x': torch.zeros(1)}, tmp_path / 'other.pth'); shutil.copy(tmp_path / 'm.onnx', tmp_path / 'other.onnx')
    assert _pick_backend(tmp_path / 'other.pth', 'cpu') == tmp_path / 'other.pth'   # a stale twin is ignored
    with pytest.raises(ValueError, match='backend='): _pick_backend(pth, 'cpu', 'tensorrt')

@needs_model
def test_shipped_onnx_matches_shipped_model():
    pytest.importorskip('onnxruntime')
    twin = default_model_path().with_suffix('.onnx')
    if not twin.is_file(): pytest.skip('no shipped ONNX twin')
    from facekp.model import file_sha256
    assert OnnxKeypointModel(twin).source_sha256 == file_sha256(default_model_path())

PHOTOS = real_data().parent / 'images' if real_data() is not None else None
needs_photos = pytest.mark.skipif(PHOTOS is None or not (PHOTOS / 'the_beatles.jpg').is_file(), reason='../shared/images not found')

@needs_model
@needs_photos
@pytest.mark.parametrize('face_detector', ['cnn', 'haar'])
@pytest.mark.parametrize('name,n', [('obamas.jpg', 2), ('the_beatles.jpg', 4)])
def test_group_photos_every_face_no_false_face(name, n, face_detector):
    "The issue's photos: every face, each once, and no false face (with either face detector)."
    faces = KeypointDetector(device='cpu', face_detector=face_detector)(PHOTOS / name)
    assert len(faces) == n
    centres = np.array([f['keypoints'].mean(0) for f in faces])
    widths = np.array([f['box'][2] - f['box'][0] for f in faces])
    gaps = np.linalg.norm(centres[:, None] - centres[None], axis=-1) + np.eye(n) * 1e9
    assert (gaps.min(1) > widths * 0.8).all()                      # n different faces, not one face found twice
    for f in faces:                                                 # the keypoints sit on the face the box found
        x0, y0, x1, y1 = f['box']; w = x1 - x0
        assert x0 - 0.3 * w < f['keypoints'][:, 0].mean() < x1 + 0.3 * w and y0 - 0.3 * w < f['keypoints'][:, 1].mean() < y1 + 0.3 * w

@needs_model
@needs_photos
def test_face_check_rejects_false_boxes_at_full_size():
    "Searched at full size (3648 px), the cascade returns false boxes on the Beatles; the face check drops them all."
    det = KeypointDetector(device='cpu', face_detector='haar', face_detector_kwargs=dict(max_side=4000))
    assert len(det.face_detector(as_rgb_array(PHOTOS / 'the_beatles.jpg'))) > 4
    assert len(det(PHOTOS / 'the_beatles.jpg')) == 4

@needs_model
def test_face_detector_choice():
    from facekp.detection import CnnFaceDetector
    assert isinstance(KeypointDetector().face_detector, CnnFaceDetector)
    assert isinstance(KeypointDetector(face_detector='haar', face_detector_kwargs=dict(min_neighbors=2)).face_detector, HaarFaceDetector)
    with pytest.raises(ValueError, match="scale_factor: not a setting of the .cnn. face detector"): KeypointDetector(face_detector_kwargs=dict(scale_factor=1.2))
    with pytest.raises(ValueError, match="face_detector='dlib'"): KeypointDetector(face_detector='dlib')

@needs_model
@needs_real_data
def test_one_face_found_twice_is_reported_once():
    "A detector that returns two boxes on the same face (shifted, resized): after the keypoints, one face."
    canvas, kps = _two_faces()
    from facekp.detection import CnnFaceDetector
    cnn = CnnFaceDetector()
    def twice(rgb):
        b = cnn(rgb)
        return np.concatenate([b, b * [1, 1, 0.85, 0.85] + [0.15, 0.25, 0, 0] * b[:, 2:3]])
    assert len(twice(canvas)) == 4 and len(KeypointDetector(face_detector=twice)(canvas)) == 2

def test_nested_boxes_are_one_face():
    from facekp.inference import _nested
    face = np.array([100, 100, 200, 200], np.float32)
    assert _nested(np.array([120, 150, 180, 210]), face)          # a box on the chin: a part of the face
    assert _nested(np.array([60, 60, 260, 260]), face)            # a loose box around it
    assert not _nested(np.array([190, 100, 290, 200]), face)      # a neighbour touching it
    assert not _nested(np.array([300, 100, 400, 200]), face)
