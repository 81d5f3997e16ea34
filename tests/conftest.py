"""Fixtures: small data folders and broken files the tests make themselves; the repository's sample of the Udacity data
and the photo matplotlib ships, for real faces on a fresh clone; and the full data set where it is present."""
import os
from pathlib import Path

import matplotlib.cbook
import numpy as np
import pytest
from PIL import Image

from facekp.core import load_image
from facekp.data import SPLIT_CSVS, keypoints_array, read_keypoints_csv

HOPPER = Path(matplotlib.cbook.get_sample_data('grace_hopper.jpg', asfileobj=False))   # one face, always there
# the repository's sample of the Udacity data (found from here: the tests also run against an installed wheel)
SAMPLE = Path(__file__).resolve().parent.parent / 'data' / 'sample'
def sample_data() -> Path: return SAMPLE
GOLDEN = Path(__file__).resolve().parent / 'golden' / 'grace_hopper.json'              # the shipped models' keypoints on it

def golden_face() -> dict:
    "The face the shipped models find on `HOPPER`: box, score and keypoints, as `test_golden.py` records them."
    import json
    return json.loads(GOLDEN.read_text())['faces'][0]

SHARED = Path(__file__).resolve().parent.parent.parent / 'shared' / 'facekp-data'

def real_data():
    "The real data set: $FACEKP_DATA, else ../shared/facekp-data beside the project, else None."
    for p in (os.environ.get('FACEKP_DATA'), SHARED):
        if p and (Path(p) / SPLIT_CSVS['training']).is_file(): return Path(p)
    return None

needs_real_data = pytest.mark.skipif(real_data() is None, reason='real data not found ($FACEKP_DATA or ../shared/facekp-data)')

def face_shape(cx, cy, scale, rng=None):
    "A rough 68-point face around (cx, cy): not anatomy, but distinct, face-sized points."
    t = np.linspace(0, 2 * np.pi, 68, endpoint=False)
    pts = np.stack([cx + scale * np.cos(t) * (0.6 + 0.4 * np.sin(3 * t)), cy + scale * np.sin(t)], 1)
    if rng is not None: pts += rng.normal(0, 1, pts.shape)
    return pts.astype(np.float32)

def write_csv(path, rows):
    "rows: (file name, (68, 2) keypoints) pairs."
    header = 'Unnamed: 0,' + ','.join(str(i) for i in range(136))
    lines = [header] + [name + ',' + ','.join(f'{v:.1f}' for v in kps.reshape(-1)) for name, kps in rows]
    Path(path).write_text('\n'.join(lines) + '\n')

def make_data_dir(root, n_train=12, n_test=6, seed=0):
    "A small facekp data folder: images of several formats under .jpg names, CSVs, two frames per person."
    rng = np.random.default_rng(seed)
    root = Path(root)
    for split, n in (('training', n_train), ('test', n_test)):
        (root / split).mkdir(parents=True, exist_ok=True)
        rows = []
        for i in range(n):
            w, h = int(rng.integers(90, 200)), int(rng.integers(90, 200))
            a = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
            name = f'Person_{split}_{i // 2}_{i % 2:02d}.jpg'
            fmt = ['PNG', 'WEBP', 'JPEG'][i % 3]
            im = Image.fromarray(a)
            if fmt == 'PNG': im = im.convert('RGBA')  # the official archive: RGBA PNG under .jpg names
            im.save(root / split / name, format=fmt, **({'lossless': True} if fmt == 'WEBP' else {}))
            rows.append((name, face_shape(w / 2, h / 2, min(w, h) / 3, rng)))
        write_csv(root / SPLIT_CSVS[split], rows)
    return root

@pytest.fixture
def data_dir(tmp_path):
    return make_data_dir(tmp_path / 'data')

@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    "Each test gets its own crop cache, so no test reads another's."
    monkeypatch.setenv('FACEKP_CACHE', str(tmp_path / 'cache'))

SHARED_300W = SHARED.parent / '300w-train'

def write_pts(path, kps, header=True):
    "A 300-W .pts file of 0-based points `kps` (written 1-based, as 300-W does)."
    body = '\n'.join(f'{x + 1:.3f} {y + 1:.3f}' for x, y in kps)
    Path(path).write_text(f'version: 1\nn_points:  68\n{{\n{body}\n}}\n' if header else body + '\n')

def make_300w_dir(root, photos=(('lfpw', 'image_0001', 1), ('lfpw', 'image_0002', 1), ('afw', '1051618982', 3),
                                ('afw', '111076519', 2), ('helen', '100032540', 1), ('helen', '100040721', 1)), seed=0):
    "A small 300-W folder: subsets of photos, several faces of one photo (`<photo>_1`, `_2`…), .pts with and without header."
    rng = np.random.default_rng(seed)
    root = Path(root)
    for k, (sub, photo, n) in enumerate(photos):
        (root / sub).mkdir(parents=True, exist_ok=True)
        for f in range(1, n + 1):
            stem = photo if n == 1 and sub == 'lfpw' else f'{photo}_{f}'
            w, h = int(rng.integers(100, 160)), int(rng.integers(100, 160))
            Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)).save(root / sub / f'{stem}.{"png" if k % 2 else "jpg"}')
            write_pts(root / sub / f'{stem}.pts', face_shape(w / 2, h / 2, min(w, h) / 3, rng), header=bool(f % 2))
    return root

@pytest.fixture
def w300_dir(tmp_path):
    return make_300w_dir(tmp_path / '300w')

def two_faces(root=None):
    "Two test frames of `root` (default: the repository's sample) side by side on a gray canvas, with their true keypoints in canvas pixels."
    df = read_keypoints_csv(Path(root or sample_data()) / SPLIT_CSVS['test'])
    sizes = [load_image(p).size for p in df['path']]
    picks = [i for i, wh in enumerate(sizes) if 180 < min(wh) and max(wh) < 300][:2]
    canvas = np.full((420, 700, 3), 120, np.uint8); kps = []
    for j, i in enumerate(picks):
        a = np.asarray(load_image(df['path'].iat[i]))
        x0, y0 = 30 + 340 * j, 20 + 80 * j
        canvas[y0:y0 + a.shape[0], x0:x0 + a.shape[1]] = a
        kps.append(keypoints_array(df.iloc[[i]])[0] + [x0, y0])
    return canvas, kps
