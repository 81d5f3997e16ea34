"""Bad-input probe of facekp: 300+ bad inputs, each in a fresh folder, each outcome classified.

    python3 bench/probe.py [--facekp PATH] [--python PATH] [--jobs 2] [--timeout 60] [--only SUBSTR] [--category CAT]
                           [--out bench/results/probe] [--list]

Every case has a stable id (CATEGORY/name) so runs can be compared. Each runs in a fresh temporary folder (the cwd
of the command) that holds only its inputs; the folder is snapshotted (size + sha256 of every file) before and after.

  CLI cases: `facekp ...` as a subprocess (its own session; killed with its group at --timeout).
  API cases: `KeypointDetector()(x)` and friends, each in its own child process, forked from one process that has
             imported facekp.inference (so the 70 API cases do not pay the import 70 times); a child that hangs is killed.

Outcomes (the first that applies, in this order):
  HANG            still running at --timeout
  CRASH           killed by a signal (segfault, abort, ...)
  UNBOUNDED       peak RSS > 2 GB (ru_maxrss of the child, from wait4) or > 1 GB written into the case folder
                  (RLIMIT_AS 12 GB and RLIMIT_FSIZE 1.5 GB stop it before it hurts the machine)
  DATA-DESTROYED  a file that was there before (an input, the user's files, a sentinel) changed or vanished, or a file
                  was written outside the expected output (zip slip), or the pickle's code ran
  TRACEBACK       'Traceback' on stderr (whatever the exit code)
  SILENT-WRONG    exit 0 but the result is wrong: an error was due, or the case's check failed (a bad file stopped the
                  good file of a batch, keypoints on a face-less image, NaN keypoints, two outputs on one name, ...)
  UNCLEAR         exit 2 with an error message that names neither the file nor the option at fault
  BAD-EXIT        another non-zero exit code with no traceback
  ok-clear-error  exit 2, 'error' on the last stderr line, which names the file or option
  ok-fallback     the documented fallback: a batch where the bad file got an error line and the good file its output
  ok-handled      exit 0 and the case's check of the result passed (the input was odd but usable: 1x1, 16-bit, CMYK...)

Writes OUT.md (summary per category and outcome, then every non-ok case: command, exit code, last stderr line) and
OUT.json (every case). Progress on stderr. Needs only the standard library; fixtures are made with --python.
"""
import argparse, concurrent.futures as cf, fnmatch, hashlib, json, math, os, pickle, random, re, resource, shutil, signal
import stat, struct, subprocess, sys, tempfile, threading, time, zipfile, zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
IMAGES = Path('/work/shared/images')
DATA = Path('/work/shared/facekp-data')
GB = 1 << 30

# ---------------------------------------------------------------------------------------------------------------------
# fixtures: made once per run, by the facekp python (numpy, PIL, torch, cv2 are there)

FIXTURE_CODE = r'''
import io, json, os, pickle, struct, sys, zipfile
from pathlib import Path
import numpy as np, torch, cv2
from PIL import Image, ImageOps
fx = Path(sys.argv[1]); images = Path(sys.argv[2]); model = Path(sys.argv[3]); detector = Path(sys.argv[4])
fx.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(0)
face = Image.open(images / 'mona_lisa.jpg').convert('RGB')           # 184 x 274, one face
face.save(fx / 'face.jpg', quality=92); face.save(fx / 'face.png')
Image.open(images / 'obamas.jpg').convert('RGB').save(fx / 'two.jpg', quality=92)
Image.new('RGB', (320, 240)).save(fx / 'black.png')
Image.fromarray(rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)).save(fx / 'noise.png')
Image.new('RGB', (320, 240), (128, 128, 128)).save(fx / 'gray.png')
j = (fx / 'face.jpg').read_bytes(); p = (fx / 'face.png').read_bytes()
(fx / 'trunc_half.jpg').write_bytes(j[:len(j) // 2]); (fx / 'trunc_200.jpg').write_bytes(j[:200])
(fx / 'trunc_half.png').write_bytes(p[:len(p) // 2]); (fx / 'trunc_head.png').write_bytes(p[:40])
bad = bytearray(j); bad[len(bad) // 2: len(bad) // 2 + 400] = b'\x00' * 400; (fx / 'corrupt_mid.jpg').write_bytes(bytes(bad))
(fx / 'text.jpg').write_text('this is not an image\n'); (fx / 'html.png').write_text('<html><body>404</body></html>')
(fx / 'svg.png').write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
(fx / 'zero.jpg').write_bytes(b''); (fx / 'random.jpg').write_bytes(rng.bytes(5000))
(fx / 'jpeg_magic_only.jpg').write_bytes(b'\xff\xd8\xff\xe0' + b'\x00' * 20)
Image.new('1', (30000, 30000)).save(fx / 'bomb_30000.png', optimize=False)
Image.new('L', (10000, 10000)).save(fx / 'big_10000.png')
Image.new('RGB', (1, 1), (200, 150, 120)).save(fx / 'tiny_1x1.png'); Image.new('RGB', (5, 7)).save(fx / 'tiny_5x7.jpg')
g = np.asarray(face.convert('L'))
Image.fromarray((g.astype(np.uint16) * 257)).save(fx / 'face_16bit.png')
assert Image.open(fx / 'face_16bit.png').mode.startswith('I')
face.quantize(64).save(fx / 'face_P.png'); face.convert('LA').save(fx / 'face_LA.png'); face.convert('RGBA').save(fx / 'face_RGBA.png')
face.convert('CMYK').save(fx / 'face_CMYK.jpg'); face.convert('L').save(fx / 'face_L.png'); face.convert('1').save(fx / 'face_1.png')
Image.fromarray(g.astype(np.uint16) * 257).save(fx / 'face_I16.tif')
Image.fromarray(g.astype(np.float32) / 255).save(fx / 'face_F01.tif')
Image.fromarray(g.astype(np.float32)).save(fx / 'face_F255.tif')
Image.fromarray(g.astype(np.int32) * 1000).save(fx / 'face_I32.tif')
rgba = np.dstack([np.asarray(face), np.zeros(g.shape, np.uint8)]); Image.fromarray(rgba, 'RGBA').save(fx / 'face_alpha0.png')
face.save(fx / 'anim.gif', save_all=True, append_images=[Image.new('RGB', face.size), face.transpose(Image.FLIP_LEFT_RIGHT)], duration=100, loop=0)
Image.new('RGB', face.size).save(fx / 'multi_black_first.tif', save_all=True, append_images=[face])
face.save(fx / 'multi_face_first.tif', save_all=True, append_images=[Image.new('RGB', face.size)])
rot = face.transpose(Image.ROTATE_90)                     # stored on its side; EXIF orientation 6 turns it upright
ex = Image.Exif(); ex[0x0112] = 6; rot.save(fx / 'exif6.jpg', exif=ex.tobytes(), quality=92)
ex = Image.Exif(); ex[0x0112] = 99; face.save(fx / 'exif_bad_orientation.jpg', exif=ex.tobytes(), quality=92)
Image.new('RGB', (20000, 10)).save(fx / 'wide_20000x10.png'); Image.new('RGB', (10, 20000)).save(fx / 'tall_10x20000.png')
w = Image.new('RGB', (6000, 300)); w.paste(face.resize((200, 298)), (2900, 1)); w.save(fx / 'wide_face_6000x300.jpg')
face.save(fx / 'face.webp'); face.save(fx / 'face.bmp'); face.save(fx / 'FACE.JPG')
(fx / 'face_noext').write_bytes(j); (fx / 'face_png_named.jpg').write_bytes(p)
Image.fromarray(np.asarray(face)[:, :, ::-1]).save(fx / 'face_bgr.png')
face.convert('RGB').save(fx / 'overlay_rgb.png')
Image.new('RGBA', (8000, 8000), (255, 0, 0, 128)).save(fx / 'overlay_huge.png')
# video: 12 frames of the face
vw = cv2.VideoWriter(str(fx / 'clip.mp4'), cv2.VideoWriter_fourcc(*'mp4v'), 10, face.size)
for i in range(12): vw.write(np.ascontiguousarray(np.asarray(face)[:, :, ::-1]))
vw.release()
v = (fx / 'clip.mp4').read_bytes(); (fx / 'clip_trunc.mp4').write_bytes(v[:len(v) // 3])
(fx / 'text.mp4').write_text('not a video'); (fx / 'zero.mp4').write_bytes(b'')
# models
(fx / 'm_zero.pth').write_bytes(b''); (fx / 'm_random.pth').write_bytes(rng.bytes(4096)); (fx / 'm_text.pth').write_text('hello')
class Evil:
    def __reduce__(self): return (os.system, ('touch PWNED',))
(fx / 'm_evil_raw.pth').write_bytes(pickle.dumps(Evil()))
torch.save({'format': 1, 'config': {}, 'state_dict': Evil()}, fx / 'm_evil_torch.pth')
torch.save([1, 2, 3], fx / 'm_list.pth'); torch.save({'a': 1}, fx / 'm_nokeys.pth')
sd = torch.load(model, map_location='cpu', weights_only=True)
def variant(name, **cfg):
    d = dict(sd); d['config'] = {**sd['config'], **cfg}; torch.save(d, fx / name)
variant('m_size_neg.pth', size=-1); variant('m_size_zero.pth', size=0); variant('m_size_huge.pth', size=100000)
variant('m_npoints5.pth', n_points=5); variant('m_arch_nope.pth', arch='nope'); variant('m_nin7.pth', n_in=7)
variant('m_margin_nan.pth', margin=float('nan')); variant('m_crop_nope.pth', crop='nope'); variant('m_head_nope.pth', head='nope')
d = dict(sd); d['config'] = {k: v for k, v in sd['config'].items() if k != 'size'}; torch.save(d, fx / 'm_no_size.pth')
d = dict(sd); d['state_dict'] = {}; torch.save(d, fx / 'm_empty_sd.pth')
d = dict(sd); d['state_dict'] = {k: (torch.full_like(v, float('nan')) if v.is_floating_point() else v) for k, v in sd['state_dict'].items()}
torch.save(d, fx / 'm_nan_weights.pth')
d = dict(sd); d['config'] = 'size=112'; torch.save(d, fx / 'm_config_str.pth')
b = model.read_bytes(); (fx / 'm_trunc.pth').write_bytes(b[:len(b) // 2])
bb = bytearray(b); bb[len(bb) // 2: len(bb) // 2 + 64] = rng.bytes(64); (fx / 'm_corrupt.pth').write_bytes(bytes(bb))
(fx / 'm_real.pth').write_bytes(b)
(fx / 'm_random.onnx').write_bytes(rng.bytes(4096)); (fx / 'm_zero.onnx').write_bytes(b''); (fx / 'm_pth_as.onnx').write_bytes(b)
(fx / 'm_detector.pth').write_bytes(detector.read_bytes())
if detector.with_suffix('.onnx').is_file(): (fx / 'm_detector.onnx').write_bytes(detector.with_suffix('.onnx').read_bytes())
if model.with_suffix('.onnx').is_file(): (fx / 'm_real.onnx').write_bytes(model.with_suffix('.onnx').read_bytes())
print('fixtures ok')
'''

