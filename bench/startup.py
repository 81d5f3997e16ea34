"""Whole-process cost of one photo: `facekp detect` against dlib and MediaPipe, each a fresh process.

The README's whole-process row comes from this command, run on a quiet machine, then `python .ci/tables.py`:

    python bench/startup.py          # -> bench/results/startup.json and startup.md, 5 interleaved repeats

    python bench/startup.py [--image PHOTO] [--repeats 5] [--facekp PATH] [--dlib-python PATH] [--mp-python PATH] [--trial]

The goal: `facekp detect photo.jpg` as a whole process on the ONNX path (the default on a CPU with onnxruntime and
an ONNX twin of the model) in <= 2.0 s wall and <= 400 MB peak memory on 2 cores.

Each command runs as a fresh process under GNU `/usr/bin/time -v` (peak RSS = "Maximum resident set size"; wall time
measured here around the process), the repeats interleaved (round robin over the tools) so that a busy
neighbour slows all of them alike. Without GNU time, the peak RSS comes from resource.getrusage(RUSAGE_CHILDREN),
read after each child (ru_maxrss is the largest child so far, so it is only exact while it grows; the table says so).

Tools (skip any with --skip NAME):
  facekp-detect   `facekp detect IMAGE --json --no-draw` (or `--out TMPDIR` where --no-draw is not there yet)
  facekp-help     `facekp --help`
  facekp-import   `python -c "import facekp.inference"` (the facekp venv's python)
  dlib            a script: import dlib, the 68-point predictor of face_recognition_models, HOG detector
                  (upsample 1), predict, print the points. Its venv (benchmark only, never a facekp dependency):
                  python3 -m venv /work/venv-dlib && /work/venv-dlib/bin/pip install dlib-bin face-recognition-models numpy "setuptools<81"
  mediapipe       a script: MediaPipe Face Mesh (static image, up to 10 faces; 468 points, not 68), print the points:
                  python3 -m venv /work/venv-mp && /work/venv-mp/bin/pip install mediapipe==0.10.14

Writes bench/results/startup.md (table) and bench/results/startup.json (every run; the median, min and max over the
repeats; the machine, versions, git commit and whether the tree had uncommitted changes, date, command line; `trial`
with --trial or fewer than 3 repeats). Progress goes to stderr.
"""
import argparse, json, os, platform, re, resource, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from provenance import command, machine

DLIB_SCRIPT = r'''
import sys
import dlib, face_recognition_models
img = dlib.load_rgb_image(sys.argv[1])
det = dlib.get_frontal_face_detector()
sp = dlib.shape_predictor(face_recognition_models.pose_predictor_model_location())
faces = []
for r in det(img, 1):
    s = sp(img, r)
    faces.append([[p.x, p.y] for p in s.parts()])
import json; print(json.dumps(dict(faces=len(faces), keypoints=faces)))
'''

MP_SCRIPT = r'''
import sys
import cv2, mediapipe as mp
bgr = cv2.imread(sys.argv[1])
if bgr is None: sys.exit(f'{sys.argv[1]}: cannot read')
h, w = bgr.shape[:2]
with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=10, refine_landmarks=False) as fm:
    r = fm.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
faces = [[[round(p.x * w, 2), round(p.y * h, 2)] for p in f.landmark] for f in (r.multi_face_landmarks or [])]
import json; print(json.dumps(dict(faces=len(faces), keypoints=faces)))
'''

def log(*a): print(*a, file=sys.stderr, flush=True)

def gnu_time():
    "Path of GNU time (with -v), installing it with apt-get if it is missing and we may; else None."
    for cand in ('/usr/bin/time', shutil.which('gtime') or ''):
        if cand and os.path.exists(cand):
            r = subprocess.run([cand, '-v', 'true'], capture_output=True, text=True)
            if 'Maximum resident set size' in r.stderr: return cand
    if shutil.which('apt-get'):
        log('GNU time missing: trying apt-get install -y time')
        sudo = [] if os.geteuid() == 0 else (['sudo', '-n'] if shutil.which('sudo') else None)
        if sudo is not None:
            subprocess.run(sudo + ['apt-get', 'install', '-y', '-q', 'time'], capture_output=True)
            if os.path.exists('/usr/bin/time'): return '/usr/bin/time'
    return None

