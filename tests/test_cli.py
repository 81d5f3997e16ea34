"Tests of the `facekp` command line."
import json, re, subprocess, sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facekp.cli import main
from facekp.core import example_photo as default_image
from conftest import golden_face

COMMANDS = {'detect', 'filter', 'swap', 'video', 'data', 'train', 'evaluate', 'export-onnx', 'train-face-detector'}

def test_help_teaches(capsys):
    "`facekp --help` lists the commands and examples of them; each listed command has its own help."
    with pytest.raises(SystemExit) as e: main(['--help'])
    assert e.value.code == 0
    out = capsys.readouterr().out
    listed = re.findall(r'^    ([a-z][a-z-]*)', out.split('positional arguments:')[1].split('options:')[0], re.M)
    assert COMMANDS <= set(listed)
    examples = out.split('examples:')[1].strip().splitlines()
    assert len(examples) >= 5 and {l.split()[1] for l in examples} <= set(listed)     # each example runs a listed command
    for c in listed:
        with pytest.raises(SystemExit) as e: main([c, '--help'])
        assert e.value.code == 0 and f'usage: facekp {c}' in capsys.readouterr().out

def test_data_info(data_dir, capsys):
    assert main(['data', '--data', str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert 'training      12 faces of    6 people' in out and 'test           6 faces' in out
    assert 'validation     2 faces of    1 people, held out of training' in out   # one of the 6 people (20 %)

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
    assert r.returncode == 0 and '12 faces' in r.stdout

# ---------------------------------------------------------------- the main job and the fun commands
def test_detect_default_image_json(tmp_path, capsys):
    "`facekp detect` on its built-in photo: one face, the golden keypoints (JSON rounds to 0.01 px; float32), and the drawing."
    assert main(['detect', '--out', str(tmp_path), '--json', '--precision', 'float32']) == 0
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    img = doc['images'][0]
    assert img['path'].endswith('grace_hopper.jpg') and len(img['faces']) == 1
    face, gold = img['faces'][0], golden_face()
    assert np.abs(np.array(face['keypoints']) - gold['keypoints']).max() <= 0.06
    assert np.abs(np.array(face['box']) - gold['box']).max() <= 0.5 and face['score'] > 0.9
    drawn = np.asarray(Image.open(img['annotated']))
    assert Path(img['annotated']) == tmp_path / 'grace_hopper_keypoints.jpg' and drawn.shape == np.asarray(Image.open(img['path'])).shape

def test_detect_point_conventions(tmp_path, capsys):
    "`--convention`: 300-W's points by default, the Udacity frames' or the network's own on request; an unknown one is a clear error."
    pts = {}
    for conv in ('auto', '300w', 'udacity', 'none'):
        assert main(['detect', '--no-draw', '--json', '--convention', conv]) == 0
        pts[conv] = np.array(json.loads(capsys.readouterr().out.strip().splitlines()[-1])['images'][0]['faces'][0]['keypoints'])
    assert np.abs(pts['auto'] - pts['300w']).max() == 0
    extent = (pts['none'].max(0) - pts['none'].min(0)).max()   # the face's size, about 180 px
    for a, b in (('300w', 'none'), ('udacity', 'none'), ('udacity', '300w')):
        d = np.abs(pts[a] - pts[b]).max()
        assert 0.05 < d < 0.08 * extent, (a, b, d)            # moved, by a few hundredths of the face at most
    assert main(['detect', '--no-draw', '--json', '--convention', 'nope']) == 2
    err = capsys.readouterr().err
    assert "convention='nope'" in err and "'udacity'" in err and 'Traceback' not in err

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

def test_detect_folder_and_bad_file(tmp_path, capsys):
    Image.fromarray(np.full((60, 80, 3), 128, np.uint8)).save(tmp_path / 'plain.png')
    (tmp_path / 'broken.jpg').write_bytes(b'nope')
    assert main(['detect', str(tmp_path), '--out', str(tmp_path / 'out')]) == 2      # one file failed
    cap = capsys.readouterr()
    assert 'plain.png: 0 faces (none found)' in cap.out and 'broken.jpg: cannot read image' in cap.err

def test_filter_and_swap_errors_are_clear(tmp_path, capsys):
    Image.fromarray(np.full((60, 80, 3), 128, np.uint8)).save(tmp_path / 'plain.png')
    assert main(['filter', str(tmp_path / 'plain.png'), '--out', str(tmp_path / 'o.png')]) == 2
    assert 'no face found' in capsys.readouterr().err
    assert main(['swap', str(tmp_path / 'plain.png'), '--out', str(tmp_path / 'o.png')]) == 2
    assert 'swapping within one image needs two' in capsys.readouterr().err

def test_filter_puts_sunglasses_on_the_eyes(tmp_path):
    hopper = default_image()
    assert main(['filter', str(hopper), '--overlay', 'sunglasses', '--out', str(tmp_path / 'f.png')]) == 0
    a, b = np.asarray(Image.open(tmp_path / 'f.png')), np.asarray(Image.open(hopper).convert('RGB'))
    assert a.shape == b.shape
    ys, xs = np.nonzero((a != b).any(-1))
    eyes = np.array(golden_face()['keypoints'])[36:48]
    assert np.abs([xs.mean(), ys.mean()] - eyes.mean(0)).max() < 15               # the changed pixels sit on the eyes,
    assert ys.min() > eyes[:, 1].min() - 60 and ys.max() < eyes[:, 1].max() + 60   # not on the rest of the photo

def test_video_command(tmp_path, capsys):
    from facekp.video import make_test_video
    hopper = np.asarray(Image.open(default_image()).convert('RGB'))
    v = make_test_video(hopper[::2, ::2], tmp_path / 'in.mp4', n=6)
    assert main(['video', str(v), '--out', str(tmp_path / 'out.mp4'), '--smooth', '--overlay', 'moustache']) == 0
    assert '6 frames, 1 face track(s)' in capsys.readouterr().out
    assert main(['video', str(tmp_path / 'missing.mp4'), '--out', str(tmp_path / 'x.mp4')]) == 2

def test_help_imports_no_torch():
    "`facekp --help` and the parser of `detect` answer without importing PyTorch or fastai."
    code = ("import sys, facekp.cli; facekp.cli.build_parser(['detect', 'x.jpg']); "
            "print(sorted(m for m in ('torch', 'fastai', 'pandas') if m in sys.modules))")
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == '[]', r.stderr

def test_detect_on_onnx_imports_no_torch(tmp_path):
    "The main job on the ONNX twin: keypoints found, and neither PyTorch nor fastai imported."
    code = ("import sys, json; from facekp.cli import main; rc = main(['detect', '--json', '--no-draw', '--out', sys.argv[1]]); "
            "print(json.dumps([rc, sorted(m for m in ('torch', 'fastai') if m in sys.modules)]))")
    r = subprocess.run([sys.executable, '-c', code, str(tmp_path / 'o')], capture_output=True, text=True)
    doc, tail = r.stdout.strip().splitlines()
    assert json.loads(tail) == [0, []], r.stderr
    assert json.loads(doc)['images'][0]['annotated'] is None and not (tmp_path / 'o').exists()   # --no-draw: JSON only

def test_detect_names_keep_relative_paths_and_never_replace_inputs(tmp_path, capsys):
    import shutil
    for d in ('a', 'b'): (tmp_path / d).mkdir(); shutil.copy(default_image(), tmp_path / d / 'face.jpg')
    assert main(['detect', str(tmp_path / 'a' / 'face.jpg'), str(tmp_path / 'b' / 'face.jpg'), '--out', str(tmp_path / 'o')]) == 0
    assert sorted(str(p.relative_to(tmp_path / 'o')) for p in (tmp_path / 'o').rglob('*.jpg')) == ['a/face_keypoints.jpg', 'b/face_keypoints.jpg']
    d = tmp_path / 'd'; d.mkdir()
    for name in ('face.jpg', 'face_keypoints.jpg'): shutil.copy(default_image(), d / name)   # face.jpg's output is an input
    before = {p: p.stat().st_mtime_ns for p in d.iterdir()}
    assert main(['detect', str(d), '--out', str(d)]) == 2
    assert 'over an input image' in capsys.readouterr().err and before == {p: p.stat().st_mtime_ns for p in d.iterdir()}

def test_video_landmarks_jsonl(tmp_path, capsys):
    from facekp.video import make_test_video
    hopper = np.asarray(Image.open(default_image()).convert('RGB'))
    v = make_test_video(hopper[::2, ::2], tmp_path / 'in.mp4', n=4)
    assert main(['video', str(v), '--out', str(tmp_path / 'out.mp4'), '--landmarks', str(tmp_path / 'p.jsonl')]) == 0
    rows = [json.loads(l) for l in (tmp_path / 'p.jsonl').read_text().splitlines()]
    assert [r['frame'] for r in rows] == [0, 1, 2, 3] and all(len(r['faces']) == 1 for r in rows)
    assert len(rows[0]['faces'][0]['keypoints']) == 68
    assert main(['video', str(v), '--out', str(v)]) == 2 and 'that is the input' in capsys.readouterr().err