def make_archives(fx: Path, mini: Path):
    "Zip fixtures (stdlib only)."
    def add_tree(z, prefix='data/'):
        for f in sorted(mini.rglob('*')):
            rel = f.relative_to(mini).as_posix()
            if f.is_dir(): z.writestr(prefix + rel + '/', '')
            else: z.write(f, prefix + rel)
    def mk(name, extra=(), prefix='data/', drop=()):
        with zipfile.ZipFile(fx / name, 'w', zipfile.ZIP_DEFLATED) as z:
            for f in sorted(mini.rglob('*')):
                rel = f.relative_to(mini).as_posix()
                if any(rel.startswith(d) for d in drop): continue
                if f.is_dir(): z.writestr(prefix + rel + '/', '')
                else: z.write(f, prefix + rel)
            for n, data in extra:
                if isinstance(n, zipfile.ZipInfo): z.writestr(n, data)
                else: z.writestr(n, data)
    mk('a_good.zip')
    mk('a_good_noprefix.zip', prefix='')
    mk('a_good_deep.zip', prefix='x/y/z/')
    mk('a_dotdot.zip', [('data/../evil_dotdot.txt', 'x'), ('data/training/../../evil2.txt', 'x')])
    mk('a_dotdot_outside_prefix.zip', [('../evil_outer.txt', 'x'), ('../../evil_outer2.txt', 'x')])
    mk('a_abs_root.zip', [('/tmp/facekp_probe_evil_abs.txt', 'x')])
    mk('a_backslash.zip', [('data\\..\\evil_bs.txt', 'x')])
    for name, target in (('a_symlink_etc.zip', '/etc/passwd'), ('a_symlink_up.zip', '../../outside'), ('a_symlink_dir.zip', '/')):
        zi = zipfile.ZipInfo('data/training/link_' + name[:-4]); zi.create_system = 3
        zi.external_attr = (stat.S_IFLNK | 0o777) << 16
        mk(name, [(zi, target)])
    mk('a_dup_members.zip', [('data/test_frames_keypoints.csv', 'garbage,1,2\n')])
    mk('a_missing_test_csv.zip', drop=('test_frames_keypoints.csv',))
    mk('a_missing_training_dir.zip', drop=('training/',))
    mk('a_missing_image.zip', drop=('training/' + sorted((mini / 'training').iterdir())[0].name,))
    with zipfile.ZipFile(fx / 'a_bad_csv.zip', 'w') as z:
        for f in sorted(mini.rglob('*')):
            rel = f.relative_to(mini).as_posix()
            if f.is_file(): z.writestr('data/' + rel, 'a,b,c\n1,2,3\n' if rel.endswith('.csv') else f.read_bytes())
    mk('a_many_members.zip', [(f'data/junk/{i:05d}.txt', '') for i in range(20000)])
    # bomb: 1 GiB of zeros as one member (~1 MB compressed)
    with zipfile.ZipFile(fx / 'a_bomb.zip', 'w', zipfile.ZIP_DEFLATED) as z:
        add_tree(z)
        with z.open('data/training/zz_bomb.jpg', 'w', force_zip64=True) as f:
            chunk = b'\0' * (1 << 24)
            for _ in range(64): f.write(chunk)
    with zipfile.ZipFile(fx / 'a_bomb_csv.zip', 'w', zipfile.ZIP_DEFLATED) as z:
        add_tree(z)
        with z.open('data/zz_huge.bin', 'w', force_zip64=True) as f:
            chunk = b'\0' * (1 << 24)
            for _ in range(32): f.write(chunk)
    good = (fx / 'a_good.zip').read_bytes()
    # corrupt CRC: flip bytes inside the first stored member's data (the CSV, deflated)
    b = bytearray(good); i = good.find(b'PK\x03\x04'); n = struct.unpack('<H', b[i + 26:i + 28])[0]; m = struct.unpack('<H', b[i + 28:i + 30])[0]
    start = i + 30 + n + m
    for k in range(start + 50, start + 60): b[k] ^= 0xFF
    (fx / 'a_crc.zip').write_bytes(bytes(b))
    (fx / 'a_trunc_half.zip').write_bytes(good[:len(good) // 2]); (fx / 'a_trunc_100.zip').write_bytes(good[:100])
    (fx / 'a_trunc_tail.zip').write_bytes(good[:-10])
    (fx / 'a_text.zip').write_text('not a zip at all\n'); (fx / 'a_zero.zip').write_bytes(b'')
    (fx / 'a_random.zip').write_bytes(random.Random(0).randbytes(20000))
    with zipfile.ZipFile(fx / 'a_empty.zip', 'w'): pass
    shutil.copy(fx / 'face.png', fx / 'a_png.zip')
    import tarfile
    with tarfile.open(fx / 'a_tar.zip', 'w:gz') as t: t.add(mini, 'data')

def make_mini(mini: Path, n=8):
    "A small data folder: the first n rows of each official CSV, with their images."
    for split, csv in (('training', 'training_frames_keypoints.csv'), ('test', 'test_frames_keypoints.csv')):
        lines = (DATA / csv).read_text().splitlines()
        keep = [lines[0]] + lines[1:n + 1]
        (mini / split).mkdir(parents=True, exist_ok=True)
        for l in keep[1:]:
            name = l.split(',', 1)[0]
            shutil.copy(DATA / split / name, mini / split / name)
        (mini / csv).write_text('\n'.join(keep) + '\n')

# ---------------------------------------------------------------------------------------------------------------------
# the cases

class Case:
    def __init__(self, cid, argv=None, setup=(), expect='error', names=(), check=None, allowed=(), kind='cli', code=None,
                 timeout=None, note=''):
        self.id, self.argv, self.setup, self.expect, self.names = cid, argv, list(setup), expect, list(names)
        self.check, self.allowed, self.kind, self.code, self.timeout, self.note = check, list(allowed), kind, code, timeout, note
    @property
    def category(self): return self.id.split('/')[0]

DEFAULT_ALLOWED = ['detections/*', 'detections', 'out', 'out/*', 'eval', 'eval/*', 'runs', 'runs/**', 'models', 'models/*',
                   'filtered.png', 'swapped.png', 'keypoints.mp4', 'batch.png', '*.tmp*', '.tmp-*', '*/.tmp-*']

# setup ops, run in the case folder: ('copy', fixture, dest), ('fifo', dest), ('mkdir', dest), ('link', target, dest),
# ('write', dest, text), ('bytes', dest, bytes), ('mini', dest), ('csv', dest_dir, split, transform), ('chmod', dest, mode)

def cp(f, dest=None): return ('copy', f, dest or f)

def run_setup(tmp: Path, ops, fx: Path, mini: Path):
    for op in ops:
        k = op[0]
        if k == 'copy':
            d = tmp / op[2]; d.parent.mkdir(parents=True, exist_ok=True); shutil.copy(fx / op[1], d)
        elif k == 'fifo': d = tmp / op[1]; d.parent.mkdir(parents=True, exist_ok=True); os.mkfifo(d)
        elif k == 'mkdir': (tmp / op[1]).mkdir(parents=True, exist_ok=True)
        elif k == 'link': d = tmp / op[2]; d.parent.mkdir(parents=True, exist_ok=True); os.symlink(op[1], d)
        elif k == 'write': d = tmp / op[1]; d.parent.mkdir(parents=True, exist_ok=True); d.write_text(op[2])
        elif k == 'bytes': d = tmp / op[1]; d.parent.mkdir(parents=True, exist_ok=True); d.write_bytes(op[2])
        elif k == 'mini': shutil.copytree(mini, tmp / op[1])
        elif k == 'csv':   # rewrite a CSV of a mini copy: transform(text) -> str or bytes
            p = tmp / op[1] / op[2]; new = op[3](p.read_text())
            if isinstance(new, bytes): p.write_bytes(new)
            else: p.write_text(new)
        elif k == 'rm': p = tmp / op[1]; shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
        elif k == 'chmod': os.chmod(tmp / op[1], op[2])
        else: raise ValueError(op)

# --- checks of a result that exited 0: (ok, note) ---

def _json(ctx):
    try: return json.loads(ctx['stdout'])
    except Exception: return None

def chk_detect(min_faces=None, max_faces=None, n_images=None, need=(), distinct_outputs=False, upright=None):
    "Check `facekp detect --json`: faces per image, every named image present with its annotated file."
    def f(ctx):
        j = _json(ctx)
        if j is None or 'images' not in j: return False, 'no JSON document on stdout'
        ims = j['images']
        if n_images is not None and len(ims) != n_images: return False, f'{len(ims)} images in the report, expected {n_images}'
        for name in need:
            if not any(Path(i['path']).name == name for i in ims): return False, f'{name} missing from the report'
        for i in ims:
            nf = len(i['faces'])
            if min_faces is not None and nf < min_faces: return False, f"{Path(i['path']).name}: {nf} faces, expected >= {min_faces}"
            if max_faces is not None and nf > max_faces: return False, f"{Path(i['path']).name}: {nf} faces (keypoints on a face-less image)"
            for fc in i['faces']:
                if not all(math.isfinite(v) for kp in fc['keypoints'] for v in kp): return False, 'non-finite keypoints'
            if i.get('annotated') and not (ctx['tmp'] / i['annotated']).is_file() and not Path(i['annotated']).is_file():
                return False, f"annotated file {i['annotated']} not written"
            if upright and (i['width'], i['height']) != upright: return False, f"size {i['width']}x{i['height']}, EXIF orientation not applied"
        if distinct_outputs:
            outs = [i['annotated'] for i in ims]
            if len(set(outs)) != len(outs): return False, f'{len(outs)} images written to {len(set(outs))} files: one overwrote another'
        return True, f'{len(ims)} images, faces {[len(i["faces"]) for i in ims]}'
    return f

def chk_file(name, image=True):
    def f(ctx):
        p = ctx['tmp'] / name
        if not p.is_file() or p.stat().st_size == 0: return False, f'{name} not written'
        return True, f'{name} written'
    return f

def chk_stdout(pattern, bad=None):
    def f(ctx):
        out = ctx['stdout'] + ctx['stderr']
        if bad and re.search(bad, out, re.I): return False, f'output matches {bad!r}'
        return (True, 'output as expected') if re.search(pattern, out, re.I) else (False, f'output lacks {pattern!r}')
    return f

def chk_none(ctx): return False, 'exit 0 where an error was due'

# --- the table ---

def cases(fx_names):
    C = []
    FK = '{facekp}'
    def cli(cid, args, **kw): C.append(Case(cid, [FK] + args, **kw))

    # ===== archives: facekp data download --archive A --dest D =====
    def dl(cid, archive, dest='dest', extra=(), setup=(), expect='error', names=None, check=None, allowed=None, **kw):
        cli('archive/' + cid, ['data', 'download', '--archive', archive, '--dest', dest] + list(extra),
            setup=([cp(archive)] if archive in fx_names else []) + list(setup) + [('write', 'outside/sentinel.txt', 'keep me')],
            expect=expect, names=names if names is not None else [archive, dest], check=check,
            allowed=(allowed if allowed is not None else [dest, dest + '/**', '.facekp-download-*', '.facekp-download-*/**']), **kw)
    ok_dl = lambda d='dest': chk_stdout('data ready')
    dl('good', 'a_good.zip', expect='ok', check=ok_dl())
    dl('good-noprefix', 'a_good_noprefix.zip', expect='ok', check=ok_dl())
    dl('good-deep-prefix', 'a_good_deep.zip', expect='ok', check=ok_dl())
    dl('good-dest-nested', 'a_good.zip', dest='a/b/c/dest', expect='ok', check=ok_dl())
    dl('good-again-no-force', 'a_good.zip', setup=[('mini', 'dest')], expect='ok', check=ok_dl())
    dl('good-again-force', 'a_good.zip', extra=['--force'], setup=[('mini', 'dest')], expect='ok', check=ok_dl())
    dl('dotdot-members', 'a_dotdot.zip', expect='ok', check=ok_dl(), note='.. members must be skipped, nothing written outside dest')
    dl('dotdot-outside-prefix', 'a_dotdot_outside_prefix.zip', expect='ok', check=ok_dl())
    dl('abs-member', 'a_abs_root.zip', expect='ok', check=ok_dl())
    dl('backslash-member', 'a_backslash.zip', expect='ok', check=ok_dl())
    for s in ('a_symlink_etc.zip', 'a_symlink_up.zip', 'a_symlink_dir.zip'):
        dl(s[2:-4].replace('_', '-'), s, expect='ok',
           check=lambda ctx: (not any(p.is_symlink() for p in (ctx['tmp'] / 'dest').rglob('*')), 'no symlink unpacked'))
    # zip slip through an absolute name after the prefix: data//ABS/outside/evil.txt -> writes ABS/outside/evil.txt
    C.append(Case('archive/abs-after-prefix', [FK, 'data', 'download', '--archive', 'slip.zip', '--dest', 'dest'],
                  setup=[('slip', 'slip.zip'), ('write', 'outside/sentinel.txt', 'keep me')], expect='ok', check=ok_dl(),
                  names=['slip.zip'], allowed=['dest', 'dest/**', '.facekp-download-*'], note='member data//<abs path>/outside/evil.txt'))
    dl('dup-members', 'a_dup_members.zip')
    dl('missing-test-csv', 'a_missing_test_csv.zip'); dl('missing-training-dir', 'a_missing_training_dir.zip')
    dl('missing-image', 'a_missing_image.zip'); dl('bad-csv', 'a_bad_csv.zip')
    dl('many-members', 'a_many_members.zip', expect='either', check=ok_dl())
    dl('bomb-1GiB-member', 'a_bomb.zip', expect='error', timeout=120, note='1 GiB of zeros as an image member')
    dl('bomb-512MiB-extra', 'a_bomb_csv.zip', expect='either', check=ok_dl(), timeout=120)
    dl('crc', 'a_crc.zip'); dl('trunc-half', 'a_trunc_half.zip'); dl('trunc-100', 'a_trunc_100.zip'); dl('trunc-tail', 'a_trunc_tail.zip')
    dl('text', 'a_text.zip'); dl('zero-byte', 'a_zero.zip'); dl('random', 'a_random.zip'); dl('empty-zip', 'a_empty.zip')
    dl('png-named-zip', 'a_png.zip'); dl('targz-named-zip', 'a_tar.zip')
    dl('missing-archive', 'nope.zip'); dl('archive-is-dir', 'adir.zip', setup=[('mkdir', 'adir.zip')])
    dl('archive-fifo', 'fifo.zip', setup=[('fifo', 'fifo.zip')])
    dl('archive-dangling-link', 'link.zip', setup=[('link', 'nowhere.zip', 'link.zip')])
    dl('archive-link-loop', 'loop.zip', setup=[('link', 'loop.zip', 'loop.zip')])
    for cid, extra in (('dest-nondata-no-force', []), ('dest-nondata-force', ['--force'])):
        dl(cid, 'a_good.zip', extra=extra, setup=[('write', 'dest/my_thesis.txt', 'years of work'), ('write', 'dest/sub/notes.md', 'notes')],
           expect='either', check=lambda ctx: ((ctx['tmp'] / 'dest' / 'my_thesis.txt').is_file(), 'user files kept'),
           allowed=['dest/training*', 'dest/test*', 'dest/training/**', 'dest/test/**', '.facekp-download-*'])
    dl('dest-is-file', 'a_good.zip', setup=[('write', 'dest', 'a file')], allowed=[])
    dl('dest-under-file', 'a_good.zip', dest='afile/dest', setup=[('write', 'afile', 'a file')], allowed=[])
    dl('dest-unwritable-proc', 'a_good.zip', dest='/proc/facekp-probe/dest', names=['/proc/facekp-probe'], allowed=[])
    dl('dest-empty-string', 'a_good.zip', dest='', names=['dest', 'a_good.zip'], allowed=['*', '**'])
    dl('dest-is-fifo', 'a_good.zip', setup=[('fifo', 'dest')], allowed=[])
    dl('dest-dangling-link', 'a_good.zip', setup=[('link', 'gone', 'dest')], expect='either', check=ok_dl(), allowed=['gone', 'gone/**', 'dest'])
    dl('dest-partial-data', 'a_good.zip', setup=[('mini', 'dest'), ('rm', 'dest/test_frames_keypoints.csv')], expect='either',
       check=ok_dl(), allowed=['dest/**'])
    cli('archive/url-bad-scheme', ['data', 'download', '--url', 'notaurl', '--dest', 'dest'], names=['notaurl', 'url'])
    cli('archive/url-refused', ['data', 'download', '--url', 'http://127.0.0.1:9/x.zip', '--dest', 'dest'], names=['127.0.0.1', 'url', 'download'])
    cli('archive/url-file-scheme', ['data', 'download', '--url', 'file:///etc/hostname', '--dest', 'dest'], names=['hostname', 'url', 'zip'])

    # ===== images: detect / filter / swap =====
    bad_images = {  # name -> (fixture or setup ops, expect, check-for-exit-0)
        'zero-byte': ('zero.jpg', 'error'), 'trunc-half-jpg': ('trunc_half.jpg', 'either'), 'trunc-200-jpg': ('trunc_200.jpg', 'error'),
        'trunc-half-png': ('trunc_half.png', 'error'), 'trunc-head-png': ('trunc_head.png', 'error'),
        'corrupt-mid-jpg': ('corrupt_mid.jpg', 'either'), 'text-as-jpg': ('text.jpg', 'error'), 'html-as-png': ('html.png', 'error'),
        'svg-as-png': ('svg.png', 'error'), 'random-bytes': ('random.jpg', 'error'), 'jpeg-magic-only': ('jpeg_magic_only.jpg', 'error'),
        'bomb-30000-1bit': ('bomb_30000.png', 'error'), 'big-10000-L': ('big_10000.png', 'either'),
        'tiny-1x1': ('tiny_1x1.png', 'none'), 'tiny-5x7': ('tiny_5x7.jpg', 'none'), 'black': ('black.png', 'none'),
        'noise': ('noise.png', 'none'), 'gray': ('gray.png', 'none'),
        '16bit-png': ('face_16bit.png', 'face'), 'palette': ('face_P.png', 'face'), 'LA': ('face_LA.png', 'face'),
        'RGBA': ('face_RGBA.png', 'face'), 'alpha-zero': ('face_alpha0.png', 'face'), 'CMYK-jpg': ('face_CMYK.jpg', 'face'),
        'L': ('face_L.png', 'face'), '1-bit': ('face_1.png', 'either'), 'I16-tif': ('face_I16.tif', 'face'),
        'F01-tif': ('face_F01.tif', 'face'), 'F255-tif': ('face_F255.tif', 'face'), 'I32-tif': ('face_I32.tif', 'face'),
        'animated-gif': ('anim.gif', 'face'), 'multipage-face-first': ('multi_face_first.tif', 'face'),
        'multipage-black-first': ('multi_black_first.tif', 'either'), 'exif-rotated': ('exif6.jpg', 'face-upright'),
        'exif-bad-orientation': ('exif_bad_orientation.jpg', 'face'), 'wide-20000x10': ('wide_20000x10.png', 'none'),
        'tall-10x20000': ('tall_10x20000.png', 'none'), 'wide-face-6000x300': ('wide_face_6000x300.jpg', 'face'),
        'webp': ('face.webp', 'face'), 'bmp': ('face.bmp', 'face'), 'upper-ext': ('FACE.JPG', 'face'), 'no-ext': ('face_noext', 'face'),
        'png-named-jpg': ('face_png_named.jpg', 'face'),
    }
    special = {  # name -> (setup ops, path to pass, expect)
        'fifo-jpg': ([('fifo', 'pipe.jpg')], 'pipe.jpg', 'error'), 'dir-named-jpg': ([('mkdir', 'folder.jpg')], 'folder.jpg', 'error-or-empty'),
        'link-loop': ([('link', 'loop.jpg', 'loop.jpg')], 'loop.jpg', 'error'),
        'dangling-link': ([('link', 'gone.jpg', 'dangling.jpg')], 'dangling.jpg', 'error'),
        'missing-file': ([], 'missing.jpg', 'error'),
        'unreadable-chmod000': ([cp('face.jpg', 'locked.jpg'), ('chmod', 'locked.jpg', 0)], 'locked.jpg', 'face'),
        'unicode-space-name': ([cp('face.jpg', 'my face é.jpg')], 'my face é.jpg', 'face'),
        'dash-name': ([cp('face.jpg', '-dash.jpg')], '-dash.jpg', 'either'),
        'proc-file': ([], '/proc/self/status', 'error'), 'dev-zero': ([], '/dev/zero', 'error'), 'dev-null': ([], '/dev/null', 'error'),
    }
    def img_check(expect, names):
        if expect == 'face': return chk_detect(min_faces=1, n_images=len(names))
        if expect == 'face-upright': return chk_detect(min_faces=1, n_images=1, upright=(184, 274))
        if expect == 'none': return chk_detect(max_faces=0, n_images=len(names))
        if expect == 'error-or-empty': return chk_detect(n_images=0)
        return chk_detect(n_images=len(names))
    items = [(k, [cp(v[0])], v[0], v[1]) for k, v in bad_images.items()] + [(k, v[0], v[1], v[2]) for k, v in special.items()]
    for name, setup, path, expect in items:
        ex = {'face': 'ok', 'face-upright': 'ok', 'none': 'ok', 'error-or-empty': 'either'}.get(expect, expect)
        cli(f'image/detect-{name}', ['detect', path, '--json'], setup=setup, expect=ex, names=[path], check=img_check(expect, [path]),
            timeout=90 if 'bomb' in name or 'big' in name else None)
    # filter and swap on a subset
    subset = ['zero-byte', 'trunc-200-jpg', 'text-as-jpg', 'bomb-30000-1bit', 'tiny-1x1', 'black', '16bit-png', 'CMYK-jpg', 'animated-gif',
              'exif-rotated', 'wide-20000x10', 'LA', 'I16-tif', 'F01-tif', 'noise', 'fifo-jpg', 'dir-named-jpg', 'link-loop', 'missing-file',
              'random-bytes', 'palette', 'trunc-half-png']
    for name, setup, path, expect in items:
        if name not in subset: continue
        face = expect in ('face', 'face-upright')
        cli(f'image/filter-{name}', ['filter', path, '--out', 'out/f.png'], setup=setup, expect='ok' if face else 'error',
            names=[path], check=chk_file('out/f.png') if face else chk_none, timeout=90 if 'bomb' in name else None)
        cli(f'image/swap-{name}', ['swap', 'face.jpg', path, '--out', 'out/s.png'], setup=[cp('face.jpg')] + setup,
            expect='ok' if face else 'error', names=[path], check=chk_file('out/s.png') if face else chk_none,
            timeout=90 if 'bomb' in name else None)
    cli('image/swap-one-face-image', ['swap', 'face.jpg', '--out', 'out/s.png'], setup=[cp('face.jpg')], names=['face.jpg'])
    cli('image/swap-two-face-image', ['swap', 'two.jpg', '--out', 'out/s.png'], setup=[cp('two.jpg')], expect='ok', check=chk_file('out/s.png'))
    cli('image/swap-no-face-a', ['swap', 'black.png', 'face.jpg', '--out', 'out/s.png'], setup=[cp('black.png'), cp('face.jpg')], names=['black.png'])
    # overlays
    for cid, ov, setup, expect in (('overlay-missing', 'nope.png', [], 'error'), ('overlay-text', 'text.png', [('write', 'text.png', 'hi')], 'error'),
                                   ('overlay-zero', 'zero.png', [cp('zero.jpg', 'zero.png')], 'error'),
                                   ('overlay-rgb-no-alpha', 'overlay_rgb.png', [cp('overlay_rgb.png')], 'either'),
                                   ('overlay-huge', 'overlay_huge.png', [cp('overlay_huge.png')], 'either'),
                                   ('overlay-unknown-name', 'bowtie', [], 'error'), ('overlay-upper-case', 'HAT', [], 'either'),
                                   ('overlay-dir', 'odir', [('mkdir', 'odir')], 'error'), ('overlay-fifo', 'ofifo.png', [('fifo', 'ofifo.png')], 'error')):
        cli(f'image/filter-{cid}', ['filter', 'face.jpg', '--overlay', ov, '--out', 'out/f.png'], setup=[cp('face.jpg')] + setup,
            expect=expect, names=[ov, 'overlay'], check=chk_file('out/f.png'))
    cli('image/filter-kind-bogus', ['filter', 'face.jpg', '--kind', 'bogus'], setup=[cp('face.jpg')], names=['--kind'])
    # batches: one bad and one good file; the good one must still be processed
    batch_bad = {'zero': 'zero.jpg', 'text': 'text.jpg', 'trunc': 'trunc_200.jpg', 'bomb': 'bomb_30000.png', 'random': 'random.jpg',
                 'svg': 'svg.png', 'html': 'html.png', 'tiny': 'tiny_1x1.png', '16bit': 'face_16bit.png', 'trunc-png': 'trunc_half.png'}
    for bname, bfile in batch_bad.items():
        for order in ('bad-first', 'bad-last'):
            files = ['a_bad_' + bfile, 'z_good.jpg'] if order == 'bad-first' else ['a_good.jpg', 'z_bad_' + bfile]
            good = [f for f in files if 'good' in f][0]; bad = [f for f in files if 'bad' in f][0]
            cli(f'image/batch-{bname}-{order}', ['detect', 'in', '--json'], setup=[cp('face.jpg', 'in/' + good), cp(bfile, 'in/' + bad)],
                expect='fallback', names=[bad], check=chk_detect(need=[good]), timeout=90 if bname == 'bomb' else None)
    for sname, ops in (('fifo', [('fifo', 'in/a_pipe.jpg')]), ('dir-jpg', [('mkdir', 'in/a_dir.jpg')]), ('loop', [('link', 'a_loop.jpg', 'in/a_loop.jpg')]),
                       ('dangling', [('link', 'nowhere.jpg', 'in/a_dangling.jpg')])):
        cli(f'image/batch-{sname}-bad-first', ['detect', 'in', '--json'], setup=[cp('face.jpg', 'in/z_good.jpg')] + ops,
            # documented: a folder inside a searched folder is searched too, whatever its name
            expect='either' if sname == 'dir-jpg' else 'fallback', names=[ops[0][-1].split('/')[-1]], check=chk_detect(need=['z_good.jpg']))
    cli('image/batch-two-args-one-missing', ['detect', 'missing.jpg', 'face.jpg', '--json'], setup=[cp('face.jpg')], expect='fallback',
        names=['missing.jpg'], check=chk_detect(need=['face.jpg']))
    cli('image/batch-nested-noface', ['detect', 'in', '--json'], setup=[cp('face.jpg', 'in/a/face.jpg'), cp('black.png', 'in/b/black.png')],
        expect='ok', check=chk_detect(n_images=2))
    cli('image/detect-empty-folder', ['detect', 'emptydir', '--json'], setup=[('mkdir', 'emptydir')], names=['emptydir'])
    cli('image/detect-folder-no-images', ['detect', 'docs', '--json'], setup=[('write', 'docs/readme.txt', 'x')], names=['docs'])

    # ===== options =====
    base = ['detect', 'face.jpg', '--json']; s_face = [cp('face.jpg')]
    opt_vals = {'--min-score': ['-1', 'nan', '1e9', 'abc', '2', 'inf'], '--batch-size': ['0', '-1', 'abc', '1.5', '99999999999'],
                '--refine': ['-1', '1000', 'abc', '1e3']}
    for opt, vals in opt_vals.items():
        for v in vals:
            cli(f'options/detect{opt}={v}', base + [opt, v], setup=s_face, expect='error', names=[opt], check=chk_detect(min_faces=1),
                timeout=120 if opt == '--refine' else None)
    for opt, vals in {'--scale-factor': ['1.0', '0.5', 'nan', '-1', '1e9', 'abc'], '--min-neighbors': ['-1', 'abc', '1e9']}.items():
        for v in vals:
            cli(f'options/detect{opt}={v}', base + ['--detector', 'haar', opt, v], setup=s_face, expect='error', names=[opt],
                check=chk_detect(min_faces=1))
    cli('options/detect--scale-factor-without-haar', base + ['--scale-factor', '1.2'], setup=s_face, names=['--scale-factor', '--detector'])
    cli('options/detect--detector=nope', base + ['--detector', 'nope'], setup=s_face, names=['--detector'])
    for cmd, args, setup in (('detect', base, s_face), ('filter', ['filter', 'face.jpg'], s_face), ('swap', ['swap', 'two.jpg'], [cp('two.jpg')]),
                             ('video', ['video', 'clip.mp4'], [cp('clip.mp4')]), ('evaluate', ['evaluate', '--data', 'mini', '--limit', '2'], [('mini', 'mini')]),
                             ('train', ['train', '--data', 'mini', '--limit', '8', '--epochs', '1'], [('mini', 'mini')])):
        cli(f'options/{cmd}--device=cuda-no-gpu', args + ['--device', 'cuda'], setup=setup, names=['cuda', '--device'])
    for cmd, args, setup in (('evaluate', ['evaluate', '--data', 'mini', '--limit', '2'], [('mini', 'mini')]),
                             ('train', ['train', '--data', 'mini', '--limit', '8', '--epochs', '1'], [('mini', 'mini')])):
        cli(f'options/{cmd}--device=tpu', args + ['--device', 'tpu'], setup=setup, names=['tpu', '--device'])
        if cmd == 'evaluate': cli(f'options/{cmd}--device=cuda:7', args + ['--device', 'cuda:7'], setup=setup, names=['cuda', '--device'])
    # data show
    for opt, vals in {'--n': ['0', '-1', 'abc'], '--size': ['0', '7', 'abc']}.items():
        for v in vals:
            cli(f'options/data-show{opt}={v}', ['data', 'show', '--data', 'mini', '--quick', opt, v, '--out', 'out/b.png'], setup=[('mini', 'mini')],
                names=[opt], check=chk_none, timeout=120)
    # train: every numeric option
    tbase = ['train', '--data', 'mini', '--limit', '8', '--epochs', '1', '--freeze-epochs', '0', '--bs', '4', '--out', 'models/m.pth',
             '--run-dir', 'runs/r', '--pretrained', 'false']
    train_ok = chk_stdout(r'best validation NME \d', bad=r'NME nan')
    cli('options/train-control', tbase, setup=[('mini', 'mini')], expect='ok', check=train_ok, timeout=300)
    train_bad = {'--size': ['0', '-5'], '--bs': ['0'], '--epochs': ['-1'], '--lr': ['nan', '-1'], '--valid': ['abc', '1.5', '0'],
                 '--max-zoom': ['-2'], '--max-rotate': ['nan'], '--head-dropout': ['1.5'], '--average': ['-1'], '--limit': ['0'], '--seed': ['abc'],
                 '--pretrained': ['nope.pt'], '--arch': ['nope']}
    for opt, vals in train_bad.items():
        for v in vals:
            argv = [a for a in tbase]
            if opt in argv: i = argv.index(opt); argv[i + 1] = v
            else: argv += [opt, v]
            cli(f'options/train{opt}={v}', argv, setup=[('mini', 'mini')], names=[opt] + ([v] if not v[0].isdigit() and v[0] != '-' else []), check=train_ok if v in ('0',) and opt == '--epochs' else chk_none,
                timeout=300)
    cli('options/train--run-dir-is-file', tbase[:-4] + ['--run-dir', 'afile', '--pretrained', 'false'], setup=[('mini', 'mini'), ('write', 'afile', 'x')],
        names=['afile', '--run-dir'], timeout=300, allowed=['models', 'models/*'])
    cli('options/train--out-is-dir', [a if a != 'models/m.pth' else 'adir' for a in tbase], setup=[('mini', 'mini'), ('mkdir', 'adir')],
        names=['adir', '--out'], timeout=300)
    # evaluate
    ebase = ['evaluate', '--data', 'mini']
    for v in ('0', '-1', 'abc'):
        cli(f'options/evaluate--limit={v}', ebase + ['--limit', v], setup=[('mini', 'mini')], names=['--limit'], check=chk_none)
    cli('options/evaluate--split=nope', ebase + ['--split', 'nope'], setup=[('mini', 'mini')], names=['--split'])
    cli('options/evaluate--out-is-file', ebase + ['--limit', '2', '--out', 'afile'], setup=[('mini', 'mini'), ('write', 'afile', 'x')], names=['afile', '--out'])
    cli('options/evaluate--data-missing', ['evaluate', '--data', 'nowhere'], names=['nowhere'])
    # train-face-detector
    fbase = ['train-face-detector', '--data', 'mini', '--limit', '8', '--epochs', '1', '--n-per-epoch', '32', '--bs', '8', '--out', 'models/d.pth', '--run-dir', 'runs/d']
    for opt, vals in {'--epochs': ['0', '-1'], '--n-per-epoch': ['0'], '--bs': ['0'], '--lr': ['nan'], '--limit': ['0'], '--seed': ['abc']}.items():
        for v in vals:
            argv = list(fbase)
            if opt in argv: argv[argv.index(opt) + 1] = v
            else: argv += [opt, v]
            cli(f'options/train-face-detector{opt}={v}', argv, setup=[('mini', 'mini')], names=[opt], check=chk_none, timeout=300)
    # video numeric
    for v in ('0', '-1', 'abc'):
        cli(f'options/video--max-frames={v}', ['video', 'clip.mp4', '--max-frames', v, '--out', 'out/v.mp4'], setup=[cp('clip.mp4')],
            names=['--max-frames'], check=chk_none)
    # outputs
    cli('options/filter--out-equals-input', ['filter', 'face.jpg', '--out', 'face.jpg'], setup=s_face, expect='error', names=['face.jpg', '--out'],
        check=chk_none)
    cli('options/swap--out-equals-input', ['swap', 'two.jpg', '--out', 'two.jpg'], setup=[cp('two.jpg')], names=['two.jpg', '--out'], check=chk_none)
    cli('options/detect--out-equals-input', base + ['--out', 'face.jpg'], setup=s_face, names=['face.jpg', '--out'])
    cli('options/detect--out-equals-input-folder', ['detect', 'in', '--json', '--out', 'in'], setup=[cp('face.jpg', 'in/face.jpg')],
        expect='either', names=['in', '--out'], check=chk_detect(n_images=1), allowed=['in/face_keypoints.jpg', 'in/.tmp-*'])
    cli('options/detect--out-is-file', base + ['--out', 'afile.txt'], setup=s_face + [('write', 'afile.txt', 'x')], names=['afile.txt', '--out'])
    cli('options/detect--out-unwritable-proc', base + ['--out', '/proc/facekp-probe'], setup=s_face, names=['/proc/facekp-probe', '--out'])
    cli('options/detect--out-under-file', base + ['--out', 'afile.txt/sub'], setup=s_face + [('write', 'afile.txt', 'x')], names=['afile.txt', '--out'])
    cli('options/filter--out-unwritable', ['filter', 'face.jpg', '--out', '/proc/facekp-probe/f.png'], setup=s_face, names=['/proc/facekp-probe', '--out'])
    cli('options/filter--out-is-dir', ['filter', 'face.jpg', '--out', 'adir'], setup=s_face + [('mkdir', 'adir')], names=['adir', '--out'])
    cli('options/filter--out-bad-ext', ['filter', 'face.jpg', '--out', 'out/f.xyz'], setup=s_face, expect='either', names=['f.xyz', '--out'],
        check=chk_file('out/f.xyz'))
    cli('options/swap--out-is-dir', ['swap', 'two.jpg', '--out', 'adir'], setup=[cp('two.jpg'), ('mkdir', 'adir')], names=['adir', '--out'])
    cli('options/detect-two-same-names', ['detect', 'a/face.jpg', 'b/face.jpg', '--json', '--out', 'out'],
        setup=[cp('face.jpg', 'a/face.jpg'), cp('two.jpg', 'b/face.jpg')], expect='ok', check=chk_detect(n_images=2, distinct_outputs=True))
    cli('options/detect-two-same-stems', ['detect', 'face.jpg', 'face.png', '--json', '--out', 'out'],
        setup=[cp('face.jpg'), cp('two.jpg', 'face.png')], expect='ok', check=chk_detect(n_images=2, distinct_outputs=True))
    cli('options/detect-same-file-twice', ['detect', 'face.jpg', 'face.jpg', '--json'], setup=s_face, expect='either', check=chk_detect())
    cli('options/export-onnx--out-unwritable', ['export-onnx', '--out', '/proc/facekp-probe/m.onnx'], names=['/proc/facekp-probe', '--out'])
    cli('options/export-onnx--out-is-dir', ['export-onnx', '--out', 'adir'], setup=[('mkdir', 'adir')], names=['adir', '--out'])
    cli('options/export-onnx--out-overwrites-model', ['export-onnx', '--model', 'm_real.pth', '--out', 'm_real.pth'], setup=[cp('m_real.pth')],
        names=['m_real.pth', '--out'], check=chk_none)
    cli('options/data-show--out-is-dir', ['data', 'show', '--data', 'mini', '--quick', '--out', 'adir'], setup=[('mini', 'mini'), ('mkdir', 'adir')],
        names=['adir', '--out'], timeout=120)
    cli('options/unknown-command', ['frobnicate'], names=['frobnicate'])
    cli('options/unknown-option', ['detect', '--frobnicate'], names=['--frobnicate'])
    cli('options/data-unknown-action', ['data', 'frob'], names=['frob'])
    cli('options/data-info-missing', ['data', 'info', '--data', 'nowhere'], names=['nowhere'])
    cli('options/data-info-is-file', ['data', 'info', '--data', 'afile'], setup=[('write', 'afile', 'x')], names=['afile'])
    cli('options/env-FACEKP_MODEL-missing', base, setup=s_face, names=['nope.pth'], note='FACEKP_MODEL=nope.pth')
    cli('options/env-FACEKP_DATA-file', ['data', 'info'], setup=[('write', 'afile', 'x')], names=['afile', 'FACEKP_DATA'], note='FACEKP_DATA=afile')

    # ===== video =====
    vbase = lambda inp, out='out/v.mp4', extra=(): ['video', inp, '--out', out] + list(extra)
    cli('video/control', vbase('clip.mp4'), setup=[cp('clip.mp4')], expect='ok', check=chk_stdout(r'12 frames'))
    for cid, f in (('text-as-mp4', 'text.mp4'), ('zero-byte', 'zero.mp4'), ('jpg-as-video', 'face.jpg'), ('truncated', 'clip_trunc.mp4')):
        cli(f'video/{cid}', vbase(f), setup=[cp(f)], expect='either' if cid in ('jpg-as-video', 'truncated') else 'error', names=[f],
            check=chk_stdout(r'wrote .* [1-9]\d* frames') if cid in ('jpg-as-video', 'truncated') else chk_none)
    cli('video/missing', vbase('nope.mp4'), names=['nope.mp4'], check=chk_none)
    cli('video/dir', vbase('adir'), setup=[('mkdir', 'adir')], names=['adir'], check=chk_none)
    cli('video/fifo', vbase('pipe.mp4'), setup=[('fifo', 'pipe.mp4')], names=['pipe.mp4'], check=chk_none)
    cli('video/webcam-99', vbase('99'), names=['99', 'webcam', 'camera'], check=chk_none)
    cli('video/out-unwritable', vbase('clip.mp4', '/proc/facekp-probe/v.mp4'), setup=[cp('clip.mp4')], names=['/proc/facekp-probe', '--out'], check=chk_none)
    cli('video/out-txt-ext', vbase('clip.mp4', 'out/v.txt'), setup=[cp('clip.mp4')], expect='either', names=['v.txt', '--out'],
        check=chk_file('out/v.txt'))
    cli('video/out-equals-input', vbase('clip.mp4', 'clip.mp4'), setup=[cp('clip.mp4')], names=['clip.mp4', '--out'], check=chk_none)
    cli('video/out-is-dir', vbase('clip.mp4', 'adir'), setup=[cp('clip.mp4'), ('mkdir', 'adir')], names=['adir', '--out'], check=chk_none)
    cli('video/overlay-missing', vbase('clip.mp4', extra=['--overlay', 'nope.png']), setup=[cp('clip.mp4')], names=['nope.png', '--overlay'], check=chk_none)
    cli('video/no-face', vbase('black.mp4'), setup=[('blackvideo', 'black.mp4')], expect='either', check=chk_stdout(r'0 face track'))

    # ===== model files =====
    models = {'zero': 'm_zero.pth', 'random': 'm_random.pth', 'text': 'm_text.pth', 'pickle-evil-raw': 'm_evil_raw.pth',
              'pickle-evil-torch': 'm_evil_torch.pth', 'list': 'm_list.pth', 'dict-no-keys': 'm_nokeys.pth', 'size-neg': 'm_size_neg.pth',
              'size-zero': 'm_size_zero.pth', 'size-huge': 'm_size_huge.pth', 'n_points-5': 'm_npoints5.pth', 'arch-nope': 'm_arch_nope.pth',
              'n_in-7': 'm_nin7.pth', 'margin-nan': 'm_margin_nan.pth', 'crop-nope': 'm_crop_nope.pth', 'head-nope': 'm_head_nope.pth',
              'no-size': 'm_no_size.pth', 'empty-state-dict': 'm_empty_sd.pth', 'nan-weights': 'm_nan_weights.pth', 'config-str': 'm_config_str.pth',
              'truncated': 'm_trunc.pth', 'corrupt-bytes': 'm_corrupt.pth', 'random-onnx': 'm_random.onnx', 'zero-onnx': 'm_zero.onnx',
              'pth-named-onnx': 'm_pth_as.onnx', 'face-detector-pth': 'm_detector.pth', 'face-detector-onnx': 'm_detector.onnx'}
    for cid, m in models.items():
        if m not in fx_names: continue
        cli(f'model/detect-{cid}', ['detect', 'face.jpg', '--json', '--model', m], setup=[cp('face.jpg'), cp(m)], names=[m],
            check=chk_none, timeout=120 if 'huge' in cid else None)
    for cid in ('random', 'pickle-evil-torch', 'size-neg', 'n_points-5', 'arch-nope', 'nan-weights', 'truncated', 'random-onnx'):
        m = models[cid]
        cli(f'model/evaluate-{cid}', ['evaluate', '--data', 'mini', '--limit', '2', '--model', m], setup=[('mini', 'mini'), cp(m)], names=[m], check=chk_none)
        cli(f'model/export-onnx-{cid}', ['export-onnx', '--model', m, '--out', 'out/m.onnx'], setup=[cp(m)], names=[m], check=chk_none)
    for cid in ('random', 'size-neg', 'nan-weights'):
        m = models[cid]
        cli(f'model/filter-{cid}', ['filter', 'face.jpg', '--model', m, '--out', 'out/f.png'], setup=[cp('face.jpg'), cp(m)], names=[m], check=chk_none)
    cli('model/missing', ['detect', 'face.jpg', '--json', '--model', 'nope.pth'], setup=[cp('face.jpg')], names=['nope.pth'])
    cli('model/is-dir', ['detect', 'face.jpg', '--json', '--model', 'mdir.pth'], setup=[cp('face.jpg'), ('mkdir', 'mdir.pth')], names=['mdir.pth'])
    cli('model/fifo', ['detect', 'face.jpg', '--json', '--model', 'mf.pth'], setup=[cp('face.jpg'), ('fifo', 'mf.pth')], names=['mf.pth'])
    cli('model/empty-string', ['detect', 'face.jpg', '--json', '--model', ''], setup=[cp('face.jpg')], names=['--model', 'model'])
    cli('model/stale-onnx-twin-other-model', ['detect', 'face.jpg', '--json', '--model', 'm.pth'],
        setup=[cp('face.jpg'), cp('m_nan_weights.pth', 'm.pth'), cp('m_real.onnx', 'm.onnx')], names=['m.pth', 'm.onnx'], check=chk_none,
        note='m.pth has NaN weights, m.onnx is the shipped model: the twin must not be used')
    cli('model/stale-onnx-twin-detector', ['detect', 'face.jpg', '--json', '--model', 'm.pth'],
        setup=[cp('face.jpg'), cp('m_real.pth', 'm.pth'), cp('m_detector.onnx', 'm.onnx')], expect='ok', check=chk_detect(min_faces=1))
    cli('model/broken-onnx-twin', ['detect', 'face.jpg', '--json', '--model', 'm.pth'],
        setup=[cp('face.jpg'), cp('m_real.pth', 'm.pth'), cp('m_random.onnx', 'm.onnx')], expect='ok', check=chk_detect(min_faces=1))
    cli('model/good-pth-control', ['detect', 'face.jpg', '--json', '--model', 'm_real.pth'], setup=[cp('face.jpg'), cp('m_real.pth')],
        expect='ok', check=chk_detect(min_faces=1))

    # ===== CSVs: data info / evaluate / train =====
    TR, TE = 'training_frames_keypoints.csv', 'test_frames_keypoints.csv'
    def lines_(t): return t.splitlines()
    def mod_row(t, fn, row=1):
        L = lines_(t); L[row] = fn(L[row]); return '\n'.join(L) + '\n'
    def set_cell(v, col=5, row=1): return lambda t: mod_row(t, lambda l: ','.join(c if i != col else v for i, c in enumerate(l.split(','))), row)
    def degenerate(t):
        L = lines_(t); c = L[1].split(','); L[1] = ','.join([c[0]] + ['50.0'] * (len(c) - 1)); return '\n'.join(L) + '\n'
    def all_zero(t):
        L = lines_(t); c = L[1].split(','); L[1] = ','.join([c[0]] + ['0'] * (len(c) - 1)); return '\n'.join(L) + '\n'
    def scale(f):
        def g(t):
            L = lines_(t); c = L[1].split(','); L[1] = ','.join([c[0]] + [str(float(x) * f) for x in c[1:]]); return '\n'.join(L) + '\n'
        return g
    csv_variants = {
        'no-header': lambda t: '\n'.join(lines_(t)[1:]) + '\n', 'header-only': lambda t: lines_(t)[0] + '\n',
        'row-short': lambda t: mod_row(t, lambda l: l.rsplit(',', 1)[0]), 'row-long': lambda t: mod_row(t, lambda l: l + ',1.0'),
        'header-short': lambda t: mod_row(t, lambda l: l.rsplit(',', 1)[0], 0),
        'extra-column-all': lambda t: '\n'.join(l + ',0' for l in lines_(t)) + '\n', 'non-numeric': set_cell('abc'), 'empty-cell': set_cell(''),
        'inf': set_cell('inf'), 'neg-inf': set_cell('-inf'), 'nan': set_cell('NaN'), 'huge-1e308': set_cell('1e308'), 'huge-1e400': set_cell('1e400'),
        'negative-coords': scale(-1.0), 'outside-image': scale(1000.0), 'degenerate-face': degenerate, 'all-zero-face': all_zero,
        'duplicate-rows': lambda t: t + '\n'.join(lines_(t)[1:]) + '\n', 'duplicate-header': lambda t: lines_(t)[0] + '\n' + t,
        'bom-utf8': lambda t: b'\xef\xbb\xbf' + t.encode(), 'utf16': lambda t: t.encode('utf-16'),
        'latin1-name': lambda t: t.replace(lines_(t)[1].split(',')[0], 'Jos\xe9.jpg', 1).encode('latin-1'),
        'empty-file': lambda t: '', 'only-newline': lambda t: '\n', 'crlf': lambda t: t.replace('\n', '\r\n'),
        'semicolons': lambda t: t.replace(',', ';'), 'tabs': lambda t: t.replace(',', '\t'),
        'quoted-numbers': lambda t: '\n'.join([lines_(t)[0]] + [','.join(f'"{c}"' for c in l.split(',')) for l in lines_(t)[1:]]) + '\n',
        'trailing-blank-lines': lambda t: t + '\n\n\n', 'binary-garbage': lambda t: bytes(range(256)) * 50,
        'missing-image': lambda t: t.replace(lines_(t)[1].split(',')[0], 'no_such_image.jpg', 1),
        'image-path-traversal': lambda t: t.replace(lines_(t)[1].split(',')[0], '../../../../etc/hostname', 1),
        'image-abs-path': lambda t: t.replace(lines_(t)[1].split(',')[0], '/etc/hostname', 1),
        'image-name-empty': lambda t: t.replace(lines_(t)[1].split(',')[0], '', 1),
        'one-row': lambda t: '\n'.join(lines_(t)[:2]) + '\n',
        'huge-line': lambda t: mod_row(t, lambda l: l + ',' + ','.join(['1.0'] * 200000)),
    }
    # documented: UTF-16 with its BOM is read; negative coordinates are a face partly out of the frame (the real data has them)
    expect_ok = {'crlf', 'trailing-blank-lines', 'one-row', 'quoted-numbers', 'bom-utf8', 'duplicate-rows', 'utf16', 'negative-coords'}
    for name, fn in csv_variants.items():
        for split, csv in (('training', TR),) if name not in ('empty-file', 'no-header', 'inf') else (('training', TR), ('test', TE)):
            sfx = '' if split == 'training' else '-test-csv'
            setup = [('mini', 'mini'), ('csv', 'mini', csv, fn)]
            cli(f'csv/info-{name}{sfx}', ['data', 'info', '--data', 'mini'], setup=setup, expect='either' if name in expect_ok else 'error',
                names=[csv], check=chk_stdout(r'training\s+\d+ images') if name in expect_ok else chk_none)
    for name in ('inf', 'nan', 'huge-1e308', 'negative-coords', 'outside-image', 'degenerate-face', 'all-zero-face', 'duplicate-rows',
                 'missing-image', 'image-path-traversal', 'latin1-name', 'utf16', 'crlf'):
        setup = [('mini', 'mini'), ('csv', 'mini', TE, csv_variants[name])]
        cli(f'csv/evaluate-{name}', ['evaluate', '--data', 'mini', '--json'], setup=setup, expect='either' if name in expect_ok else 'error',
            names=[TE], check=chk_stdout(r'"nme_io": \d', bad=r'nan|inf') if name in expect_ok else chk_none, timeout=180)
    for name in ('inf', 'degenerate-face', 'one-row', 'missing-image'):
        setup = [('mini', 'mini'), ('csv', 'mini', TR, csv_variants[name])]
        cli(f'csv/train-{name}', tbase, setup=setup, expect='either' if name in expect_ok else 'error', names=[TR],
            check=train_ok if name in expect_ok else chk_none, timeout=300)
    for name, ops in (('csv-is-dir', [('rm', f'mini/{TR}'), ('mkdir', f'mini/{TR}')]), ('csv-fifo', [('rm', f'mini/{TE}'), ('fifo', f'mini/{TE}')]),
                      ('test-csv-missing', [('rm', f'mini/{TE}')]), ('images-dir-missing', [('rm', 'mini/training')]),
                      ('image-corrupt', [('corrupt-first-image', 'mini/training')]), ('csv-link-loop', [('rm', f'mini/{TR}'), ('link', TR, f'mini/{TR}')])):
        cli(f'csv/info-{name}', ['data', 'info', '--data', 'mini'], setup=[('mini', 'mini')] + ops, names=[TR, TE, 'training', 'mini'],
            # documented: `data info` reads the CSVs, not every image (train and evaluate decode them and name a bad one)
            **(dict(expect='either', check=chk_stdout(r'training\s+\d+ images')) if name == 'image-corrupt' else dict(check=chk_none)))
    for name, ops in (('image-corrupt', [('corrupt-first-image', 'mini/test')]), ('image-zero-byte', [('zero-first-image', 'mini/test')])):
        cli(f'csv/evaluate-{name}', ['evaluate', '--data', 'mini', '--json'], setup=[('mini', 'mini')] + ops, names=['.jpg', TE], check=chk_none, timeout=180)

    # ===== Python API =====
    def api(cid, make, expect, note=''):
        C.append(Case('api/' + cid, kind='api', code=make, expect=expect, note=note))
    arrays = {
        'float01': ('face.astype(np.float32) / 255', 'same'), 'float0-255': ('face.astype(np.float32)', 'same'),
        'float64-0-255': ('face.astype(np.float64)', 'same'), 'float-max300': ('face.astype(np.float32) * 300 / 255', 'same-or-error'),
        'float-neg-1-1': ('face.astype(np.float32) / 127.5 - 1', 'same-or-error'), 'float-imagenet-norm': ('(face / 255 - 0.45) / 0.225', 'same-or-error'),
        'float-nan': ('np.where(np.arange(face.size).reshape(face.shape) == 7, np.nan, face / 255.)', 'error'),
        'float-inf': ('np.where(np.arange(face.size).reshape(face.shape) == 7, np.inf, face / 255.)', 'error'),
        'float16': ('face.astype(np.float16) / 255', 'same'), 'float-all-zero': ('np.zeros(face.shape, np.float32)', 'none'),
        'float-huge-values': ('face.astype(np.float64) * 1e300', 'same-or-error'),
        'int32': ('face.astype(np.int32)', 'same'), 'int64': ('face.astype(np.int64)', 'same'), 'int16-neg': ('face.astype(np.int16) - 300', 'same-or-error'),
        'int8-signed': ('(face.astype(np.int16) - 128).astype(np.int8)', 'same-or-error'), 'uint16-full': ('face.astype(np.uint16) * 257', 'same'),
        'uint16-small': ('face.astype(np.uint16)', 'same-or-error'), 'uint32': ('face.astype(np.uint32)', 'same'),
        'bool': ('face > 128', 'none-or-error'), 'rgba': ('np.dstack([face, np.full(face.shape[:2], 255, np.uint8)])', 'same'),
        'rgba-alpha0': ('np.dstack([face, np.zeros(face.shape[:2], np.uint8)])', 'same-or-error'),
        'gray-hw1': ('face.mean(-1, keepdims=True).astype(np.uint8)', 'same'), 'gray-hw': ('face.mean(-1).astype(np.uint8)', 'same'),
        'two-channel': ('face[..., :2]', 'error'), 'five-channel': ('np.dstack([face, face[..., :2]])', 'error'),
        'chw': ('np.ascontiguousarray(face.transpose(2, 0, 1))', 'same-or-error'), 'empty-000': ('np.zeros((0, 0, 3), np.uint8)', 'error'),
        'empty-0x10': ('np.zeros((0, 10, 3), np.uint8)', 'error'), 'zero-d': ('np.array(5, np.uint8)', 'error'), 'one-d': ('face.ravel()', 'error'),
        'four-d-batch': ('face[None]', 'same-or-error'), 'five-d': ('face[None, None]', 'error'),
        'noncontig-step2': ('np.repeat(np.repeat(face, 2, 0), 2, 1)[::2, ::2]', 'same'), 'neg-strides': ('face[::-1, ::-1]', 'same-any'),
        'fortran-order': ('np.asfortranarray(face)', 'same'), 'readonly': ('(lambda a: (a.setflags(write=False), a)[1])(face.copy())', 'same'),
        'transposed-hw': ('face.transpose(1, 0, 2)', 'same-any'), 'object-dtype': ('face.astype(object)', 'same-or-error'),
        'complex': ('face.astype(np.complex64)', 'error'), 'str-dtype': ('face.astype(str)', 'error'),
        'structured': ('np.zeros(face.shape[:2], dtype=[("r", "u1"), ("g", "u1"), ("b", "u1")])', 'error'),
        'tiny-1x1': ('face[:1, :1]', 'none'), 'tiny-2x2x3': ('face[:2, :2]', 'none'), 'huge-12000-black': ('np.zeros((12000, 12000, 3), np.uint8)', 'none-or-error'),
        'wide-1x50000': ('np.zeros((1, 50000, 3), np.uint8)', 'none'),
        'list-nested': ('face.tolist()', 'same-or-error'), 'none': ('None', 'error'), 'int': ('5', 'error'),
        'bytes-jpeg': ('open(FX + "/face.jpg", "rb").read()', 'same-or-error'), 'bytesio': ('io.BytesIO(open(FX + "/face.jpg", "rb").read())', 'same-or-error'),
        'str-missing': ('"no_such_file.jpg"', 'error'), 'str-dir': ('FX', 'error'), 'str-text-file': ('FX + "/text.jpg"', 'error'),
        'str-empty': ('""', 'error'), 'path-good': ('pathlib.Path(FX) / "face.jpg"', 'same'),
        'torch-chw-float': ('torch.from_numpy(face).permute(2, 0, 1).float() / 255', 'same-or-error'),
        'torch-hwc-uint8': ('torch.from_numpy(face)', 'same-or-error'), 'memmap': ('(lambda m: (m.__setitem__(Ellipsis, face), m)[1])(np.memmap(FX + "/../mm.bin", np.uint8, "w+", shape=face.shape))', 'same'),
        'masked-array': ('np.ma.masked_array(face, mask=face < 10)', 'same-or-error'),
        'matrix-2d': ('np.asmatrix(face.mean(-1).astype(np.uint8))', 'same-or-error'),
    }
    for cid, (expr, ex) in arrays.items(): api(f'array-{cid}', f'x = {expr}', ex)
    modes = ['1', 'L', 'P', 'RGB', 'RGBA', 'CMYK', 'YCbCr', 'LAB', 'HSV', 'I', 'I;16', 'F', 'LA', 'PA', 'RGBa', 'La', 'RGBX', 'I;16B']
    for m in modes:
        ex = 'same-or-error' if m in ('1', 'LAB', 'HSV', 'PA') else 'same'
        api(f'pil-{m}', f'x = pil_mode({m!r})', ex)
    api('pil-lazy-truncated', 'x = Image.open(FX + "/trunc_half.png")', 'error')
    api('pil-closed', 'x = Image.open(FX + "/face.png"); x.close()', 'error')
    api('pil-zero-size', 'x = Image.new("RGB", (0, 0))', 'error')
    api('pil-animated-gif', 'x = Image.open(FX + "/anim.gif")', 'same')
    for cid, code, ex in (('color-bgr', 'x = face[..., ::-1].copy(); KW = dict(color="bgr")', 'same'),
                          ('color-bogus', 'x = face; KW = dict(color="xyz")', 'error'),
                          ('batch-empty-list', 'x = []; BATCH = True', 'empty'), ('batch-with-none', 'x = [face, None]; BATCH = True', 'error'),
                          ('batch-with-bad-array', 'x = [face, np.zeros((0, 0, 3), np.uint8)]; BATCH = True', 'error'),
                          ('batch-generator', 'x = (f for f in [face, face]); BATCH = True', 'same-or-error'),
                          ('ctor-model-missing', 'CTOR = dict(model="nope.pth"); x = face', 'error'),
                          ('ctor-device-cuda', 'CTOR = dict(device="cuda"); x = face', 'error'),
                          ('ctor-device-bogus', 'CTOR = dict(device="tpu"); x = face', 'error'),
                          ('ctor-refine-neg', 'CTOR = dict(refine=-1); x = face', 'same-or-error'),
                          ('ctor-min-score-nan', 'CTOR = dict(min_score=float("nan")); x = face', 'same-or-error'),
                          ('ctor-min-score-2', 'CTOR = dict(min_score=2.0); x = face', 'error-or-none'),
                          ('ctor-face-detector-bogus', 'CTOR = dict(face_detector="nope"); x = face', 'error'),
                          ('ctor-backend-bogus', 'CTOR = dict(backend="tensorflow"); x = face', 'error'),
                          ('ctor-workers-zero', 'CTOR = dict(workers=0); x = face', 'same-or-error'),
                          ('ctor-workers-neg', 'CTOR = dict(workers=-3); x = face', 'same-or-error'),
                          ('ctor-haar-kwargs-cnn', 'CTOR = dict(face_detector_kwargs=dict(scale_factor=1.1)); x = face', 'error'),
                          ('ctor-haar-scale-1', 'CTOR = dict(face_detector="haar", face_detector_kwargs=dict(scale_factor=1.0)); x = face', 'error'),
                          ('ctor-model-tuple-bad', 'CTOR = dict(model=(1, 2)); x = face', 'error'),
                          ('ctor-model-int', 'CTOR = dict(model=5); x = face', 'error')):
        api(cid, code, ex)
    return C

# ---------------------------------------------------------------------------------------------------------------------
# running

API_PRELUDE = r'''
import io, json, os, pathlib, sys, math, traceback
import numpy as np, torch
from PIL import Image
from facekp.inference import KeypointDetector, as_rgb_array
FX = sys.argv[1]
'''

API_CASE = r'''
def _run(code, FX):
    face = np.asarray(Image.open(FX + '/face.jpg').convert('RGB'))
    def pil_mode(m):
        im = Image.fromarray(face)
        if m in ('I', 'F'): return im.convert('L').convert(m)
        if m in ('I;16', 'I;16B'):   # 16-bit values (PIL's convert to I;16B would clip them at 255)
            a16 = np.asarray(im.convert('L')).astype(np.uint16) * 257
            return Image.fromarray(a16) if m == 'I;16' else Image.frombytes('I;16B', im.size, a16.astype('>u2').tobytes())
        if m == 'PA': return im.convert('P').convert('PA')
        return im.convert(m)
    g = dict(np=np, face=face, FX=FX, Image=Image, torch=torch, io=io, pathlib=pathlib, pil_mode=pil_mode, KW={}, CTOR={}, BATCH=False)
    exec(code, g)
    x, KW, CTOR, BATCH = g['x'], g['KW'], g['CTOR'], g['BATCH']
    ref = KeypointDetector()(face)
    try:
        det = KeypointDetector(**CTOR)
        out = det.batch(x, **KW) if BATCH else det(x, **KW)
    except (ValueError, TypeError) as e:       # the API's documented errors (DataError and ModelError are ValueErrors)
        print(f'facekp api: error: {type(e).__name__}: {e}', file=sys.stderr); return 2
    faces = out if not BATCH else (list(out[0]) if len(out) else [])   # a batch: the first image's faces, against one image's
    res = dict(n_faces=len(faces), n_ref=len(ref), batch_len=len(out) if BATCH else None)
    res['finite'] = all(np.isfinite(np.asarray(f['keypoints'])).all() for f in faces)
    if faces and ref:
        a, b = np.asarray(faces[0]['keypoints'], float), np.asarray(ref[0]['keypoints'], float)
        w = b[:, 0].max() - b[:, 0].min()
        res['dist_rel'] = float(np.linalg.norm(a - b, axis=1).mean() / w) if a.shape == b.shape else None
    print(json.dumps(res)); return 0
'''

def api_server_main(fx, jobs_json, results_json, timeout, rss_limit):
    "Run in the facekp python: import once, fork a child per API case."
    spec = json.loads(Path(jobs_json).read_text())
    exec(API_PRELUDE.replace('FX = sys.argv[1]', ''), globals())
    exec(API_CASE, globals())
    results = {}
    for job in spec:
        d = Path(job['tmp'])
        outp, errp = d / '.stdout', d / '.stderr'
        t0 = time.time()
        pid = os.fork()
        if pid == 0:
            try:
                os.chdir(d)
                fo, fe = os.open(outp, os.O_WRONLY | os.O_CREAT, 0o644), os.open(errp, os.O_WRONLY | os.O_CREAT, 0o644)
                os.dup2(fo, 1); os.dup2(fe, 2)
                sys.stdout = os.fdopen(1, 'w', buffering=1); sys.stderr = os.fdopen(2, 'w', buffering=1)
                resource.setrlimit(resource.RLIMIT_AS, (rss_limit, rss_limit))
                rc = _run(job['code'], fx)
            except BaseException:
                traceback.print_exc(); rc = 1
            sys.stdout.flush(); sys.stderr.flush(); os._exit(rc)
        rc, ru, hung = None, None, False
        while True:
            p, status, ru_ = os.wait4(pid, os.WNOHANG)
            if p:
                rc = os.waitstatus_to_exitcode(status); ru = ru_; break
            if time.time() - t0 > timeout:
                os.kill(pid, signal.SIGKILL); _, status, ru = os.wait4(pid, 0); hung = True; break
            time.sleep(0.05)
        results[job['id']] = dict(rc='timeout' if hung else rc, seconds=round(time.time() - t0, 2), maxrss_mb=ru.ru_maxrss / 1024 if ru else None)
        print(f"api {job['id']} rc={results[job['id']]['rc']}", file=sys.stderr, flush=True)
    Path(results_json).write_text(json.dumps(results))

def snapshot(root: Path) -> dict:
    snap = {}
    for dp, dns, fns in os.walk(root, followlinks=False):
        for n in fns + [d for d in dns if os.path.islink(os.path.join(dp, d))]:
            p = Path(dp) / n; rel = p.relative_to(root).as_posix()
            if rel in ('.stdout', '.stderr', 'PWNED'): continue
            try:
                st = os.lstat(p)
                if stat.S_ISLNK(st.st_mode): snap[rel] = ('link', os.readlink(p)); continue
                if not stat.S_ISREG(st.st_mode): snap[rel] = ('special', stat.S_IFMT(st.st_mode)); continue
                h = hashlib.sha256()
                with open(p, 'rb') as f:
                    for b in iter(lambda: f.read(1 << 20), b''): h.update(b)
                snap[rel] = ('file', st.st_size, h.hexdigest())
            except OSError as e: snap[rel] = ('error', str(e))
        for d in dns:
            if not os.path.islink(os.path.join(dp, d)): snap.setdefault((Path(dp) / d).relative_to(root).as_posix() + '/', ('dir',))
    return snap

def du(root: Path) -> int:
    n = 0
    for dp, dns, fns in os.walk(root):
        for f in fns:
            try: n += os.lstat(os.path.join(dp, f)).st_size
            except OSError: pass
    return n

def run_cli(case, tmp, facekp, timeout, env):
    argv = [a.replace('{facekp}', facekp) for a in case.argv]
    outp, errp = tmp / '.stdout', tmp / '.stderr'
    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (12 * GB, 12 * GB))
        resource.setrlimit(resource.RLIMIT_FSIZE, (int(1.5 * GB), int(1.5 * GB)))
    e = dict(env)
    if case.id == 'options/env-FACEKP_MODEL-missing': e['FACEKP_MODEL'] = 'nope.pth'
    if case.id == 'options/env-FACEKP_DATA-file': e['FACEKP_DATA'] = 'afile'
    t0 = time.time(); peak_disk = 0
    with open(outp, 'wb') as fo, open(errp, 'wb') as fe:
        p = subprocess.Popen(argv, cwd=tmp, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL, env=e, start_new_session=True, preexec_fn=limits)
        hung, last_du = False, 0
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid: rc = os.waitstatus_to_exitcode(status); p.returncode = rc; break
            now = time.time()
            if now - last_du > 2: peak_disk = max(peak_disk, du(tmp)); last_du = now
            if now - t0 > timeout:
                try: os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError: pass
                _, status, ru = os.wait4(p.pid, 0); p.returncode = -9; rc = 'timeout'; hung = True; break
            time.sleep(0.1)
    return dict(rc=rc, seconds=round(time.time() - t0, 2), maxrss_mb=round(ru.ru_maxrss / 1024, 1), peak_disk_mb=round(peak_disk / 2 ** 20, 1),
                argv=argv)

def classify(case, tmp, r, before, after, sentinel_hit):
    out = (tmp / '.stdout').read_text(errors='replace') if (tmp / '.stdout').exists() else ''
    err = (tmp / '.stderr').read_text(errors='replace') if (tmp / '.stderr').exists() else ''
    lines = [l for l in err.splitlines() if l.strip()]
    last = lines[-1].strip() if lines else ''
    rc = r['rc']
    flags = []
    # data destroyed / written outside
    destroyed = []
    for k, v in before.items():
        if k.endswith('/'): continue
        if k not in after: destroyed.append(f'{k} deleted')
        elif after[k] != v: destroyed.append(f'{k} changed')
    allowed = case.allowed or DEFAULT_ALLOWED
    stray = [k for k in after if k not in before and not k.endswith('/') and not any(fnmatch.fnmatch(k, g) or fnmatch.fnmatch(k, g.rstrip('*') + '*') for g in allowed)
             and not k.startswith('.mpl')]
    escaped = [k for k in stray if k.startswith('outside/') or 'evil' in k]
    if (tmp / 'PWNED').exists(): destroyed.append('the pickle ran code (PWNED written)')
    destroyed += sentinel_hit
    litter = [k for k in after if k not in before and (Path(k).name.startswith(('.tmp', '.facekp-download')) or '.tmp' in Path(k).name or k.endswith('.part'))]
    ctx = dict(tmp=tmp, stdout=out, stderr=err, rc=rc)
    detail = ''
    if rc == 'timeout': outcome = 'HANG'
    elif isinstance(rc, int) and rc < 0: outcome = 'CRASH'; detail = f'signal {-rc}'
    elif (r.get('maxrss_mb') or 0) > 2048 or (r.get('peak_disk_mb') or 0) > 1024 or 'MemoryError' in err:
        outcome = 'UNBOUNDED'; detail = f"peak RSS {r.get('maxrss_mb')} MB, disk {r.get('peak_disk_mb')} MB"
    elif destroyed or escaped:
        outcome = 'DATA-DESTROYED'; detail = '; '.join(destroyed + [f'wrote {k} outside the expected output' for k in escaped])[:300]
    elif 'Traceback (most recent call last)' in err: outcome = 'TRACEBACK'
    elif rc == 0:
        if case.kind == 'api': ok, detail = api_check(case, out)
        elif case.expect == 'error': ok, detail = False, 'exit 0 where an error was due'
        elif case.check is not None: ok, detail = case.check(ctx)
        else: ok, detail = True, ''
        outcome = 'ok-handled' if ok else 'SILENT-WRONG'
        if case.expect == 'fallback' and ok:   # rc 0: fine if the 'bad' file was in fact usable and is in the report
            j = _json(ctx) or {}
            bad_in = any(Path(i['path']).name in case.names for i in j.get('images', []))
            if not bad_in:
                outcome = 'ok-fallback' if any(n in err for n in case.names) else 'SILENT-WRONG'
                detail = 'exit 0, the bad file skipped with a message' if outcome == 'ok-fallback' else 'exit 0, the bad file silently dropped'
        if case.kind != 'api' and case.expect == 'error' and case.check not in (None, chk_none):
            ok2, d2 = case.check(ctx)   # accepted an odd value but the result is right: still an error was due
            detail += f' (result check: {d2})'
    elif rc == 2:
        named = case.kind == 'api' or any(n.lower() in err.lower() for n in case.names if n) or not case.names
        if case.kind == 'api':
            exp = case.expect
            named = 'error' in exp or exp in ('same-or-error', 'none-or-error', 'error-or-none')
            outcome = 'ok-clear-error' if named else 'SILENT-WRONG'
            if not named: detail = 'raised where a result was due'
        elif case.expect == 'fallback':
            ok, d = case.check(ctx) if case.check else (True, '')
            outcome = 'ok-fallback' if ok and named else ('SILENT-WRONG' if not ok else 'UNCLEAR'); detail = d
        elif case.expect == 'ok':
            outcome = 'REFUSED-OK-INPUT' if named else 'UNCLEAR'; detail = 'refused a usable input'
            if named and case.category == 'archive':   # facekp refuses a whole archive with an unsafe member: documented
                outcome, detail = 'ok-clear-error', 'unsafe archive refused as a whole (documented)'
        else:
            outcome = 'ok-clear-error' if named else 'UNCLEAR'
            if not named: detail = f'message names none of {case.names}'
            if 'error' not in last.lower(): outcome, detail = 'UNCLEAR', 'last stderr line is not an error message'
    else: outcome = 'BAD-EXIT'
    if stray and outcome.startswith('ok'): flags.append('stray:' + ','.join(stray[:5]))
    if litter: flags.append('litter:' + ','.join(litter[:3]))
    if len([l for l in lines if 'error' in l.lower()]) > 0 and len(lines) > 3 and rc == 2: flags.append(f'stderr {len(lines)} lines')
    return dict(outcome=outcome, detail=detail, last_stderr=last[:300], flags=flags, stdout_head=out[:300])

def api_check(case, out):
    try: res = json.loads(out.strip().splitlines()[-1])
    except Exception: return False, 'no result printed'
    e = case.expect
    if not res.get('finite', True): return False, 'non-finite keypoints'
    if e in ('error',): return False, f"accepted ({res['n_faces']} faces) where an error was due"
    if e in ('none', 'none-or-error', 'error-or-none'):
        return (res['n_faces'] == 0, f"{res['n_faces']} faces on a face-less input" if res['n_faces'] else '0 faces')
    if e == 'empty': return (res['batch_len'] == 0, f"batch of {res['batch_len']}")
    if e == 'same-any': return (True, f"{res['n_faces']} faces")
    if e in ('same', 'same-or-error'):
        if res['n_faces'] != res['n_ref']: return False, f"{res['n_faces']} faces, the uint8 RGB image gives {res['n_ref']}"
        d = res.get('dist_rel')
        if d is not None and d > 0.05: return False, f'keypoints {100 * d:.0f} % of the face width away from the uint8 RGB result'
        return True, f"same as uint8 RGB ({res['n_faces']} faces, {100 * (d or 0):.1f} %)"
    return True, ''

def special_setup(tmp, ops, fx, mini):
    "Ops the generic run_setup lacks."
    for op in ops:
        if op[0] == 'slip':
            with zipfile.ZipFile(fx / 'a_good.zip') as src, zipfile.ZipFile(tmp / op[1], 'w') as z:
                for i in src.infolist(): z.writestr(i, src.read(i))
                z.writestr('data/' + str(tmp / 'outside' / 'evil_slip.txt'), 'zip slip')
        elif op[0] == 'blackvideo': shutil.copy(fx / 'black.mp4', tmp / op[1])
        elif op[0] in ('corrupt-first-image', 'zero-first-image'):
            f = sorted((tmp / op[1]).iterdir())[0]
            f.write_bytes(b'' if op[0] == 'zero-first-image' else f.read_bytes()[:300])
        else: run_setup(tmp, [op], fx, mini)

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--facekp', default='/work/main/.venv/bin/facekp'); p.add_argument('--python', default='/work/main/.venv/bin/python')
    p.add_argument('--jobs', type=int, default=2); p.add_argument('--timeout', type=float, default=60)
    p.add_argument('--only', default=None, help='only case ids containing this'); p.add_argument('--category', default=None)
    p.add_argument('--out', default=str(HERE / 'results' / 'probe')); p.add_argument('--list', action='store_true')
    p.add_argument('--keep', action='store_true', help='keep the case folders'); p.add_argument('--workdir', default=None)
    p.add_argument('--resume', action='store_true', help='skip the cases already in OUT.jsonl (each result is appended there as it ends)')
    p.add_argument('--report-only', action='store_true', help='write OUT.md and OUT.json from OUT.jsonl, run nothing')
    p.add_argument('--_api-server', nargs=5, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a._api_server:
        fx, jobs, res, to, lim = a._api_server; api_server_main(fx, jobs, res, float(to), int(lim)); return
    jobs = max(1, min(2, a.jobs))
    work = Path(a.workdir or tempfile.mkdtemp(prefix='facekp-probe-')); work.mkdir(parents=True, exist_ok=True)
    fx, mini = work / 'fixtures', work / 'fixtures' / 'mini'
    t_start = time.time()
    if not (fx / 'fixtures.ok').exists():
        print(f'probe: making fixtures in {fx}', file=sys.stderr, flush=True)
        fx.mkdir(parents=True, exist_ok=True)
    C = None
    # paths of the shipped models, as the facekp under test sees them
    mp = subprocess.run([a.python, '-c', 'from facekp.model import default_model_path as d; p = d(); print(p); print(p.parent / "face_detector.pth")'],
                        capture_output=True, text=True, cwd='/')
    if mp.returncode: sys.exit(f'probe: {a.python} cannot import facekp: {mp.stderr.strip().splitlines()[-1:]}')
    model_path, det_path = mp.stdout.split()
    if not (fx / 'fixtures.ok').exists():
        make_mini(mini)
        r = subprocess.run([a.python, '-c', FIXTURE_CODE, str(fx), str(IMAGES), model_path, det_path], capture_output=True, text=True)
        if r.returncode: sys.exit(f'probe: fixtures failed:\n{r.stderr[-3000:]}')
        subprocess.run([a.python, '-c', 'import cv2, numpy as np, sys; w = cv2.VideoWriter(sys.argv[1], cv2.VideoWriter_fourcc(*"mp4v"), 10, (160, 120))\n'
                        'for i in range(10): w.write(np.zeros((120, 160, 3), np.uint8))\nw.release()', str(fx / 'black.mp4')], check=True)
        make_archives(fx, mini)
        (fx / 'fixtures.ok').write_text('ok')
        print(f'probe: fixtures in {time.time() - t_start:.0f} s', file=sys.stderr, flush=True)
    fx_names = {f.name for f in fx.iterdir()}
    C = cases(fx_names)
    ids = [c.id for c in C]; assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    if a.category: C = [c for c in C if c.category == a.category]
    if a.only: C = [c for c in C if a.only in c.id]
    if a.list:
        for c in C: print(c.id, c.kind, c.expect, ' '.join(c.argv[1:]) if c.argv else c.code)
        print(len(C), 'cases'); return
    env = dict(os.environ, MPLCONFIGDIR=str(work / 'mplconfig'), PYTHONUNBUFFERED='1', PYTHONDONTWRITEBYTECODE='1', TQDM_DISABLE='1')
    env.pop('FACEKP_MODEL', None); env.pop('FACEKP_DATA', None)
    cases_dir = work / 'cases'; cases_dir.mkdir(exist_ok=True)
    results, lock, done = {}, threading.Lock(), [0]
    jsonl = Path(a.out).with_suffix('.jsonl'); jsonl.parent.mkdir(parents=True, exist_ok=True)
    if a.resume or a.report_only:
        if jsonl.exists():
            for line in jsonl.read_text().splitlines():
                try: r = json.loads(line); results[r['id']] = r
                except ValueError: pass
        print(f'probe: {len(results)} results already in {jsonl}', file=sys.stderr)
    else: jsonl.write_text('')
    if a.report_only:
        write_report(a, C, results, work, 0); return
    C_all = C; C = [c for c in C if c.id not in results]
    abs_sentinel = Path('/tmp/facekp_probe_evil_abs.txt')
    if abs_sentinel.exists(): abs_sentinel.unlink()

    def prep(c):
        tmp = cases_dir / re.sub(r'[^A-Za-z0-9._=-]+', '_', c.id); 
        if tmp.exists(): shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        env_c = dict(env, FACEKP_CACHE=str(work / 'cache' / tmp.name))
        special_setup(tmp, c.setup, fx, mini)
        return tmp, env_c

    def progress():
        n = done[0]; w = 30; f = int(w * n / max(1, len(C)))
        el = time.time() - t_run
        print(f'\r[{"#" * f}{"." * (w - f)}] {n}/{len(C)}  {el / 60:.1f} min  '
              + ' '.join(f'{k}:{v}' for k, v in sorted(count_outcomes().items())), end='', file=sys.stderr, flush=True)

    def count_outcomes():
        d = {}
        for r in results.values(): d[r['outcome']] = d.get(r['outcome'], 0) + 1
        return d

    def finish(c, tmp, r, before):
        after = snapshot(tmp)
        hits = []
        if abs_sentinel.exists(): hits.append(f'wrote {abs_sentinel} (absolute archive member)'); abs_sentinel.unlink()
        for evil in (work / 'cases' / 'evil_outer.txt', work / 'evil_outer2.txt', cases_dir / 'evil_dotdot.txt', tmp.parent / 'evil_outer.txt'):
            if evil.exists(): hits.append(f'wrote {evil} outside the case folder'); evil.unlink()
        cl = classify(c, tmp, r, before, after, hits)
        rec = dict(id=c.id, category=c.category, kind=c.kind, expect=c.expect, command=' '.join(shlex_quote(x) for x in r.get('argv', [])) if c.kind == 'cli' else c.code,
                   rc=r['rc'], seconds=r['seconds'], maxrss_mb=r.get('maxrss_mb'), peak_disk_mb=r.get('peak_disk_mb'), note=c.note, **cl)
        with lock:
            results[c.id] = rec; done[0] += 1; progress()
            with open(jsonl, 'a') as f: f.write(json.dumps(rec, default=str) + '\n')
        if not a.keep: shutil.rmtree(tmp, ignore_errors=True)

    def one(c):
        try:
            tmp, env_c = prep(c)
            before = snapshot(tmp)
            for k in list(before):
                if k.endswith('/'): del before[k]
            r = run_cli(c, tmp, a.facekp, c.timeout or a.timeout, env_c)
            finish(c, tmp, r, before)
        except Exception as e:
            import traceback
            with lock:
                results[c.id] = dict(id=c.id, category=c.category, kind=c.kind, outcome='PROBE-ERROR', detail=f'{type(e).__name__}: {e}',
                                     rc=None, last_stderr=traceback.format_exc()[-300:], flags=[], command=' '.join(c.argv or []))
                done[0] += 1

    def api_batch(batch):
        preps = []
        for c in batch:
            tmp, _ = prep(c); preps.append((c, tmp, snapshot(tmp)))
        jobs_json = work / f'api_jobs_{id(batch)}.json'; res_json = work / f'api_res_{id(batch)}.json'
        jobs_json.write_text(json.dumps([dict(id=c.id, tmp=str(tmp), code=c.code) for c, tmp, _ in preps]))
        subprocess.run([a.python, __file__, '--_api-server', str(fx), str(jobs_json), str(res_json), str(a.timeout), str(8 * GB)],
                       env=dict(env, FACEKP_CACHE=str(work / 'cache' / 'api')), stdout=subprocess.DEVNULL, stderr=open(work / 'api_server.log', 'a'))
        rs = json.loads(res_json.read_text()) if res_json.exists() else {}
        for c, tmp, before in preps:
            r = rs.get(c.id, dict(rc='no result', seconds=0, maxrss_mb=None))
            if r['rc'] == 'no result': r['rc'] = -1
            finish(c, tmp, dict(r, argv=[]), before)

    api_cases = [c for c in C if c.kind == 'api']; cli_cases = [c for c in C if c.kind == 'cli']
    print(f'probe: {len(C)} cases ({len(cli_cases)} CLI, {len(api_cases)} API), {jobs} at a time, timeout {a.timeout:.0f} s; facekp {a.facekp}',
          file=sys.stderr, flush=True)
    t_run = time.time()
    with cf.ThreadPoolExecutor(jobs) as ex:
        futs = []
        if api_cases: futs.append(ex.submit(api_batch, api_cases))
        futs += [ex.submit(one, c) for c in cli_cases]
        for f in futs: f.result()
    print(file=sys.stderr)
    write_report(a, C_all, results, work, time.time() - t_run)
    if not a.keep: shutil.rmtree(cases_dir, ignore_errors=True)

def shlex_quote(s):
    import shlex
    return shlex.quote(s)

OK = ('ok-clear-error', 'ok-fallback', 'ok-handled')
ORDER = ['HANG', 'CRASH', 'UNBOUNDED', 'DATA-DESTROYED', 'TRACEBACK', 'SILENT-WRONG', 'REFUSED-OK-INPUT', 'UNCLEAR', 'BAD-EXIT', 'PROBE-ERROR'] + list(OK)

def write_report(a, C, results, work, seconds):
    fk_src = subprocess.run([a.python, '-c', 'import facekp, os; print(os.path.dirname(os.path.dirname(facekp.__file__)))'], capture_output=True, text=True, cwd='/').stdout.strip()
    fk_git = subprocess.run(['git', '-C', fk_src, 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip() if fk_src else ''
    if fk_src and subprocess.run(['git', '-C', fk_src, 'status', '--porcelain', '--untracked-files=no'], capture_output=True, text=True).stdout.strip():
        fk_git += ' + uncommitted changes'
    rs = [results[c.id] for c in C if c.id in results]
    cats = sorted({r['category'] for r in rs}); outs = [o for o in ORDER if any(r['outcome'] == o for r in rs)]
    summary = {cat: {o: sum(1 for r in rs if r['category'] == cat and r['outcome'] == o) for o in outs} for cat in cats}
    bad = [r for r in rs if r['outcome'] not in OK]
    doc = dict(facekp=a.facekp, python=a.python, facekp_source=fk_src, facekp_commit=fk_git, date=time.strftime('%Y-%m-%d %H:%M:%S %Z'),
               seconds=round(seconds), n_cases=len(rs), n_ok=len(rs) - len(bad), summary=summary, cases=rs)
    out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix('.json').write_text(json.dumps(doc, indent=1, default=str))
    L = [f'# facekp bad-input probe', '',
         f'- facekp: `{a.facekp}` (source {fk_src} @ {fk_git}); {doc["date"]}; {len(rs)} cases in {seconds / 60:.1f} min, '
         f'{a.jobs} at a time, timeout {a.timeout:.0f} s (longer for training/bomb cases)',
         f'- **{len(rs) - len(bad)} ok, {len(bad)} not ok**', '',
         '| category | ' + ' | '.join(outs) + ' | total |', '|---|' + '---:|' * (len(outs) + 1)]
    for cat in cats:
        L.append(f'| {cat} | ' + ' | '.join(str(summary[cat][o] or '') for o in outs) + f' | {sum(summary[cat].values())} |')
    L.append('| **all** | ' + ' | '.join(str(sum(summary[c][o] for c in cats)) for o in outs) + f' | {len(rs)} |')
    L += ['', '## Not ok', '', '| id | outcome | exit | detail / last stderr line | command |', '|---|---|---|---|---|']
    esc = lambda s: str(s).replace('|', '\\|').replace('\n', ' ')[:260]
    for r in sorted(bad, key=lambda r: (ORDER.index(r['outcome']) if r['outcome'] in ORDER else 99, r['id'])):
        L.append(f"| `{r['id']}` | {r['outcome']} | {r['rc']} | {esc((r.get('detail') or '') + (' — ' if r.get('detail') and r.get('last_stderr') else '') + (r.get('last_stderr') or ''))} | `{esc(r.get('command', ''))[:160]}` |")
    flagged = [r for r in rs if r['outcome'] in OK and r.get('flags')]
    if flagged:
        L += ['', '## Ok, with notes', ''] + [f"- `{r['id']}` ({r['outcome']}): {'; '.join(r['flags'])}" for r in flagged]
    L += ['', '## What was tried', '',
          'Archives for `data download --archive` (good controls, `..`/absolute/backslash/symlink members, zip slip through the prefix, '
          'duplicate members, missing parts, 20 000 members, 1 GiB and 512 MiB zero bombs, CRC, truncations, not-zips, empty zip, '
          'user folder or file or FIFO as --dest, bad URLs); images for `detect`/`filter`/`swap` (empty, truncated, corrupt, text/HTML/SVG, '
          '30000² 1-bit bomb, 10000² L, 1x1, 5x7, black/noise/gray, every PIL mode incl. 16-bit/I/F/CMYK/P/LA, animated GIF, multi-page TIFF, '
          'EXIF rotation, extreme aspect ratios, FIFO, folder, symlink loop, dangling link, /dev and /proc files, odd names), batches of one bad '
          'and one good file, overlays; options (every numeric option of detect/train/evaluate/train-face-detector/data show/video with negative, '
          'zero, NaN, inf, huge and non-numeric values, unknown choices, --device cuda without a GPU, --out equal to the input, a file, a folder, '
          'unwritable, two inputs with one output name); video inputs and outputs; model files (empty, random, text, code-running pickles, '
          'configs with size -1/0/100000, n_points 5, arch nope, NaN weights, truncated/corrupt, ONNX garbage, stale or broken ONNX twins); '
          'CSVs for `data info`/`evaluate`/`train` (header, column count, non-numbers, inf/NaN/1e308, degenerate faces, duplicates, BOM/UTF-16/'
          'Latin-1, empty, CRLF, separators, missing/traversing image paths, FIFO/folder CSVs); the Python API with arrays of every dtype, '
          'shape, layout and range, PIL images of every mode, and bad constructor arguments.',
          '', 'Run as root here: chmod 000 does not stop reads, so `unreadable-chmod000` tests nothing.']
    out.with_suffix('.md').write_text('\n'.join(L) + '\n')
    print('\n'.join(L[:len(cats) + 8]))

if __name__ == '__main__':
    main()