def run_once(cmd, cwd, timer, timeout):
    "Run `cmd`; (wall seconds, peak RSS MB, exit code, stdout, stderr tail, rss_source)."
    with tempfile.NamedTemporaryFile('r', suffix='.time', delete=False) as tf: tpath = tf.name
    full = [timer, '-v', '-o', tpath] + cmd if timer else cmd
    t = time.perf_counter()
    try:
        r = subprocess.run(full, cwd=cwd, capture_output=True, text=True, timeout=timeout)
        rc, out, err = r.returncode, r.stdout, r.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = 'timeout', (e.stdout or b'').decode(errors='replace') if isinstance(e.stdout, bytes) else (e.stdout or ''), 'timeout'
    wall = time.perf_counter() - t
    rss, src = None, None
    if timer:
        txt = Path(tpath).read_text(errors='replace')
        m = re.search(r'Maximum resident set size \(kbytes\): (\d+)', txt)
        if m: rss, src = int(m.group(1)) / 1024, 'time -v'
        m = re.search(r'Command exited with non-zero status (\d+)', txt)
        if m and rc == 0: rc = int(m.group(1))
    else:
        rss, src = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 'getrusage(RUSAGE_CHILDREN), running max'
    os.unlink(tpath)
    return wall, rss, rc, out, err.strip().splitlines()[-1:] if err.strip() else [], src

def sh(cmd, **kw):
    kw.setdefault('cwd', '/')   # not here: `python -c` would import the facekp of the current folder
    try: return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw).stdout.strip()
    except Exception as e: return f'? ({e})'

def pkg_version(python, name):
    if not python or not os.path.exists(python): return None
    v = sh([python, '-c', f'import importlib.metadata as m; print(m.version("{name}"))'])
    return v or None

def git_info(path):
    if not path: return None
    head = sh(['git', '-C', str(path), 'rev-parse', 'HEAD'])
    if not head and (Path(path) / 'COMMIT').is_file():   # a tree pinned by bench/pin_build.sh
        return dict(path=str(path), commit=(Path(path) / 'COMMIT').read_text().strip() + ' (pinned)', dirty=False, subject='')
    dirty = sh(['git', '-C', str(path), 'status', '--porcelain', '--untracked-files=no'])
    return dict(path=str(path), commit=head, dirty=bool(dirty.strip()) if not dirty.startswith('?') else None,
                subject=sh(['git', '-C', str(path), 'log', '-1', '--format=%s'])[:120])

