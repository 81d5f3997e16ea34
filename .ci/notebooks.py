"""Run notebooks and save them with their outputs (pictures included), or check that they are saved that way.

    python .ci/notebooks.py run nbs/05_inference.ipynb ...   # execute in nbs/, stop at the first error, save outputs
    python .ci/notebooks.py run                              # every notebook
    python .ci/notebooks.py check                            # every notebook has outputs saved (CI)

A notebook runs as a reader runs it: from `nbs/`, top to bottom, `#| eval: false` cells skipped. Run it without
`$FACEKP_DATA` and `../shared` beside the project, so that what is saved is what a reader on a fresh clone sees.
"""
import json, os, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / 'nbs'


def _skip(cell) -> bool:
    "nbdev's rule: cells marked `#| eval: false` do not run."
    src = ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']
    return any(line.replace(' ', '') in ('#|eval:false', '#|eval:False') for line in src.splitlines()[:5])


# saved pictures: JPEG at 72 dpi keeps a notebook of photos a few megabytes, not tens, and still sharp on screen
FIGURES = """\
import matplotlib
from matplotlib_inline.backend_inline import set_matplotlib_formats
set_matplotlib_formats('jpeg', pil_kwargs={'quality': 85})
matplotlib.rcParams['figure.dpi'] = 72
"""


def run(paths):
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    os.environ.setdefault('MPLBACKEND', 'module://matplotlib_inline.backend_inline')
    for p in paths:
        p = Path(p).resolve(); t = time.time()
        print(f'running {p.relative_to(ROOT)}', file=sys.stderr, flush=True)
        nb = read_nb(p)
        cwd = os.getcwd(); os.chdir(p.parent)
        try:
            shell = CaptureShell()
            shell.run(FIGURES)
            shell.run_all(nb, exc_stop=True, preproc=_skip)
        finally: os.chdir(cwd)
        for c in nb.cells:
            if c.cell_type == 'code' and _skip(c): c.outputs, c.execution_count = [], None
        tmp = p.with_suffix('.ipynb.tmp'); write_nb(nb, tmp); tmp.replace(p)
        print(f'  saved with outputs in {time.time() - t:.0f} s', file=sys.stderr, flush=True)


def check(paths) -> int:
    "Every notebook with code that runs has outputs saved."
    bad = []
    for p in paths:
        nb = json.loads(Path(p).read_text())
        code = [c for c in nb['cells'] if c['cell_type'] == 'code' and not _skip(c)]
        if code and not any(c.get('outputs') for c in code): bad.append(Path(p).name)
    if bad: print('saved without outputs (run `python .ci/notebooks.py run` on them): ' + ', '.join(bad)); return 1
    return 0


if __name__ == '__main__':
    cmd, *paths = sys.argv[1:] or ['check']
    paths = paths or sorted(str(p) for p in NBS.glob('*.ipynb') if p.name != 'index.ipynb')
    if cmd == 'run': run(paths)
    elif cmd == 'check': sys.exit(check(paths))
    else: sys.exit(f'{cmd}: expected run or check')
