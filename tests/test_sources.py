"Tests of the field's formats (300-W .pts folders, any table) and of training on several sources at once."
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from facekp.cli import main
from facekp.core import DataError, ModelError
from facekp.data import (KP_COLUMNS, keypoint_dls, keypoints_array, keypoints_table, open_source, photo_of, read_300w,
                         read_keypoints_csv, read_pts, split_source, split_tables)
from facekp.evaluation import evaluate_sources
from facekp.inference import photo_square
from facekp.model import load_keypoint_model
from facekp.training import train_keypoints
from conftest import SHARED_300W, face_shape

needs_300w = pytest.mark.skipif(not SHARED_300W.is_dir(), reason='../shared/300w-train not found')

@pytest.mark.parametrize('text, expect', [
    ('version: 1\nn_points: 68\n{\n' + '1 2\n' * 67 + '}\n', 'the header says n_points 68, the file holds 67 points'),
    ('1 2\n' * 5, '5 points; facekp uses the 68-point scheme'),
    ('1 2\n' * 30 + 'x y\n' + '1 2\n' * 37, 'line 31'),
    ('1 2\n' * 30 + '1 inf\n' + '1 2\n' * 37, 'not a finite coordinate'),
    ('version: 1\nn_points: lots\n', 'n_points is'),
])
def test_pts_errors_name_file_and_line(tmp_path, text, expect):
    (tmp_path / 'bad.pts').write_text(text)
    with pytest.raises(DataError, match='bad.pts') as e: read_pts(tmp_path / 'bad.pts')
    assert expect in str(e.value) and '\n' not in str(e.value)

def test_read_300w_table_and_photos(w300_dir):
    df = read_300w(w300_dir)
    assert list(df.columns[:3]) == ['file', 'path', 'person'] and list(df.columns[3:]) == KP_COLUMNS
    assert len(df) == 9 and df['file'].iat[0] == 'afw/1051618982_1.jpg'
    assert set(df['person']) == {'afw/1051618982', 'afw/111076519', 'helen/100032540', 'helen/100040721',
                                 'lfpw/image_0001', 'lfpw/image_0002'}
    assert photo_of('afw/111076519_2.png') == 'afw/111076519' and photo_of('lfpw/image_0001.jpg') == 'lfpw/image_0001'
    row = df[df['file'] == 'afw/111076519_2.png'].iloc[0]
    np.testing.assert_allclose(keypoints_array(df[df['file'] == 'afw/111076519_2.png'])[0],
                               read_pts(w300_dir / 'afw' / '111076519_2.pts'))
    assert Path(row['path']).is_file()

def test_read_300w_errors(tmp_path, w300_dir):
    (w300_dir / 'afw' / '1051618982_2.jpg').unlink()
    with pytest.raises(DataError, match=r'1051618982_2.pts: no image of the same name'): read_300w(w300_dir)
    (tmp_path / 'empty').mkdir()
    with pytest.raises(DataError, match='no .pts files'): read_300w(tmp_path / 'empty')
    with pytest.raises(DataError, match='neither a facekp data folder nor|neither'): open_source(tmp_path / 'empty')
    with pytest.raises(DataError, match='no such file or folder'): open_source(tmp_path / 'nowhere')

def test_any_table_checked(tmp_path):
    kps = face_shape(40, 40, 20)
    df = pd.DataFrame([['a_01.jpg', *kps.reshape(-1)], ['b_02.jpg', *(kps.reshape(-1) + 3)]])   # plain columns
    with pytest.raises(DataError, match='135 coordinate columns'): keypoints_table(df.iloc[:, :-1], check_images=False)
    with pytest.raises(DataError, match='row 0: image .* not found'): keypoints_table(df, tmp_path)