def default_facekp():
    w = shutil.which('facekp')
    return w or '/work/main/.venv/bin/facekp'

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--image', default='/work/shared/images/obamas.jpg')
    p.add_argument('--repeats', type=int, default=5)
    p.add_argument('--facekp', default=default_facekp(), help='facekp executable (default: on PATH, else /work/main/.venv/bin/facekp)')
    p.add_argument('--python', default=None, help="facekp's python (default: next to --facekp)")
    p.add_argument('--dlib-python', default='/work/venv-dlib/bin/python')
    p.add_argument('--mp-python', default='/work/venv-mp/bin/python')
    p.add_argument('--skip', action='append', default=[], help='tool to leave out (repeatable)')
    p.add_argument('--timeout', type=float, default=300)
    p.add_argument('--out', default=str(HERE / 'results' / 'startup'), help='writes OUT.md and OUT.json')
    p.add_argument('--trial', action='store_true', help='mark the results as a trial run (implied by fewer than 3 repeats)')
    a = p.parse_args()
    image = str(Path(a.image).resolve())
    if not os.path.isfile(image): sys.exit(f'startup.py: --image {a.image}: no such file')
    fk = a.facekp
    py = a.python or str(Path(fk).parent / 'python')
    timer = gnu_time()
    log(f'timer: {timer or "getrusage fallback"}')
    work = Path(tempfile.mkdtemp(prefix='facekp-startup-'))

    help_txt = sh([fk, 'detect', '--help'])
    no_draw = '--no-draw' in help_txt
    detect = [fk, 'detect', image, '--json'] + (['--no-draw'] if no_draw else ['--out', str(work / 'detections')])
    tools = {
        'facekp-detect': (detect, 'facekp detect IMAGE --json ' + ('--no-draw' if no_draw else '--out TMP (no --no-draw yet)')),
        'facekp-help': ([fk, '--help'], 'facekp --help'),
        'facekp-import': ([py, '-c', 'import facekp.inference'], 'python -c "import facekp.inference"'),
    }
    for name, python, script in (('dlib', a.dlib_python, DLIB_SCRIPT), ('mediapipe', a.mp_python, MP_SCRIPT)):
        if not os.path.exists(python): log(f'{name}: {python} missing, skipped'); continue
        sp = work / f'{name}_one.py'; sp.write_text(script)
        tools[name] = ([python, str(sp), image], f'{name} script (fresh process), {"HOG + 68-point ERT" if name == "dlib" else "Face Mesh, 468 points"}')
    tools = {k: v for k, v in tools.items() if k not in a.skip}

    # warm the page cache once (not counted): the first run after an install is dominated by disk reads
    for name, (cmd, _) in tools.items():
        log(f'warm-up: {name}'); run_once(cmd, work, timer, a.timeout)

    runs = {k: [] for k in tools}
    for i in range(a.repeats):
        for name, (cmd, _) in tools.items():
            wall, rss, rc, out, err, src = run_once(cmd, work, timer, a.timeout)
            faces = None
            try:
                j = json.loads(out)
                faces = j['faces'] if 'faces' in j else len(j['images'][0]['faces'])
            except Exception: pass
            runs[name].append(dict(wall_s=round(wall, 3), peak_rss_mb=None if rss is None else round(rss, 1), rc=rc, faces=faces,
                                   stderr_tail=err, rss_source=src))
            log(f'[{i + 1}/{a.repeats}] {name:14s} {wall:6.2f} s  {rss or 0:7.1f} MB  rc={rc} faces={faces}')

    def summ(xs):
        xs = [x for x in xs if x is not None]
        return dict(median=round(statistics.median(xs), 3), min=round(min(xs), 3), max=round(max(xs), 3)) if xs else None
    summary = {k: dict(command=tools[k][1], wall_s=summ([r['wall_s'] for r in v]), peak_rss_mb=summ([r['peak_rss_mb'] for r in v]),
                       exit_codes=sorted({str(r['rc']) for r in v}), faces=sorted({str(r['faces']) for r in v}))
               for k, v in runs.items()}
    fk_src = sh([py, '-c', 'import facekp, os; print(os.path.dirname(os.path.dirname(os.path.abspath(facekp.__file__))))']) if os.path.exists(py) else None
    versions = dict(facekp=pkg_version(py, 'facekp'), python=sh([py, '-c', 'import platform; print(platform.python_version())']),
                    onnxruntime=pkg_version(py, 'onnxruntime'), torch=pkg_version(py, 'torch'), numpy=pkg_version(py, 'numpy'),
                    opencv=pkg_version(py, 'opencv-python-headless') or pkg_version(py, 'opencv-python'),
                    dlib=pkg_version(a.dlib_python, 'dlib-bin') or pkg_version(a.dlib_python, 'dlib'),
                    mediapipe=pkg_version(a.mp_python, 'mediapipe'))
    fk_git = git_info(fk_src)
    res = dict(bench='startup', trial=a.trial or a.repeats < 3, command=command(),
               image=image, repeats=a.repeats, timer=timer or 'getrusage', facekp=fk, facekp_python=py, no_draw_supported=no_draw,
               goal=dict(wall_s=2.0, peak_rss_mb=400), machine=machine(), versions=versions,
               git=fk_git, facekp_git=fk_git, bench_git=git_info(HERE), date=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
               summary=summary, runs=runs)
    out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix('.json').write_text(json.dumps(res, indent=1))
    m = res['machine']; g = res['facekp_git'] or {}
    lines = [f'# Whole-process startup: one photo, fresh process per run', '',
             f'- image: `{image}`; repeats: {a.repeats} (interleaved, after one uncounted warm-up each); timer: `{res["timer"]} -v`',
             f'- machine: {m["cpu"]}, {m["cores"]} cores, {m["mem_gb"]} GB; load average at the end {", ".join(f"{x:.2f}" for x in m["load_avg"])}',
             f'- versions: ' + ', '.join(f'{k} {v}' for k, v in versions.items()),
             f'- facekp code: {g.get("path")} @ {str(g.get("commit")).replace(" (pinned)", "")[:10]}{" (pinned)" if "(pinned)" in str(g.get("commit")) else ""}{" + uncommitted changes" if g.get("dirty") else ""}; {res["date"]}',
             f'- goal: facekp detect <= 2.0 s wall and <= 400 MB peak RSS', '',
             '| tool | command | wall s median | wall s min-max | peak RSS MB median | RSS min-max | exit | faces |',
             '|---|---|---:|---:|---:|---:|---|---|']
    for k, s in summary.items():
        w, r = s['wall_s'], s['peak_rss_mb']
        lines.append(f'| {k} | {s["command"]} | {w["median"]:.2f} | {w["min"]:.2f}-{w["max"]:.2f} | '
                     + (f'{r["median"]:.0f} | {r["min"]:.0f}-{r["max"]:.0f}' if r else '? | ?')
                     + f' | {",".join(s["exit_codes"])} | {",".join(s["faces"])} |')
    if 'facekp-detect' in summary and 'dlib' in summary:
        lines += ['', f'facekp detect / dlib wall: {summary["facekp-detect"]["wall_s"]["median"] / summary["dlib"]["wall_s"]["median"]:.2f}x']
    if not timer: lines.append('\nPeak RSS from getrusage(RUSAGE_CHILDREN): the largest child so far, not per run.')
    out.with_suffix('.md').write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines))
    shutil.rmtree(work, ignore_errors=True)

if __name__ == '__main__':
    main()
