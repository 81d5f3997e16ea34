"Tests of facekp.inference with the shipped models on real faces: several faces, refinement, batches, input kinds, backends, boxes that are one face."
import shutil

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from facekp.core import as_rgb_array, default_model_path, file_sha256, pick_backend
from facekp.detection import CnnFaceDetector, FaceDetector, HaarFaceDetector
from facekp.inference import KeypointDetector, OnnxKeypointModel, annotate, snap_box
from facekp.model import export_onnx, nme_per_image
from conftest import HOPPER, needs_real_data, real_data, two_faces

@pytest.fixture(scope='module')
def detector():
    return KeypointDetector(device='cpu')

def _best_nme(faces, kps):
    "For each true face, the NME of the found face nearest to it."
    return np.array([min(nme_per_image(f['keypoints'][None], k[None])[0] for f in faces) for k in kps])

def test_two_pasted_faces(detector):
    canvas, kps = two_faces()
    faces = detector(canvas)
    assert len(faces) == 2
    assert (_best_nme(faces, kps) < 0.08).all()        # each true face has a found face whose keypoints are near the truth
    f = faces[0]
    assert f['keypoints'].shape == (68, 2) and f['keypoints'].dtype == np.float32 and f['box'].shape == (4,)
    assert 0.5 < f['score'] <= 1

@needs_real_data
def test_refinement_passes_bring_the_keypoints_closer():
    "From the Haar cascade's boxes (which sit on a face less like the training crops), the first pass helps each face, and more passes help on average (two faces of the full test split)."
    canvas, kps = two_faces(real_data())
    # Udacity frames, scored as that set marks its points
    errors = lambda **kw: _best_nme(KeypointDetector(face_detector='haar', convention='udacity', **kw)(canvas), kps)
    none, one, three = errors(refine=0), errors(refine=1, refine_tol=0), errors(refine=3, refine_tol=0.01)
    assert (one < none).all() and three.mean() <= one.mean() and three.mean() < none.mean() * 0.9

def test_batch_searches_in_parallel_with_the_same_result():
    canvas, _ = two_faces()
    images = [canvas, canvas[:, ::-1].copy(), np.full((50, 60, 3), 90, np.uint8), canvas[:, :360].copy()]
    par, seq = KeypointDetector(workers=3), KeypointDetector(workers=1)
    a, b = par.batch(images), seq.batch(images)
    assert [len(r) for r in a] == [len(r) for r in b] == [2, 2, 0, 1]
    for ra, rb in zip(a, b):
        for fa, fb in zip(ra, rb):
            np.testing.assert_array_equal(fa['box'], fb['box'])
            np.testing.assert_allclose(fa['keypoints'], fb['keypoints'], atol=1e-3)

def test_no_face_is_empty(detector, capsys):
    assert detector(np.full((200, 300, 3), 90, np.uint8)) == []
    d = KeypointDetector(device='cpu', verbose=True)
    assert d(np.zeros((50, 50), np.uint8)) == []
    assert 'no face found' in capsys.readouterr().out

def test_every_kind_of_image_gives_the_same_face(detector, tmp_path):
    "Paths, PIL images, 16-bit, float and BGR arrays of one photo: the same face, the same keypoints."
    rgb = as_rgb_array(HOPPER)
    ref = detector(rgb)
    assert len(ref) == 1
    Image.fromarray(rgb).convert('RGBA').save(tmp_path / 'x.jpg', format='PNG')    # an RGBA PNG under a .jpg name
    for im, color in [(tmp_path / 'x.jpg', 'rgb'), (str(tmp_path / 'x.jpg'), 'rgb'), (Image.fromarray(rgb), 'rgb'),
                      (rgb.astype(np.uint16) * 257, 'rgb'), (rgb.astype(np.float32) / 255, 'rgb'),
                      (np.ascontiguousarray(rgb[..., ::-1]), 'bgr')]:
        faces = detector(im, color=color)
        assert len(faces) == 1 and np.abs(faces[0]['keypoints'] - ref[0]['keypoints']).max() < 1e-3, (type(im), color)
    gray = detector(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))                           # other pixels, the same face
    assert len(gray) == 1 and np.abs(gray[0]['keypoints'] - ref[0]['keypoints']).mean() < 3
    assert detector(np.zeros((3, 3, 3), np.uint8)) == []

