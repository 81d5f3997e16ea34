"Tests of the `facekp` command line."
import subprocess, sys

import pytest

from facekp.cli import build_parser, default_image, main
from conftest import make_data_dir

def test_help_teaches(capsys):
    with pytest.raises(SystemExit) as e: main(['--help'])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert 'data' in out and 'examples:' in out

def test_data_info(data_dir, capsys):
    assert main(['data', '--data', str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert 'training     12 images of    6 people' in out and 'test          6 images' in out

def test_data_missing_is_clear(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path); monkeypatch.delenv('FACEKP_DATA', raising=False)
    assert main(['data']) == 2
    err = capsys.readouterr().err
    assert err.startswith('facekp data: error: No facekp data found') and 'Traceback' not in err

def test_data_show_writes_png(data_dir, tmp_path):
    out = tmp_path / 'batch.png'
    assert main(['data', 'show', '--data', str(data_dir), '--out', str(out), '--n', '4', '--size', '48']) == 0
    assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'

def test_console_script(data_dir):
    r = subprocess.run([sys.executable, '-m', 'facekp.cli', 'data', '--data', str(data_dir)], capture_output=True, text=True)
    assert r.returncode == 0 and '12 images' in r.stdout

# ---------------------------------------------------------------- the main job and the fun commands
import json
import numpy as np
from PIL import Image
from facekp.model import default_model_path

needs_model = pytest.mark.skipif(not default_model_path().is_file(), reason='no shipped model')

@needs_model
def test_detect_default_image_json(tmp_path, capsys):
    assert main(['detect', '--out', str(tmp_path), '--json']) == 0
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    img = doc['images'][0]
    assert img['path'].endswith('grace_hopper.jpg') and len(img['faces']) == 1
    face = img['faces'][0]
    assert len(face['keypoints']) == 68 and len(face['box']) == 4 and face['score'] > 0.9
    x0, y0, x1, y1 = face['box']
    inside = [(x0 - 40 <= x <= x1 + 40 and y0 - 40 <= y <= y1 + 80) for x, y in face['keypoints']]
    assert all(inside) and (tmp_path / 'grace_hopper_keypoints.jpg').is_file()

@needs_model
def test_detect_with_either_face_detector(tmp_path, capsys):
    hopper = default_image()
    outs = {}
    for args in (['--detector', 'cnn'], ['--detector', 'haar', '--scale-factor', '1.2', '--min-neighbors', '3']):
        assert main(['detect', str(hopper), '--out', str(tmp_path), '--json'] + args) == 0
        outs[args[1]] = json.loads(capsys.readouterr().out.strip().splitlines()[-1])['images'][0]['faces']
    assert len(outs['cnn']) == len(outs['haar']) == 1
    a, b = (np.array(outs[k][0]['keypoints']) for k in ('cnn', 'haar'))
    assert np.abs(a - b).mean() < 5                          # the same face, the same keypoints within a few pixels
    assert main(['detect', str(hopper), '--out', str(tmp_path), '--scale-factor', '1.2']) == 2   # a Haar setting without Haar
    assert 'add --detector haar' in capsys.readouterr().err

@needs_model
def test_detect_folder_and_bad_file(tmp_path, capsys):
    Image.fromarray(np.full((60, 80, 3), 128, np.uint8)).save(tmp_path / 'plain.png')
    (tmp_path / 'broken.jpg').write_bytes(b'nope')
    assert main(['detect', str(tmp_path), '--out', str(tmp_path / 'out')]) == 2      # one file failed
    cap = capsys.readouterr()
    assert 'plain.png: 0 faces (none found)' in cap.out and 'broken.jpg: cannot read image' in cap.err

@needs_model
def test_filter_and_swap_errors_are_clear(tmp_path, capsys):
    Image.fromarray(np.full((60, 80, 3), 128, np.uint8)).save(tmp_path / 'plain.png')
    assert main(['filter', str(tmp_path / 'plain.png'), '--out', str(tmp_path / 'o.png')]) == 2
    assert 'no face found' in capsys.readouterr().err
    assert main(['swap', str(tmp_path / 'plain.png'), '--out', str(tmp_path / 'o.png')]) == 2
    assert 'swapping within one image needs two' in capsys.readouterr().err

@needs_model
def test_filter_writes_image(tmp_path):
    import matplotlib.cbook
    hopper = matplotlib.cbook.get_sample_data('grace_hopper.jpg', asfileobj=False)
    assert main(['filter', hopper, '--overlay', 'sunglasses', '--out', str(tmp_path / 'f.png')]) == 0
    a, b = np.asarray(Image.open(tmp_path / 'f.png')), np.asarray(Image.open(hopper).convert('RGB'))
    assert a.shape == b.shape and (a != b).any()

@needs_model
def test_video_command(tmp_path, capsys):
    import matplotlib.cbook
    from facekp.video import make_test_video
    hopper = np.asarray(Image.open(matplotlib.cbook.get_sample_data('grace_hopper.jpg', asfileobj=False)).convert('RGB'))
    v = make_test_video(hopper[::2, ::2], tmp_path / 'in.mp4', n=6)
    assert main(['video', str(v), '--out', str(tmp_path / 'out.mp4'), '--smooth', '--overlay', 'moustache']) == 0
    assert '6 frames, 1 face track(s)' in capsys.readouterr().out
    assert main(['video', str(tmp_path / 'missing.mp4'), '--out', str(tmp_path / 'x.mp4')]) == 2
