"""Tests of facekp.data: finding and downloading data (and refusing unsafe archives), bad CSVs, images by content,
crops, augmentation, DataLoaders on synthetic folders and on the repository's sample of real faces."""
import io, os, zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from fastai.torch_core import TensorImage
from fastai.vision.augment import Rotate, Zoom
from fastai.vision.core import TensorPoint

from facekp.core import DataError, crop_box, crop_image, load_image
from facekp.data import (is_data_dir, FlipKeypoints, KP_COLUMNS, SPLIT_CSVS, Translate, download_data, find_data,
                         keypoint_dls, keypoints_array, person_of, prepare_split, read_keypoints_csv,
                         split_tables)
from conftest import face_shape, make_data_dir, needs_real_data, real_data, write_csv, sample_data

# ---------------------------------------------------------------- finding the data
def test_find_data_order(tmp_path, data_dir, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv('FACEKP_DATA', raising=False)
    assert find_data() == Path('data')                      # ./data
    other = make_data_dir(tmp_path / 'other')
    monkeypatch.setenv('FACEKP_DATA', str(other))
    assert find_data() == other                             # $FACEKP_DATA before ./data
    assert find_data(data_dir) == data_dir                  # an explicit path before both

def test_find_data_error_names_places(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv('FACEKP_DATA', str(tmp_path / 'missing'))
    with pytest.raises(DataError) as e: find_data()
    msg = str(e.value)
    assert 'FACEKP_DATA' in msg and str(tmp_path / 'missing') in msg and './data' in msg
    assert 'facekp data download' in msg

# ---------------------------------------------------------------- download
def _zip_of(data_dir, dest, prefix=''):
    with zipfile.ZipFile(dest, 'w') as z:
        for p in sorted(data_dir.rglob('*')):
            if p.is_file(): z.write(p, prefix + str(p.relative_to(data_dir)))
    return dest

def test_download_from_local_archive_and_url(tmp_path, data_dir):
    arc = _zip_of(data_dir, tmp_path / 'train-test-data.zip')
    out = download_data(tmp_path / 'a', archive=arc)
    assert len(read_keypoints_csv(out / SPLIT_CSVS['training'])) == 12
    out = download_data(tmp_path / 'b', url=arc.as_uri())               # the same through a (file) URL
    assert len(read_keypoints_csv(out / SPLIT_CSVS['test'])) == 6
    assert not list(tmp_path.glob('.facekp-download-*'))               # no leftovers

def test_download_nested_prefix(tmp_path, data_dir):
    arc = _zip_of(data_dir, tmp_path / 'x.zip', prefix='data/')
    assert (download_data(tmp_path / 'c', archive=arc) / SPLIT_CSVS['test']).is_file()

def test_download_bad_archives(tmp_path, data_dir):
    junk = tmp_path / 'junk.zip'; junk.write_bytes(b'not a zip at all')
    with pytest.raises(DataError, match='junk.zip: not a zip'): download_data(tmp_path / 'd', archive=junk)
    partial = tmp_path / 'partial.zip'
    with zipfile.ZipFile(partial, 'w') as z: z.write(data_dir / SPLIT_CSVS['training'], SPLIT_CSVS['training'])
    with pytest.raises(DataError, match='missing'): download_data(tmp_path / 'd', archive=partial)
    assert not (tmp_path / 'd').exists()                               # nothing half-unpacked

def test_download_offline_error(tmp_path):
    with pytest.raises(DataError, match='--archive'):
        download_data(tmp_path / 'e', url=(tmp_path / 'nowhere.zip').as_uri())

# ---------------------------------------------------------------- CSVs
def _rows(n=2):
    return [(f'P_{i:02d}.jpg', face_shape(50, 50, 20)) for i in range(n)]

def test_read_csv_tidy(data_dir):
    df = read_keypoints_csv(data_dir / SPLIT_CSVS['training'])
    assert list(df.columns[:3]) == ['file', 'path', 'person'] and list(df.columns[3:]) == KP_COLUMNS
    assert df['person'].iloc[0] == 'Person_training_0'
    assert keypoints_array(df).shape == (12, 68, 2)

def test_person_of():
    assert person_of('Abdel_Aziz_Al-Hakim_01.jpg') == 'Abdel_Aziz_Al-Hakim'
    assert person_of('x/Mary_11.png') == 'Mary'

def test_read_csv_wrong_columns(tmp_path):
    csv = tmp_path / 'k.csv'
    csv.write_text('name,' + ','.join(map(str, range(134))) + '\nP_00.jpg,' + ','.join(['1'] * 134) + '\n')
    with pytest.raises(DataError, match='134 coordinate columns, expected 136'): read_keypoints_csv(csv, check_images=False)
    (tmp_path / 'empty.csv').write_text('')
    with pytest.raises(DataError, match='empty'): read_keypoints_csv(tmp_path / 'empty.csv')
    with pytest.raises(DataError, match='not found'): read_keypoints_csv(tmp_path / 'nope.csv')

def test_unreadable_image_named(tmp_path):
    write_csv(tmp_path / 'k.csv', _rows(1))
    Image.new('RGB', (100, 100)).save(tmp_path / 'full.png')
    (tmp_path / 'P_00.jpg').write_bytes((tmp_path / 'full.png').read_bytes()[:60])   # truncated
    df = read_keypoints_csv(tmp_path / 'k.csv', tmp_path)
    with pytest.raises(DataError, match='P_00.jpg: cannot read image'): prepare_split(df, 32, cache=False)

# ---------------------------------------------------------------- images by content
def test_load_image_formats(tmp_path):
    "Images of any format under a .jpg name, as the data sets have them, are read by their content."
    a = np.random.default_rng(0).integers(0, 255, (30, 40, 3), dtype=np.uint8)
    Image.fromarray(a).save(tmp_path / 'webp.jpg', format='WEBP', lossless=True)
    Image.fromarray(a[..., 0]).save(tmp_path / 'gray.jpg', format='PNG')
    im = load_image(tmp_path / 'webp.jpg')
    assert im.mode == 'RGB' and np.array_equal(np.asarray(im), a)
    g = load_image(tmp_path / 'gray.jpg')
    assert g.mode == 'RGB' and np.array_equal(np.asarray(g)[..., 1], a[..., 0])
    assert load_image(tmp_path / 'webp.jpg', gray=True).mode == 'L'

# ---------------------------------------------------------------- crops
def _centre(a):
    g = np.asarray(a, np.float64); g = g[..., 0] if g.ndim == 3 else g
    ys, xs = np.mgrid[:g.shape[0], :g.shape[1]]
    return np.array([(xs * g).sum() / g.sum() + 0.5, (ys * g).sum() / g.sum() + 0.5])

def test_face_crop_is_square_and_keeps_proportions():
    kps = face_shape(100, 80, 30)
    x0, y0, sx, sy = crop_box(kps, (200, 160), 96, "face", margin=0.25)
    assert sx == sy
    span = (kps.max(0) - kps.min(0)).max() * sx
    assert np.isclose(span, 96 / 1.5, atol=1e-3)                         # face = 1/(1 + 2 margin) of the crop

def test_crop_gray_channel():
    out = crop_image(np.zeros((50, 60, 1), np.uint8), np.array([0, 0, 1, 1], np.float32), 32)
    assert out.shape == (32, 32, 1)

def test_bad_crop_mode():
    with pytest.raises(ValueError, match="crop='stretch'"): crop_box(face_shape(5, 5, 2), (10, 10), 8, 'stretch')

# ---------------------------------------------------------------- augmentation
def test_flip_keeps_image_and_points_paired():
    x = TensorImage(torch.rand(64, 3, 8, 8)); y = TensorPoint(torch.rand(64, 68, 2))
    x1, y1 = FlipKeypoints(p=0.5)((x, y), split_idx=0)
    flipped = (x1 != x).flatten(1).any(1).as_subclass(torch.Tensor)
    assert 5 < flipped.sum() < 59                                         # random, about half
    assert torch.equal(flipped, (y1 != y).flatten(1).any(1).as_subclass(torch.Tensor))  # the same samples
    x3, y3 = FlipKeypoints(p=1.)((x, y), split_idx=1)                     # never on validation
    assert (x3 == x).all() and (y3 == y).all()

def _dot_batch(n=6, size=64):
    xs, ys = torch.zeros(n, 3, size, size), torch.zeros(n, 68, 2)
    for i in range(n):
        px, py = 22 + 3 * i, 30 - 2 * i
        xs[i, :, py - 1:py + 2, px - 1:px + 2] = 1.
        ys[i, :] = torch.tensor([(px + 0.5) * 2 / size - 1, (py + 0.5) * 2 / size - 1])
    return TensorImage(xs), TensorPoint(ys)

@pytest.mark.parametrize('tfm', [
    FlipKeypoints(p=1.),
    Rotate(max_deg=30, p=1., pad_mode='zeros', align_corners=False),
    Zoom(min_zoom=0.8, max_zoom=1.25, p=1., pad_mode='zeros', align_corners=False),
    Translate(max_shift=0.1, p=1., align_corners=False),
], ids=['flip', 'rotate', 'zoom', 'translate'])
def test_transform_keeps_dot_under_point(tfm):
    "Each transform alone, always applied: the dot painted under point 0 stays under it, and it moves."
    torch.manual_seed(0)
    x, y = _dot_batch()
    x, y = tfm((x, y), split_idx=0)
    moved = 0
    for i in range(len(x)):
        want = (y[i, 0].numpy() + 1) * 64 / 2
        assert np.abs(_centre(x[i].permute(1, 2, 0).numpy()) - want).max() < 1.0
        moved += np.abs(want - (_dot_batch()[1][i, 0].numpy() + 1) * 32).max() > 0.5
    assert moved > 0                                                      # the transform did something

def test_points_pushed_out_are_kept():
    x = TensorImage(torch.zeros(4, 3, 32, 32)); y = TensorPoint(torch.full((4, 68, 2), 0.95))
    t = Translate(max_shift=0.5, p=1., align_corners=False)
    torch.manual_seed(1)
    _, y1 = t((x, y), split_idx=0)
    assert (y1.abs() > 1).any()                                           # outside the frame, not clipped
    assert torch.isfinite(y1).all() and y1.shape == y.shape               # and not dropped

# ---------------------------------------------------------------- splits and DataLoaders
def test_split_rules(data_dir):
    tr, va = split_tables(data_dir, 'test')
    assert (len(tr), len(va)) == (12, 6)
    tr, va = split_tables(data_dir, 0.25, seed=1)
    assert (len(tr), len(va)) == (9, 3) and not set(tr['file']) & set(va['file'])
    tr, va = split_tables(data_dir, 'identity', valid_pct=0.34)
    assert len(va) and not set(tr['person']) & set(va['person'])          # no person on both sides
    with pytest.raises(ValueError, match='valid='): split_tables(data_dir, 'random')

def test_keypoint_dls_shapes(data_dir):
    dls = keypoint_dls(data_dir, size=48, bs=4, valid='test')
    x, y = dls.one_batch()
    assert tuple(x.shape) == (4, 3, 48, 48) and tuple(y.shape) == (4, 68, 2)
    assert y.abs().max() < 1.5
    xv, yv = dls.valid.one_batch()
    assert tuple(xv.shape) == (4, 3, 48, 48)
    # validation targets are exactly the prepared crops' keypoints, scaled to [-1, 1]
    prep = dls.prepared['valid']
    assert torch.allclose(yv[0].cpu(), torch.tensor(prep.points[0] * 2 / 48 - 1), atol=1e-5)

def test_keypoint_dls_gray_and_crops(data_dir):
    dls = keypoint_dls(data_dir, size=40, bs=3, gray=True, crop='pad', augment=False)
    x, y = dls.one_batch()
    assert tuple(x.shape) == (3, 1, 40, 40)

def test_prepare_split_cache_roundtrip(data_dir, tmp_path):
    df = read_keypoints_csv(data_dir / SPLIT_CSVS['test'])
    a = prepare_split(df, 32, cache_dir=tmp_path / 'c')
    assert len(list((tmp_path / 'c').glob('*.npz'))) == 1
    b = prepare_split(df, 32, cache_dir=tmp_path / 'c')
    assert np.array_equal(a.images, b.images) and np.allclose(a.boxes, b.boxes)

def test_sample_data_batch(tmp_path):
    "The repository's sample of real faces: valid CSVs, a split by person, and face crops around the keypoints."
    root = sample_data()
    assert [len(read_keypoints_csv(root / SPLIT_CSVS[s])) for s in ('training', 'test')] == [40, 12]
    dls = keypoint_dls(root, size=160, bs=16, cache_dir=tmp_path)
    tr, va = (dls.prepared[s].df for s in ('train', 'valid'))
    assert len(tr) + len(va) == 40 and len(va) and not set(tr['person']) & set(va['person'])
    x, y = dls.one_batch()
    assert tuple(x.shape) == (16, 3, 160, 160) and tuple(y.shape) == (16, 68, 2)
    # face crops: the keypoints span most of the frame, inside it
    pts = dls.prepared['valid'].points
    assert pts.min() > 0 and pts.max() < 160 and ((pts.max(1) - pts.min(1)).max(1) > 90).all()

@needs_real_data
def test_real_csvs_valid():
    root = real_data()
    assert len(read_keypoints_csv(root / SPLIT_CSVS['training'])) == 3462
    assert len(read_keypoints_csv(root / SPLIT_CSVS['test'])) == 770

# ---------------------------------------------------------------- bad archives, destinations and downloads
import facekp.data as fdata

def _tree(root):
    "Every file and folder under `root` with its size and mtime, to show that nothing changed."
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) if p.is_file() else 'dir'
            for p in sorted(Path(root).rglob('*'))}