def test_sources_of_every_kind(data_dir, w300_dir):
    assert open_source(data_dir).kind == 'udacity' and open_source(w300_dir).kind == '300w'
    assert set(open_source(data_dir).tables) == {'training', 'test'} and set(open_source(w300_dir).tables) == {'training'}
    csv = open_source(data_dir / 'training_frames_keypoints.csv')
    assert csv.kind == 'csv' and len(csv.tables['training']) == 12
    table = read_keypoints_csv(data_dir / 'training_frames_keypoints.csv')
    assert open_source(table).tables['training'] is table                        # a facekp table is used as it is
    plain = table[['file'] + KP_COLUMNS]                                          # any other is checked first
    with pytest.raises(DataError, match='not found'): open_source(plain)          # its images are looked up in .

def test_mixed_sources_each_split_its_own_way(data_dir, w300_dir):
    tr, va = split_tables([data_dir, w300_dir])
    assert set(tr['source']) == set(va['source']) == {data_dir.name, w300_dir.name}
    for name in (data_dir.name, w300_dir.name):   # people (Udacity) and photos (300-W) never on both sides
        assert not set(tr.loc[tr['source'] == name, 'person']) & set(va.loc[va['source'] == name, 'person'])
    w = va[va['source'] == w300_dir.name]
    assert len(w) >= 1 and len(tr[tr['source'] == w300_dir.name]) + len(w) == 9
    with pytest.raises(DataError, match='has no test split'): split_tables([data_dir, w300_dir], 'test')
    trt, vat = split_source(data_dir, 'test')
    assert len(vat) == 6 and vat['source'].iat[0] == data_dir.name

def test_same_named_sources_told_apart(tmp_path):
    from conftest import make_data_dir
    a, b = make_data_dir(tmp_path / 'x' / 'data'), make_data_dir(tmp_path / 'y' / 'data', seed=1)
    tr, va = split_tables([a, b])
    assert set(tr['source']) == {'data-1', 'data-2'}

@needs_300w
def test_real_300w_split_is_disjoint_by_photo():
    tr, va = split_tables(SHARED_300W)
    assert len(tr) + len(va) == 2012 and 0.07 < len(va) / 2012 < 0.13
    assert not set(tr['person']) & set(va['person'])
    multi = tr.groupby('person').size(); assert (multi > 1).any()          # AFW photos with several faces stay together
    k = keypoints_array(va)
    assert (k >= -1).all() and np.isfinite(k).all()

def test_dls_of_two_sources(data_dir, w300_dir):
    dls = keypoint_dls([data_dir, w300_dir], size=32, bs=4, valid=0.3)
    x, y = dls.one_batch()
    assert tuple(x.shape) == (4, 3, 32, 32) and tuple(y.shape) == (4, 68, 2)
    assert set(dls.prepared['valid'].df['source']) == {data_dir.name, w300_dir.name}
    assert len(dls.valid_ds) == len(dls.prepared['valid'].df)

def test_tiny_multi_source_training_run(data_dir, w300_dir, tmp_path):
    hist = train_keypoints([data_dir, w300_dir], out=tmp_path / 'm.pth', run_dir=tmp_path / 'run', size=48, bs=4,
                           epochs=1, freeze_epochs=0, pretrained=False, valid=0.3, max_blur=1.0, max_occlusion=0.2,
                           face_check=False)
    h = hist[-1]
    per = [h[f'nme_{data_dir.name}'], h[f'nme_{w300_dir.name}']]
    assert all(v > 0 for v in per) and h['nme'] == pytest.approx(np.mean(per))   # each source counted once
    rows = evaluate_sources(tmp_path / 'm.pth', [data_dir, w300_dir], boxes='true', progress=False)
    assert [(r.source, r.split) for r in rows] == [(data_dir.name, 'identity'), (data_dir.name, 'test'),
                                                 (w300_dir.name, 'identity')]
    # each kind of source's point convention, measured on its training faces; each source is scored in its own
    cfg = load_keypoint_model(tmp_path / 'm.pth')[1]
    assert set(cfg['conventions']) == {'udacity', '300w'} and np.array(cfg['conventions']['300w']['shift']).shape == (136,)
    assert [r.convention for r in rows] == ['udacity', 'udacity', '300w']
    raw = evaluate_sources(tmp_path / 'm.pth', [data_dir, w300_dir], boxes='true', progress=False, convention=None)
    assert [r.convention for r in raw] == [None] * 3 and all(a.nme_io != b.nme_io for a, b in zip(rows, raw))
    # --init: a second run starts from the first model's weights
    h2 = train_keypoints([data_dir, w300_dir], out=tmp_path / 'm2.pth', run_dir=tmp_path / 'run2', size=48, bs=4, epochs=1,
                         freeze_epochs=0, pretrained=False, valid=0.3, init=tmp_path / 'm.pth', lr=1e-9, average=0,
                         face_check=False)
    assert h2[-1]['nme'] == pytest.approx(h['nme'], rel=0.05)   # lr ~0: the first model's accuracy, not a random one's