def test_haar_finds_a_face_in_a_large_image_at_its_size():
    "A large image is searched scaled down to `max_side`; the boxes come back in the large image's pixels."
    rgb = as_rgb_array(HOPPER)
    small = HaarFaceDetector()(rgb)
    big = HaarFaceDetector(max_side=256)(cv2.resize(rgb, None, fx=4, fy=4, interpolation=cv2.INTER_CUBIC))
    assert len(small) == len(big) == 1
    np.testing.assert_allclose(big[0] / 4, small[0], atol=0.1 * small[0, 2])

def test_annotate_draws():
    faces = [dict(box=np.array([10, 10, 60, 60], np.float32), keypoints=np.full((68, 2), 30, np.float32), score=1.0)]
    out = annotate(np.zeros((80, 80, 3), np.uint8), faces)
    assert out.shape == (80, 80, 3) and out[30, 30, 1] == 255 and out[10, 30].any()

def test_backend_choice(tmp_path):
    "A twin exported from this very weights file runs with onnxruntime; a stale one never runs in its place."
    pth = tmp_path / 'm.pth'; shutil.copy(default_model_path(), pth)
    export_onnx(pth, tmp_path / 'm.onnx')
    assert pick_backend(pth, 'cpu') == tmp_path / 'm.onnx'
    assert pick_backend(pth, 'cpu', 'torch') == pth
    det = KeypointDetector(pth, device='cpu')
    assert isinstance(det.model, OnnxKeypointModel) and det.model.has_face_check and det.face_check is not None
    torch.save({'x': torch.zeros(1)}, tmp_path / 'other.pth'); shutil.copy(tmp_path / 'm.onnx', tmp_path / 'other.onnx')
    with pytest.warns(UserWarning, match='other.onnx: exported from another file than other.pth'):
        assert pick_backend(tmp_path / 'other.pth', 'cpu') == tmp_path / 'other.pth'

def test_shipped_onnx_twin_is_of_the_shipped_weights():
    twin = default_model_path().with_suffix('.onnx')
    assert OnnxKeypointModel(twin).source_sha256 == file_sha256(default_model_path())

PHOTOS = real_data().parent / 'images' if real_data() is not None else None
needs_photos = pytest.mark.skipif(PHOTOS is None or not (PHOTOS / 'the_beatles.jpg').is_file(), reason='../shared/images not found')

@needs_photos
@pytest.mark.parametrize('face_detector', ['cnn', 'haar'])
@pytest.mark.parametrize('name,n', [('obamas.jpg', 2), ('the_beatles.jpg', 4)])
def test_group_photos_every_face_no_false_face(name, n, face_detector):
    "Group photos: every face, each once, and no false face (with either face detector)."
    faces = KeypointDetector(device='cpu', face_detector=face_detector)(PHOTOS / name)
    assert len(faces) == n
    centres = np.array([f['keypoints'].mean(0) for f in faces])
    widths = np.array([f['box'][2] - f['box'][0] for f in faces])
    gaps = np.linalg.norm(centres[:, None] - centres[None], axis=-1) + np.eye(n) * 1e9
    assert (gaps.min(1) > widths * 0.8).all()                      # n different faces, not one face found twice
    for f in faces:                                                 # the keypoints sit on the face the box found
        x0, y0, x1, y1 = f['box']; w = x1 - x0
        assert x0 - 0.3 * w < f['keypoints'][:, 0].mean() < x1 + 0.3 * w and y0 - 0.3 * w < f['keypoints'][:, 1].mean() < y1 + 0.3 * w

@needs_photos
def test_face_check_rejects_false_boxes_at_full_size():
    "Searched at full size (3648 px), the cascade returns false boxes on the Beatles; the face check drops them all."
    det = KeypointDetector(device='cpu', face_detector='haar', face_detector_kwargs=dict(max_side=4000))
    assert len(det.face_detector(as_rgb_array(PHOTOS / 'the_beatles.jpg'))) > 4
    assert len(det(PHOTOS / 'the_beatles.jpg')) == 4

def test_face_detector_choice():
    assert isinstance(KeypointDetector().face_detector, CnnFaceDetector)
    haar = KeypointDetector(face_detector='haar', face_detector_kwargs=dict(min_neighbors=2)).face_detector
    assert isinstance(haar, HaarFaceDetector) and haar.min_neighbors == 2