def _evil_zip(data_dir, dest, name, data=b'x' * 10, attr=None, compress=zipfile.ZIP_STORED):
    _zip_of(data_dir, dest)
    with zipfile.ZipFile(dest, 'a') as z:
        info = zipfile.ZipInfo(name); info.compress_type = compress
        if attr is not None: info.external_attr = attr
        z.writestr(info, data)
    return dest

@pytest.mark.parametrize('member,kw,expect', [
    ('ABSOLUTE', {}, 'has an absolute path'),
    ('../escaped.txt', {}, "has '..' in its path"),
    ('training/../../escaped.txt', {}, "has '..' in its path"),
    ('C:/escaped.txt', {}, 'has a drive letter'),
    ('training/link.jpg', dict(data=b'/etc/passwd', attr=0o120777 << 16), 'is a symbolic link'),
    ('training/bomb.jpg', dict(data=b'\0' * (20 << 20), compress=zipfile.ZIP_DEFLATED), 'a zip bomb'),
])
def test_download_refuses_unsafe_members(tmp_path, data_dir, member, kw, expect):
    outside = tmp_path / 'outside' / 'escaped.txt'
    if member == 'ABSOLUTE': member = str(outside)
    arc = _evil_zip(data_dir, tmp_path / 'evil.zip', member, **kw)
    before = _tree(tmp_path)
    with pytest.raises(DataError) as e: download_data(tmp_path / 'dest', archive=arc)
    msg = str(e.value)
    assert 'evil.zip' in msg and member in msg and expect in msg and '\n' not in msg
    assert _tree(tmp_path) == before and not outside.exists() and not (tmp_path.parent / 'escaped.txt').exists()