def test_init_must_match(data_dir, tmp_path):
    train_keypoints(data_dir, out=tmp_path / 'm.pth', run_dir=tmp_path / 'run', size=48, bs=4, epochs=1, freeze_epochs=0,
                    pretrained=False, face_check=False)
    with pytest.raises(ModelError, match='size 48 .this run: 64.'):
        train_keypoints(data_dir, out=tmp_path / 'm2.pth', run_dir=tmp_path / 'r2', size=64, bs=4, epochs=1,
                        freeze_epochs=0, pretrained=False, init=tmp_path / 'm.pth', face_check=False)

def test_cli_two_sources(data_dir, w300_dir, tmp_path, capsys):
    m = tmp_path / 'cli.pth'
    assert main(['train', '--data', str(data_dir), '--data', str(w300_dir), '--out', str(m), '--run-dir', str(tmp_path / 'r'),
                 '--size', '48', '--bs', '4', '--epochs', '1', '--freeze-epochs', '0', '--pretrained', 'false',
                 '--valid', '0.3']) == 0
    capsys.readouterr()
    assert main(['evaluate', '--model', str(m), '--data', str(data_dir), '--data', str(w300_dir), '--json',
                 '--out', str(tmp_path / 'ev'), '--split', 'identity']) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {(r['source'], r['boxes']) for r in rows} == {(n, b) for n in (data_dir.name, w300_dir.name) for b in ('true', 'cnn')}
    n = {(r['source'], r['boxes']): r['n_images'] for r in rows}
    assert all(n[src, 'cnn'] == n[src, 'true'] > 0 for src in (data_dir.name, w300_dir.name))    # the same faces, both ways
    assert all(round(r['found'] * r['n_images']) + r['n_missed'] == r['n_images'] for r in rows if r['boxes'] == 'cnn')
    assert (tmp_path / 'ev' / 'ced.png').is_file()

def test_photo_square_maps_back():
    img = np.zeros((300, 500, 3), np.uint8)
    kps = face_shape(420, 60, 50)       # near the corner: the square reaches beyond the photo
    pic, back = photo_square(img, kps)
    side = 1.5 * (kps.max(0) - kps.min(0)).max()
    assert pic.shape[:2] == (round(side),) * 2
    o = (pic.shape[0] - 1) / 2
    np.testing.assert_allclose(back(np.array([[o, o]])), [(kps.min(0) + kps.max(0)) / 2], atol=1e-3)
    for k, photo in ((face_shape(1000, 1000, 600), np.zeros((2000, 2000, 3), np.uint8)),   # shrunk to 400 px
                     (face_shape(60, 60, 25), np.zeros((130, 140, 3), np.uint8))):          # enlarged
        yx = np.round(k[30]).astype(int)[::-1]
        photo[yx[0] - 8:yx[0] + 9, yx[1] - 8:yx[1] + 9] = 255            # a bright square on point 30
        pic, back = photo_square(photo, k)
        assert max(pic.shape[:2]) <= 400
        ys, xs = np.nonzero(pic[..., 0] > 127)
        centre = back(np.array([[xs.mean(), ys.mean()]]))[0]              # its centre in the picture, mapped back
        np.testing.assert_allclose(centre, yx[::-1], atol=0.6)