def test_one_face_found_twice_is_reported_once():
    "A detector that returns two boxes on the same face (shifted, resized): after the keypoints, one face."
    canvas, kps = two_faces()
    cnn = CnnFaceDetector()
    def twice(rgb):
        b = cnn(rgb)
        return np.concatenate([b, b * [1, 1, 0.85, 0.85] + [0.15, 0.25, 0, 0] * b[:, 2:3]])
    assert len(twice(canvas)) == 4 and len(KeypointDetector(face_detector=twice)(canvas)) == 2

class _Boxes(FaceDetector):
    "The same boxes (x, y, w, h) on every image."
    def __init__(self, *boxes): self.boxes = np.array(boxes, np.float32)
    def __call__(self, rgb): return self.boxes

def _hopper_face(detector):
    "Grace Hopper as an RGB array, her one face as the detector finds it, and its box's width."
    rgb = as_rgb_array(HOPPER)
    (face,) = detector(rgb)
    return rgb, face, face['box'][2] - face['box'][0]

def test_a_tight_box_on_a_face_keeps_the_face(detector):
    "A box far tighter than the face: the face check turns down the box's own crop (a part of a face), not the face its passes settle on."
    rgb, face, w = _hopper_face(detector)
    x0, y0, x1, y1 = face['box']
    tight = [x0 + 0.2 * w, y0 + 0.15 * w, 0.6 * w, 0.6 * w]
    det = KeypointDetector(face_detector=_Boxes(tight))
    crop = snap_box(det.face_detector.crop(tight, det.size, det.margin), det.size)
    assert det._predict(det._crops([rgb], [0], [crop]))[1][0] < det.min_score   # the box's crop alone: no face
    (found,) = det(rgb)
    assert found['score'] > 0.5
    assert np.linalg.norm(found['keypoints'] - face['keypoints'], axis=-1).mean() < 0.03 * w   # the same face's points

def test_of_two_boxes_on_a_face_the_settled_one_is_kept(detector):
    "A loose box around a face, given first, and the face's own box: both score alike; the answer whose keypoints settled is kept."
    rgb, face, w = _hopper_face(detector)
    x0, y0, x1, y1 = face['box']
    loose, own = [x0 - 0.35 * w, y0 - 0.35 * w, 1.7 * w, 1.7 * w], [x0, y0, w, w]
    det = KeypointDetector(face_detector=_Boxes(loose, own))
    a, b = det.keypoints_in_boxes([rgb], [det.face_detector(rgb)])[0]
    assert round(a['score'], 3) == round(b['score'], 3) and a['moved'] > b['moved']   # alike, the loose box still moving
    (found,) = det(rgb)
    np.testing.assert_allclose(found['box'], [x0, y0, x1, y1], atol=1e-3)
    np.testing.assert_allclose(found['keypoints'], b['keypoints'])

def test_a_box_on_a_part_of_a_face_is_not_another_face(detector):
    "A box on the chin or a loose box around the face, searched without refinement: one face, the one of the face's own box."
    rgb, own, w = _hopper_face(detector)
    x0, y0, x1, y1 = own['box']
    face, chin, loose = [x0, y0, w, w], [x0 + 0.2 * w, y0 + 0.55 * w, 0.6 * w, 0.6 * w], [x0 - 0.5 * w, y0 - 0.5 * w, 2 * w, 2 * w]
    for boxes in ([face, chin], [chin, face], [face, loose]):
        faces = KeypointDetector(face_detector=_Boxes(*boxes), refine=0, min_score=0)(rgb)
        assert len(faces) == 1, boxes
        np.testing.assert_allclose(faces[0]['box'], [x0, y0, x1, y1], atol=1e-3)
    # two faces side by side, their boxes a few pixels apart: two faces
    m = int(0.05 * w); strip = rgb[:, int(x0) - m:int(x1) + m]
    pair = np.concatenate([strip, strip], 1)
    faces = KeypointDetector(face_detector=_Boxes([m, y0, w, w], [strip.shape[1] + m, y0, w, w]), refine=0, min_score=0)(pair)
    assert len(faces) == 2