def test_download_refuses_oversized_and_corrupt(tmp_path, data_dir, monkeypatch):
    arc = _zip_of(data_dir, tmp_path / 'big.zip')
    monkeypatch.setattr(fdata, 'ARCHIVE_MAX_BYTES', 1000)
    with pytest.raises(DataError, match=r'big.zip: unpacks to \d+ bytes, over the limit of 1000'):
        download_data(tmp_path / 'dest', archive=arc)
    monkeypatch.undo()
    arc = _evil_zip(data_dir, tmp_path / 'crc.zip', 'training/zz.bin', data=b'0123456789abcdef' * 64)
    raw = bytearray(arc.read_bytes()); i = raw.rindex(b'0123456789abcdef'); raw[i] ^= 0xFF; arc.write_bytes(bytes(raw))
    with pytest.raises(DataError, match='crc.zip: member training/zz.bin is corrupt'):
        download_data(tmp_path / 'dest', archive=arc)
    assert not (tmp_path / 'dest').exists() and not list(tmp_path.glob('.facekp-download-*'))

def test_download_never_deletes_what_is_not_its_own(tmp_path, data_dir):
    arc = _zip_of(data_dir, tmp_path / 'train-test-data.zip')
    mine = tmp_path / 'mine'; mine.mkdir(); (mine / 'thesis.txt').write_text('precious')
    for force in (False, True):
        with pytest.raises(DataError, match='mine: a folder with other files in it, not a facekp data folder'):
            download_data(mine, archive=arc, force=force)
    assert (mine / 'thesis.txt').read_text() == 'precious' and len(list(mine.iterdir())) == 1
    (tmp_path / 'afile').write_text('x')
    with pytest.raises(DataError, match='afile: exists and is not a folder'): download_data(tmp_path / 'afile', archive=arc)
    empty = tmp_path / 'empty'; empty.mkdir()
    assert is_data_dir(download_data(empty, archive=arc))                    # an empty folder is filled
    # a data folder: kept without force; replaced with force, and kept when the new archive is bad
    (empty / 'note.txt').write_text('mine'); before = _tree(empty)
    assert download_data(empty, archive=arc) == empty and _tree(empty) == before
    bad = _evil_zip(data_dir, tmp_path / 'bad.zip', '../x')
    with pytest.raises(DataError): download_data(empty, archive=bad, force=True)
    assert _tree(empty) == before
    download_data(empty, archive=arc, force=True)
    assert is_data_dir(empty) and not (empty / 'note.txt').exists()
    inside = empty / 'copy.zip'; inside.write_bytes(arc.read_bytes())
    with pytest.raises(DataError, match='copy.zip: the archive is inside --dest'): download_data(empty, archive=inside, force=True)
    assert inside.is_file() and not list(tmp_path.glob('.facekp-download-*'))

