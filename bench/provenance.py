"""What a results file records besides its numbers, so that a table made from it says where it came from.

Every bench script whose numbers appear in README.md or models/README.md writes one JSON file with `write_results`:

    {"bench": "speed", "trial": false,
     "date": "2026-11-22T09:30:00Z", "finished": ..., "command": "python bench/speed.py --data ../shared/facekp-data --onnx",
     "repeats": 3,
     "machine": {"cpu", "cores", "affinity", "mem_gb", "platform", "load_avg"},
     "versions": {"python", "facekp", "torch", "onnxruntime", "opencv", "numpy", "fastai", ...the anchors'},
     "git": {"commit", "dirty", "dirty_paths", "subject"},
     "results": {...the numbers; a timing is the median of its repeats...},
     "timings": {"name": {"median", "min", "max", "q1", "q3", "n", "values", "unit"}, ...}}

`date` and `git` are taken as the run starts, `finished` and `machine.load_avg` at its end (a busy neighbour
shows in the load average). `trial: true` marks a quick run
(`--limit`, `--trial`): `.ci/tables.py` refuses to render it into the README unless told `--allow-trial`.
This module needs only the standard library (it is imported before the heavy ones).
"""
import json, os, platform, re, shlex, statistics, subprocess, sys, time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def machine() -> dict:
    "The CPU model (from /proc/cpuinfo), its cores, memory, platform and load average."
    cpu = platform.processor() or '?'
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'): cpu = line.split(':', 1)[1].strip(); break
    except OSError: pass
    mem = None
    try: mem = round(int(re.search(r'MemTotal:\s+(\d+)', Path('/proc/meminfo').read_text()).group(1)) / 1024 ** 2, 1)
    except (OSError, AttributeError): pass
    return dict(cpu=cpu, cores=os.cpu_count(),
                affinity=len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else None,
                mem_gb=mem, platform=platform.platform(), load_avg=[round(x, 2) for x in os.getloadavg()])

def _dist_version(*names):
    for n in names:
        try: return metadata.version(n)
        except metadata.PackageNotFoundError: pass
    return None

def versions(**anchors) -> dict:
    "Python's and the libraries' versions (from the installed packages' metadata: nothing heavy is imported); `anchors`: other tools'."
    v = dict(python=platform.python_version(), facekp=_dist_version('facekp'), torch=_dist_version('torch'),
             onnxruntime=_dist_version('onnxruntime', 'onnxruntime-gpu'),
             opencv=_dist_version('opencv-python-headless', 'opencv-python', 'opencv-contrib-python', 'opencv-contrib-python-headless'),
             numpy=_dist_version('numpy'), fastai=_dist_version('fastai'))
    v.update({k: str(x) for k, x in anchors.items() if x is not None})
    return v

def _git(*args):
    try: r = subprocess.run(['git', '-C', str(ROOT), *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError): return None
    return r.stdout.rstrip() if r.returncode == 0 else None

def git() -> dict:
    "The checkout's commit, and whether (and where) its tracked files differ from it."
    status = _git('status', '--porcelain', '--untracked-files=no')
    paths = [l[3:] for l in status.splitlines() if l.strip()] if status else []
    return dict(commit=(_git('rev-parse', 'HEAD') or '').strip() or None, dirty=None if status is None else bool(paths), dirty_paths=paths[:100],
                subject=(_git('log', '-1', '--format=%s') or '')[:120])

def command() -> str:
    "The command line that ran this script, as it can be typed again from the project's root."
    script = Path(sys.argv[0]).resolve()
    try: script = script.relative_to(ROOT)
    except ValueError: pass
    return 'python ' + shlex.join([str(script), *sys.argv[1:]])

def spread(values, unit=None) -> dict:
    "Median and spread (min, max, quartiles) of a timing's repeats."
    xs = [float(x) for x in values]
    q1, _, q3 = statistics.quantiles(xs, n=4, method='inclusive') if len(xs) > 1 else (xs[0], None, xs[0])
    return dict(median=statistics.median(xs), min=min(xs), max=max(xs), q1=q1, q3=q3, n=len(xs), values=xs, unit=unit)

class Timings:
    "Timings of a run: `add(name, values, unit)` keeps their spread and returns the median (the number the results give)."
    def __init__(self): self.d = {}
    def add(self, name, values, unit=None) -> float:
        self.d[name] = spread(values, unit)
        return self.d[name]['median']

def _now(): return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())

# the code and the time as the run starts (a bench script imports this module first)
STARTED = dict(date=_now(), git=git())

def record(bench, results, repeats, trial=False, timings=None, anchors=None, **extra) -> dict:
    "A results document: the numbers with the machine, versions, code, date and command they came from."
    t = timings.d if isinstance(timings, Timings) else (timings or {})
    return dict(bench=bench, trial=bool(trial), date=STARTED['date'], finished=_now(), command=command(),
                repeats=repeats, machine=machine(), versions=versions(**(anchors or {})), git=STARTED['git'], **extra,
                results=results, timings=t)

def write_results(path, bench, results, repeats, trial=False, timings=None, anchors=None, **extra) -> Path:
    "Write the results document of `record` to `path` (JSON); returns the path."
    path = Path(path); path.parent.mkdir(parents=True, exist_ok=True)
    doc = record(bench, results, repeats, trial, timings, anchors, **extra)
    tmp = path.with_name(path.name + '.tmp')
    tmp.write_text(json.dumps(doc, indent=1, default=_jsonable) + '\n'); tmp.replace(path)
    print(f'results: {path}' + (' (a trial run: not for the README)' if trial else ''), file=sys.stderr)
    return path

def _jsonable(o):
    "numpy numbers and arrays, paths: as JSON sees them."
    if hasattr(o, 'tolist'): return o.tolist()
    if isinstance(o, Path): return str(o)
    raise TypeError(f'{type(o).__name__} is not JSON serialisable')
