"""Golden keypoints: the shipped models on matplotlib's photo of Grace Hopper find one face, whose box, score and 68
keypoints are those stored in `tests/golden/grace_hopper.json`, with either backend (onnxruntime and PyTorch); the int8
twin's keypoints lie within a small share of the eyes' distance of them (its integer arithmetic may differ between CPUs,
so it has no golden file of its own).

The file holds what the shipped models (`models/facekp.pth` and `models/face_detector.pth`, and their ONNX twins) find
on the photo, rounded to 0.01 px, and the SHA-256 of the two weights files it was written from. A change to the crops,
the refinement, the face detector's decoding or the keypoint network's input moves the keypoints and fails this test:
that is what it is for. When the shipped models are replaced on purpose, the golden file is regenerated on purpose,
and the difference looked at before it is kept:

    python tests/test_golden.py --regenerate

The photo ships with matplotlib, and the models with the repository: the test needs no data set."""
import json, sys

import numpy as np
import pytest

from facekp.core import default_face_detector_path, default_model_path, file_sha256
from facekp.inference import KeypointDetector, OnnxKeypointModel, faces_to_json
from conftest import GOLDEN, HOPPER   # tests/golden/grace_hopper.json; matplotlib's grace_hopper.jpg

def shipped_models() -> dict:
    "The SHA-256 of each shipped weights file the golden values come from."
    return {p.name: file_sha256(p) for p in (default_model_path(), default_face_detector_path())}

def _dumps(doc) -> str:
    "JSON with one keypoint a line, so that a diff of the file shows which points moved."
    text = json.dumps(doc, indent=1)
    for f in doc['faces']:
        pts = json.dumps(f['keypoints'], indent=1)
        text = text.replace(pts.replace('\n', '\n   '), '[\n    ' + ',\n    '.join(json.dumps(k) for k in f['keypoints']) + '\n   ]')
    assert json.loads(text) == doc
    return text + '\n'

def regenerate():
    "Write the golden file from the shipped PyTorch weights (the ONNX twins are checked against it, not the source)."
    faces = KeypointDetector(backend='torch', device='cpu')(HOPPER)
    doc = dict(image='grace_hopper.jpg, from matplotlib.cbook.get_sample_data', models=shipped_models(),
               faces=faces_to_json(faces, ndigits=2))
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(_dumps(doc))
    print(f'{GOLDEN}: {len(faces)} face(s) written')

@pytest.fixture(scope='module')
def golden():
    return json.loads(GOLDEN.read_text())

@pytest.fixture(scope='module')
def detectors():
    return {**{b: KeypointDetector(backend=b, device='cpu', precision='float32') for b in ('onnx', 'torch')},
            'int8': KeypointDetector(device='cpu', precision='int8')}

@pytest.fixture(scope='module')
def found(detectors):
    "The faces each backend finds on the photo."
    return {b: d(HOPPER) for b, d in detectors.items()}

def test_golden_file_is_of_the_shipped_models(golden):
    assert golden['models'] == shipped_models(), \
        'the shipped models are not the ones the golden file was written from: if they were replaced on purpose, ' \
        'run `python tests/test_golden.py --regenerate` and look at the difference'

def test_each_backend_runs_what_it_says(detectors):
    "The two backends compared below are two: the ONNX twins with onnxruntime, the weights with PyTorch."
    assert isinstance(detectors['onnx'].model, OnnxKeypointModel) and detectors['onnx'].model_path.suffix == '.onnx'
    assert not isinstance(detectors['torch'].model, OnnxKeypointModel) and detectors['torch'].model_path.suffix == '.pth'
    assert detectors['onnx'].face_detector.session is not None and detectors['torch'].face_detector.session is None
    assert detectors['int8'].model_path.name == 'facekp.int8.onnx' and detectors['int8'].precision == 'int8'
    assert detectors['onnx'].model_path.name == 'facekp.onnx' and detectors['onnx'].precision == 'float32'

@pytest.mark.parametrize('backend', ['onnx', 'torch'])
def test_keypoints_are_the_golden_ones(found, golden, backend):
    faces, want = found[backend], golden['faces']
    assert len(want) == 1 and len(faces) == 1, f'{backend}: {len(faces)} faces on a photo of one'
    got, ref = faces[0], want[0]
    err = np.abs(got['keypoints'] - np.array(ref['keypoints'])).max(1)
    assert err.max() <= 0.05, f'{backend}: points {np.flatnonzero(err > 0.05).tolist()} moved, up to {err.max():.3f} px'
    np.testing.assert_allclose(got['box'], ref['box'], atol=0.5)            # the box, loosely
    assert abs(got['score'] - ref['score']) < 0.01 and got['score'] > 0.5   # and the score

def test_int8_keypoints_are_near_the_golden_ones(found, golden):
    "The int8 twin moves the points by a fraction of a percent of the eyes' distance on average (0.56 % measured), 2.3 % at most; on any CPU (where int8 is not fast, its nodes run as written)."
    (faces,), ref = found['int8'], np.array(golden['faces'][0]['keypoints'])
    move = np.linalg.norm(faces['keypoints'] - ref, axis=-1) / np.linalg.norm(ref[36] - ref[45])
    assert move.mean() < 0.01 and move.max() < 0.04, f'int8: {100 * move.mean():.2f} % of the eyes\' distance on average, {100 * move.max():.2f} % at most'
    np.testing.assert_allclose(faces['box'], golden['faces'][0]['box'], atol=0.5)   # the face detector is the same float32 one
    assert faces['score'] > 0.5

def test_the_backends_agree(found):
    (a,), (b,) = found['onnx'], found['torch']
    assert np.abs(a['keypoints'] - b['keypoints']).max() <= 0.01
    np.testing.assert_allclose(a['box'], b['box'], atol=0.05)
    assert abs(a['score'] - b['score']) < 1e-3

if __name__ == '__main__':
    if sys.argv[1:] != ['--regenerate']: sys.exit(f'usage: python {sys.argv[0]} --regenerate   (rewrites {GOLDEN})')
    regenerate()