def test_download_cut_short_leaves_nothing(tmp_path, monkeypatch):
    class Short(io.BytesIO):
        headers = {'Content-Length': '1000'}
        def __enter__(self): return self
        def __exit__(self, *a): return False
    monkeypatch.setattr(fdata.urllib.request, 'urlopen', lambda url, timeout=None: Short(b'PK' * 100))
    with pytest.raises(DataError, match='ended after 200 of 1000 bytes'): download_data(tmp_path / 'dest', url='http://example/x.zip')
    assert sorted(p.name for p in tmp_path.iterdir()) == []                  # no .part, no half-unpacked folder

# ---------------------------------------------------------------- bad CSVs: each a one-line error naming file and line
def _csv_lines(n=3):
    rows = [(f'P_{i:02d}.jpg', face_shape(50, 50, 20)) for i in range(n)]
    header = 'Unnamed: 0,' + ','.join(str(i) for i in range(136))
    return [header] + [name + ',' + ','.join(f'{v:.1f}' for v in k.reshape(-1)) for name, k in rows]

def _cells(line, f):
    c = line.split(','); c = f(c); return ','.join(c)

BAD_CSVS = [
    (lambda l: l[1:], 'line 1 (P_00.jpg, …) is a data row, not a header'),
    (lambda l: l[:2] + [_cells(l[2], lambda c: c[:-1])] + l[3:], 'line 3 has 135 coordinates, expected 136'),
    (lambda l: l[:2] + [l[2] + ',5.0'] + l[3:], 'line 3 has 137 coordinates, expected 136'),
    (lambda l: l[:2] + [_cells(l[2], lambda c: c[:5] + [''] + c[6:])], "line 3 (P_01.jpg), column x2 is empty"),
    (lambda l: l[:2] + [_cells(l[2], lambda c: c[:5] + ['nan'] + c[6:])], "line 3 (P_01.jpg), column x2 is not a number: 'nan'"),
    (lambda l: l[:2] + [_cells(l[2], lambda c: c[:5] + ['-inf'] + c[6:])], "column x2 is not finite: '-inf'"),
    (lambda l: l[:2] + [_cells(l[2], lambda c: c[:5] + ['3e9'] + c[6:])], 'column x2 is 3e9, beyond ±100000 pixels'),
    (lambda l: l[:2] + [_cells(l[2], lambda c: c[:1] + ['7.0'] * 136)], 'line 3 (P_01.jpg): all 68 points are at one place'),
    (lambda l: l[:2] + [_cells(l[2], lambda c: c[:91] + c[73:75] + c[93:])], 'line 3 (P_01.jpg): the outer eye corners'),
    (lambda l: l + [_cells(l[1], lambda c: c[:-1] + ['99.0'])], 'line 2 and line 5 give different keypoints for the same image P_00.jpg'),
    (lambda l: l[:1], 'no rows'),
    (lambda l: ['   ', ''], 'empty file'),
    (lambda l: l[:2] + [_cells(l[2], lambda c: ['../../etc/passwd'] + c[1:])], "line 3: image name '../../etc/passwd' must be a plain name"),
    (lambda l: l[:2] + [_cells(l[2], lambda c: [''] + c[1:])], 'line 3 has no image file name'),
]