def test_face_detector_learns_from_both_sources(data_dir, w300_dir, tmp_path):
    "The same seeded run on one source twice gives the same history; with a second source added, another one."
    from facekp.detector_training import train_face_detector
    from facekp.model import load_face_detector
    run = lambda data, name: train_face_detector(data, out=tmp_path / f'{name}.pth', run_dir=tmp_path / name, progress=False,
                                                 epochs=1, n_per_epoch=8, bs=4, side=64, widths=(8, 8, 8, 8, 8))
    one, again, both = run(data_dir, 'one'), run(data_dir, 'again'), run([data_dir, w300_dir], 'both')
    assert one == again and len(both) == 1 and both != one
    assert np.isfinite([both[0]['train_loss'], both[0]['valid_loss']]).all()
    x = torch.rand(1, 3, 64, 64)
    with torch.no_grad(): assert not torch.equal(load_face_detector(tmp_path / 'both.pth')(x), load_face_detector(tmp_path / 'one.pth')(x))

def test_blur_and_occlusion_change_pixels_not_points():
    import torch
    from fastai.torch_core import TensorImage
    from fastai.vision.core import TensorPoint
    from facekp.data import RandomBlur, RandomOcclusion, keypoint_augment
    torch.manual_seed(0)
    x = TensorImage(torch.rand(6, 3, 32, 32)); y = TensorPoint(torch.rand(6, 68, 2) * 2 - 1)
    for t in (RandomBlur(1.5, p=1.0), RandomOcclusion(0.25, p=1.0)):
        xb, yb = t((x, y), split_idx=0)
        assert torch.equal(yb, y) and not torch.equal(xb, x)          # the points never move
        xv, _ = t((x, y), split_idx=1)
        assert torch.equal(xv, x)                                     # validation images are left alone
    xo, _ = RandomOcclusion(0.25, p=1.0)((x, y), split_idx=0)
    changed = (xo != x).any(1).float().mean((1, 2))
    assert (changed > 0).all() and (changed <= 0.26).all()          # each image, at most a quarter covered
    blurred, _ = RandomBlur(1.5, p=1.0)((x, y), split_idx=0)
    assert blurred.std() < x.std()                                    # a blur smooths noise
    names = [type(t).__name__ for t in keypoint_augment(max_blur=1.0, max_occlusion=0.2)]
    assert 'RandomBlur' in names and 'RandomOcclusion' in names and 'RandomBlur' not in [type(t).__name__ for t in keypoint_augment()]

def test_p_affine_1_moves_every_crop():
    "With `p_affine=1` every training crop is zoomed, so no crop's edges tell the face's size; with 0 none is."
    import torch
    from fastai.torch_core import TensorImage
    from fastai.vision.core import TensorPoint
    from facekp.data import keypoint_augment
    torch.manual_seed(0)
    x = TensorImage(torch.rand(64, 3, 32, 32)); y = TensorPoint(torch.rand(64, 68, 2) - 0.5)
    extent = lambda p: (p.max(1).values - p.min(1).values).amax(-1)
    for p, moved in ((1.0, 64), (0.0, 0)):
        tfms = keypoint_augment(flip=False, max_rotate=0, max_shift=0, max_lighting=0, p_affine=p)
        xb, yb = x, y
        for t in tfms: xb, yb = t((xb, yb), split_idx=0)
        changed = ~torch.isclose(extent(yb), extent(y), rtol=1e-3)
        assert int(changed.sum()) == moved, (p, int(changed.sum()))
