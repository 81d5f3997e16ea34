"`facekp align`, `facekp detect --pose` and `facekp video --blinks` end to end, on the group photos when they are there."
import json
import numpy as np
import pytest
from PIL import Image

from conftest import real_data
from facekp.cli import main
from facekp.core import example_photo

PHOTOS = real_data().parent / 'images' if real_data() is not None else None
needs_photos = pytest.mark.skipif(PHOTOS is None or not (PHOTOS / 'obamas.jpg').is_file(), reason='../shared/images not found')

@needs_photos
def test_align_writes_one_crop_per_face(tmp_path, capsys):
    assert main(['align', str(PHOTOS / 'obamas.jpg'), '--out', str(tmp_path / 'al')]) == 0
    doc = json.loads((tmp_path / 'al' / 'alignment.json').read_text())
    assert len(doc['crops']) == 2 and doc['template'] == 'ffhq' and doc['size'] == 256
    for c in doc['crops']:
        assert Image.open(c['crop']).size == (256, 256) and c['source'].endswith('obamas.jpg')
    # the two faces sit side by side: their crops come from boxes that do not overlap
    (a0, _, a1, _), (b0, _, b1, _) = sorted(c['box'] for c in doc['crops'])
    assert a1 <= b0

@needs_photos
def test_detect_pose_gives_angles_for_every_face(tmp_path, capsys):
    assert main(['detect', str(PHOTOS / 'obamas.jpg'), str(PHOTOS / 'the_beatles.jpg'), '--pose', '--json', '--out', str(tmp_path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    faces = [f for im in doc['images'] for f in im['faces']]
    assert len(faces) == 6 and all(set(f['pose']) == {'yaw', 'pitch', 'roll'} for f in faces)
    assert all(abs(f['pose']['yaw']) < 75 and abs(f['pose']['roll']) < 45 for f in faces)

def test_align_arcface_on_the_builtin_photo(tmp_path, capsys):
    "The 5-point template: the eye centres land where the template puts them, within a few pixels."
    assert main(['align', str(example_photo()), '--template', 'arcface', '--size', '224', '--out', str(tmp_path)]) == 0
    doc = json.loads((tmp_path / 'alignment.json').read_text())
    assert len(doc['crops']) == 1 and Image.open(doc['crops'][0]['crop']).size == (224, 224)
    m = np.array(doc['crops'][0]['matrix'])
    assert m.shape == (2, 3) and abs(np.linalg.det(m[:, :2])) > 0.1   # a similarity that scales the face up, not a degenerate map

def test_align_bad_input_and_options(tmp_path, capsys):
    (tmp_path / 'notes.jpg').write_text('not an image')
    assert main(['align', str(tmp_path / 'notes.jpg'), '--out', str(tmp_path / 'o')]) == 2
    assert json.loads((tmp_path / 'o' / 'alignment.json').read_text())['errors'][0]['path'].endswith('notes.jpg')
    for argv in (['--template', 'dlib'], ['--size', '4']):
        with pytest.raises(SystemExit) as e: main(['align', str(example_photo()), *argv])
        assert e.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'dlib'" in err and 'out of range' in err and 'Traceback' not in err