@pytest.mark.parametrize('mutate,expect', BAD_CSVS)
def test_read_csv_bad_files(tmp_path, mutate, expect):
    csv = tmp_path / 'k.csv'
    csv.write_text('\n'.join(mutate(_csv_lines())) + '\n')
    with pytest.raises(DataError) as e: read_keypoints_csv(csv, check_images=False)
    msg = str(e.value)
    assert msg.startswith(str(csv) + ': ') and expect in msg and '\n' not in msg

def test_read_csv_binary_is_named(tmp_path):
    (tmp_path / 'k.csv').write_bytes(b'\x89PNG\r\n\x1a\n\0\0\0\rIHDR')
    with pytest.raises(DataError, match='k.csv: holds NUL bytes'): read_keypoints_csv(tmp_path / 'k.csv')

@pytest.mark.parametrize('encoding', ['utf-8', 'utf-8-sig', 'utf-16', 'latin-1'])
def test_read_csv_encodings(tmp_path, encoding):
    "UTF-8 with or without BOM, UTF-16 with its BOM, else Latin-1: the names find their images."
    lines = _csv_lines(2); lines[2] = 'José_Señor_01.jpg' + lines[2][len('P_01.jpg'):]
    (tmp_path / 'k.csv').write_bytes(('\n'.join(lines) + '\n').encode(encoding))
    for n in ('P_00.jpg', 'José_Señor_01.jpg'): Image.new('RGB', (100, 100)).save(tmp_path / n, format='PNG')
    df = read_keypoints_csv(tmp_path / 'k.csv', tmp_path)
    assert list(df['file']) == ['P_00.jpg', 'José_Señor_01.jpg'] and df['person'].iat[1] == 'José_Señor'
    assert np.allclose(keypoints_array(df)[1], face_shape(50, 50, 20), atol=0.06)

def test_read_csv_repeated_rows_dropped_with_warning(tmp_path):
    lines = _csv_lines(3); (tmp_path / 'k.csv').write_text('\n'.join(lines + [lines[1], lines[3]]) + '\n')
    with pytest.warns(UserWarning, match=r'k.csv: 2 repeated rows ignored \(line 5, line 6\)'):
        df = read_keypoints_csv(tmp_path / 'k.csv', check_images=False)
    assert list(df['file']) == ['P_00.jpg', 'P_01.jpg', 'P_02.jpg']
    with pytest.warns(UserWarning), pytest.raises(DataError, match=r'k.csv: line 2: image .*P_00.jpg not found \(and 2 more images\)'):
        read_keypoints_csv(tmp_path / 'k.csv', tmp_path)

def test_keypoints_far_outside_the_image_named(tmp_path):
    write_csv(tmp_path / 'k.csv', [('P_00.jpg', face_shape(50, 50, 20)), ('P_01.jpg', face_shape(900, 50, 20))])
    for n in ('P_00.jpg', 'P_01.jpg'): Image.new('RGB', (100, 120)).save(tmp_path / n, format='PNG')
    df = read_keypoints_csv(tmp_path / 'k.csv', tmp_path)
    for cache in (False, True):
        with pytest.raises(DataError, match=r'P_01.jpg: its keypoints reach .* far outside the 100x120 image'):
            prepare_split(df, 32, cache=cache, cache_dir=tmp_path / 'c', progress=False)

def test_too_few_images_for_a_batch_or_split(data_dir):
    with pytest.raises(DataError, match=r'10 training images \(limit=None\) are fewer than one batch \(bs=16\)'):
        keypoint_dls(data_dir, size=32, bs=16)     # 12 images of 6 people, one person held out
    with pytest.raises(DataError, match='leaves no validation images'): split_tables(data_dir, 0.01)
    with pytest.raises(ValueError, match='limit=-3'): split_tables(data_dir, limit=-3)

# ---------------------------------------------------------------- the crop cache follows the images
def test_cache_follows_changed_images(data_dir, tmp_path):
    df = read_keypoints_csv(data_dir / SPLIT_CSVS['test'])
    a = prepare_split(df, 32, cache_dir=tmp_path / 'c', progress=False)
    p = Path(df['path'].iat[0])
    Image.new('RGB', load_image(p).size, (255, 255, 255)).save(p, format='PNG')          # the image changes
    st = p.stat(); os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    b = prepare_split(df, 32, cache_dir=tmp_path / 'c', progress=False)
    fresh = prepare_split(df, 32, cache=False, progress=False)
    assert not np.array_equal(a.images[0], b.images[0]) and np.array_equal(b.images, fresh.images)
    assert np.array_equal(a.images[1:], b.images[1:])
    assert len(list((tmp_path / 'c').glob('*.npz'))) == 2 and not list((tmp_path / 'c').glob('*.tmp'))

def test_truncated_cache_is_rebuilt(data_dir, tmp_path):
    df = read_keypoints_csv(data_dir / SPLIT_CSVS['test'])
    a = prepare_split(df, 32, cache_dir=tmp_path / 'c', progress=False)
    f = next((tmp_path / 'c').glob('*.npz')); f.write_bytes(f.read_bytes()[:len(f.read_bytes()) // 2])
    b = prepare_split(df, 32, cache_dir=tmp_path / 'c', progress=False)
    assert np.array_equal(a.images, b.images) and f.stat().st_size > 1000
    np.savez(f, images=np.zeros((1, 2, 2, 3), np.uint8), points=a.points, boxes=a.boxes, sizes=a.sizes)  # arrays of other shapes
    assert np.array_equal(prepare_split(df, 32, cache_dir=tmp_path / 'c', progress=False).images, a.images)
    (tmp_path / 'notadir').write_text('')                                    # a cache that cannot be written: a warning
    with pytest.warns(UserWarning, match='crop cache not written'):
        c = prepare_split(df, 32, cache_dir=tmp_path / 'notadir', progress=False)
    assert np.array_equal(a.images, c.images)


def test_member_absolute_after_the_prefix_is_refused(tmp_path):
    "'data//abs/path': the folder prefix stripped, the rest is an absolute path; it must not be written there."
    import zipfile
    outside = tmp_path / 'outside' / 'evil.txt'
    src = make_data_dir(tmp_path / 'src')
    a = tmp_path / 'slip.zip'
    with zipfile.ZipFile(a, 'w') as z:
        for f in sorted(src.rglob('*')):
            if f.is_file(): z.write(f, 'data/' + str(f.relative_to(src)))
        z.writestr('data/' + str(outside), 'evil')
    with pytest.raises(DataError, match='slip.zip: member .* would be written outside the destination'):
        download_data(tmp_path / 'dest', archive=a)
    assert not outside.exists() and not (tmp_path / 'dest').exists()

def test_archive_errors_name_the_archive(tmp_path):
    import zipfile
    src = make_data_dir(tmp_path / 'src')
    (src / 'training' / sorted(p.name for p in (src / 'training').iterdir())[0]).unlink()   # an image the CSV lists is missing
    a = tmp_path / 'partial.zip'
    with zipfile.ZipFile(a, 'w') as z:
        for f in sorted(src.rglob('*')):
            if f.is_file(): z.write(f, 'data/' + str(f.relative_to(src)))
    with pytest.raises(DataError) as e: download_data(tmp_path / 'dest', archive=a)
    msg = str(e.value)
    assert msg.startswith(f'{a}: not the facekp data set: training_frames_keypoints.csv') and '.facekp-download' not in msg

def test_dest_under_a_file_is_named(tmp_path):
    (tmp_path / 'afile').write_text('mine')
    with pytest.raises(DataError, match='afile/dest: cannot create its folder'): download_data(tmp_path / 'afile' / 'dest', archive=tmp_path / 'afile')
    assert (tmp_path / 'afile').read_text() == 'mine'
