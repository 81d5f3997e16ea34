"""Render the tables of the README (from its source, nbs/index.ipynb) and of models/README.md from the bench results.

    python .ci/tables.py                 # rewrite every table, then README.md (through .ci/readme.py)
    python .ci/tables.py --check         # exit 1 when a table is out of step with its results file (CI)
    python .ci/tables.py --allow-trial   # let results marked `trial: true` through (never for what gets published)
    python .ci/tables.py --results speed=bench/results/speed-trial.json --allow-trial --print   # show; write nothing

A table lives between two markers in the Markdown; everything between them is rewritten:

    <!-- table: speed -->
    ...the table, and a line under it: the results file, the command that wrote it, machine, commit, date...
    <!-- /table -->

The results files are JSON, written by the bench scripts (bench/provenance.py says what they record), and the
shipped model's training log:

    accuracy       bench/results/accuracy.json       python bench/accuracy.py --precision int8 --data ../shared/facekp-data --data ../shared/300w-train
    accuracy_float32  bench/results/accuracy_float32.json  python bench/accuracy.py --precision float32 --out bench/results/accuracy_float32.json --data ...
    pipeline       bench/results/pipeline.json       python bench/accuracy.py --table pipeline --precision int8 --data ../shared/300w-train
    face_detector  bench/results/face_detector.json  python bench/face_detector.py --data ../shared/facekp-data
    speed          bench/results/speed.json          python bench/speed.py --data ../shared/facekp-data --onnx   (timings)
    startup        bench/results/startup.json        python bench/startup.py                                     (timings)
    history        models/history.json               facekp train (the shipped model's run)

A results file marked `trial: true` (a quick run: --limit, one repeat) is refused, exit 1, unless --allow-trial.
Only the standard library: CI runs this before any virtual environment exists.
"""
import argparse, json, math, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = dict(accuracy='bench/results/accuracy.json', accuracy_float32='bench/results/accuracy_float32.json', pipeline='bench/results/pipeline.json',
               face_detector='bench/results/face_detector.json', speed='bench/results/speed.json',
               startup='bench/results/startup.json', history='models/history.json')
DOCS = ['nbs/index.ipynb', 'models/README.md']
MARK = re.compile(r'(<!-- table: ([\w-]+) -->\n)(.*?)(<!-- /table -->)', re.S)

class Refused(Exception): pass

# ---- numbers -------------------------------------------------------------------------------------------------------

def pct(x, nd=2):
    "A share as a percentage: 0.0371 -> '3.71 %'."
    if x is None or (isinstance(x, float) and math.isnan(x)): return '-'
    s = f'{100 * x:.{nd}f}'
    return ('100' if float(s) == 100 else s) + ' %'

def sig(x, n=3):
    "`x` to `n` significant figures, never in scientific notation (1112.2 -> '1112', 0.4017 -> '0.402')."
    if x is None or (isinstance(x, float) and math.isnan(x)): return '-'
    if x == 0: return '0'
    nd = max(0, n - 1 - math.floor(math.log10(abs(x))))
    return f'{x:.{nd}f}'

def timed(d, key, unit='', n=3, spread=True):
    "A timing's median as the results give it, with its range over the repeats where there were several."
    r = d['results']
    if key == 'facekp_one_per_call_images_per_s' and 'facekp_process_images_per_s' in r:   # timed as the other tools are
        key = 'facekp_process_images_per_s'
    elif key in ('facekp_images_per_s', 'facekp_one_per_call_images_per_s'):   # the results' names of the backend measured
        key = key.replace('facekp_', f"facekp_{'onnx' if 'facekp_onnx_images_per_s' in r else 'torch'}_", 1)
    t = d.get('timings', {}).get(key)
    if key not in r: raise Refused(f'{d["_path"]}: no {key!r} (was it run with the options the table needs?)')
    med = t['median'] if t else r[key]
    s = sig(med, n) + (f' {unit}' if unit else '')
    if spread and t and t.get('n', 1) > 1 and t['min'] != t['max']:
        nd = len(sig(med, n).partition('.')[2])
        s += f' [{t["min"]:.{nd}f}–{t["max"]:.{nd}f}]'
    return s

def bold(cells, best):
    "Bold the cell at index `best`."
    return [f'**{c}**' if i == best and c not in ('', '-') else c for i, c in enumerate(cells)]

def table(head, rows) -> str:
    return '\n'.join(['| ' + ' | '.join(head) + ' |', '|' + ' --- |' * len(head)] + ['| ' + ' | '.join(r) + ' |' for r in rows])

# ---- where a table came from -----------------------------------------------------------------------------------------

def provenance(d, timings=False, what=None, ranges=True) -> str:
    """One line: the file (holding `what`), the command, the machine, the commit and the date of results `d`; with
    `timings`, the load average and the repeats (`ranges`: the table gives their fastest and slowest in brackets)."""
    m, g = d.get('machine') or {}, d.get('git') or d.get('facekp_git') or {}
    commit = str(g.get('commit') or '?')
    pinned = '(pinned)' in commit
    commit = commit.replace(' (pinned)', '')[:7] + (' (a pinned copy)' if pinned else '')
    if g.get('dirty'): commit += ' with uncommitted changes'
    where = f"{m.get('cpu', '?')} ({m.get('cores', '?')} cores)"
    load = m.get('load_avg')
    if timings and load: where += f', load average {load[0]:.2f} at the end'
    date = str(d.get('date', '?'))[:10]
    s = f"From `{d['_path']}`" + (f' ({what})' if what else '') + (f", written by `{d['command']}`" if d.get('command') else '') + f' on {where}'
    if d.get('provenance_recorded') is False:
        s += f'; the run recorded no commit: the file was stored at commit {commit}, {date}'
    else: s += f', at commit {commit}, {date}'
    if timings:
        n = d.get('repeats') or 1
        s += (f'; timings: medians of {n} repeats' + (' (in square brackets: the fastest and the slowest)' if ranges else '') if n > 1
              else '; one measurement per timing, no spread')
    s = '*' + s + '.*'
    if d.get('trial'): s += ' **A trial run: not measured for publishing.**'
    return s

def history_provenance(path) -> str:
    return (f"*From `{path}`, the training log `facekp train` wrote beside the model (wall clock; it records no machine "
            "or commit).*")

# ---- the tables ----------------------------------------------------------------------------------------------------

# (source folder, split) -> the label of its rows, in the order the tables give them
ROWS = [(('300w-train', 'identity'), ('300-W photos', 'validation')),
        (('facekp-data', 'identity'), ('Udacity people', 'validation')),
        (('facekp-data', 'test'), ('Udacity', 'test'))]

def _accuracy_rows(d):
    rows = d['results']['rows']
    order = {k: i for i, (k, _) in enumerate(ROWS)}
    return sorted(rows, key=lambda r: (order.get((r['source'], r['split']), len(order)), r['source'], r['split'], r['boxes'] != 'true'))

def _label(r):
    return dict(ROWS).get((r['source'], r['split']), (r['source'], 'validation' if r['split'] == 'identity' else r['split']))

def t_accuracy(res):
    "The model card's Measured table: every row of `facekp evaluate`."
    d = res['accuracy']
    head = ['source', 'split', 'boxes', 'points', 'faces', 'found', 'NME', 'median', 'FR@0.10', 'AUC@0.08', 'jaw', 'brows', 'nose', 'eyes', 'mouth']
    rows = []
    for r in _accuracy_rows(d):
        src, split = _label(r); reg = r['nme_regions']
        rows.append([src, split, r['boxes'] + (' int8' if r.get('precision') == 'int8' else ''), r.get('convention') or 'network', str(r['n_images']), pct(r['found'], 1), pct(r['nme_io']), pct(r['nme_median']),
                     pct(r['fr_010']), f"{r['auc_008']:.3f}", *(f"{100 * reg[k]:.2f}" if k in reg else '-'
                                                              for k in ('jaw', 'brows', 'nose', 'eyes', 'mouth'))])
    return table(head, rows) + '\n\n' + provenance(d)

def t_accuracy_summary(res):
    "The README's accuracy table: NME on true crops and through the pipeline, faces found."
    d = res['accuracy']
    by = {}
    for r in d['results']['rows']: by.setdefault((r['source'], r['split']), {})[r['boxes']] = r
    what = {('300w-train', 'identity'): 'real photos, validation ({n} faces of 300-W\'s training photos)',
            ('facekp-data', 'identity'): 'video frames, validation ({n} frames of held-out people)',
            ('facekp-data', 'test'): 'video frames, official test split ({n} frames)'}
    head = ['NME (inter-ocular)', 'crops around the true keypoints', "whole pipeline (facekp's face detector), faces found"]
    rows = []
    for key, _ in ROWS:
        if key not in by: raise Refused(f"{d['_path']}: no rows of {key[0]} {key[1]}")
        true = by[key].get('true'); pipe = next((v for k, v in by[key].items() if k != 'true'), None)
        n = (true or pipe)['n_images']
        rows.append([what[key].format(n=n), pct(true['nme_io']) if true else '-',
                     f"{pct(pipe['nme_io'])}, {pct(pipe['found'], 1)}" if pipe else '-'])
    return table(head, rows) + '\n\n' + provenance(d)

def _tools(d):
    r = d['results']
    fk = 'onnx' if 'facekp_onnx_images_per_s' in r else 'torch'
    return fk, [f'facekp_{fk}'] + [t for t in ('dlib', 'mediapipe') if f'{t}_images_per_s' in r]

def _backend(r) -> str:
    "What ran facekp's keypoint network: 'ONNX int8', 'ONNX' (float32) or 'PyTorch'."
    if 'facekp_onnx_images_per_s' not in r: return 'PyTorch'
    return 'ONNX int8' if r.get('precision') == 'int8' else 'ONNX'

def t_speed_summary(res):
    "The README's comparison with dlib and MediaPipe: error, faces found, speed, one photo as a whole process."
    d, st = res['speed'], res.get('startup')
    r = d['results']
    fk, tools = _tools(d)
    names = {f'facekp_{fk}': 'facekp', 'dlib': 'dlib 68-point (HOG + ERT)',
             'mediapipe': f"MediaPipe Face Mesh ({r.get('mediapipe_points', 468)} → 68 points)"}
    lower, higher = (lambda xs: xs.index(min(xs))), (lambda xs: xs.index(max(xs)))
    nme = [r[f'{t}_pipeline_nme'] for t in tools]; fr = [r[f'{t}_pipeline_fr_010'] for t in tools]
    found = [r[f'{t}_found'] for t in tools]
    speed = [r['facekp_one_per_call_images_per_s']] + [r[f'{t}_images_per_s'] for t in tools[1:]]
    rows = [['whole pipeline NME'] + bold([pct(x) for x in nme], lower(nme)),
            ['images with NME > 10 %'] + bold([pct(x, 1) for x in fr], lower(fr)),
            ['faces found'] + [pct(x, 1) for x in found],
            ['end to end, one image per call, each tool in a process of its own'] + bold([timed(d, 'facekp_one_per_call_images_per_s' if t.startswith('facekp') else
                                                              f'{t}_images_per_s', 'images/s', spread=False) for t in tools], higher(speed)),
            ["facekp's speed over this one"] + [''] + [f"{r[f'speedup_one_per_call_vs_{t}']:.2f}×" for t in tools[1:]],
            ['keypoints of one face'] + [timed(d, f'{fk}_ms_per_face_bs1', 'ms', spread=False) + f' ({_backend(r)})']
            + [(timed(d, 'dlib_predictor_ms_per_face', 'ms', spread=False) + ' (ERT alone)') if t == 'dlib' else '' for t in tools[1:]]]
    if st:
        s = st['summary']
        key = {f'facekp_{fk}': 'facekp-detect', 'dlib': 'dlib', 'mediapipe': 'mediapipe'}
        walls = [s[key[t]]['wall_s']['median'] if key[t] in s else math.inf for t in tools]
        cells = [f"{s[key[t]]['wall_s']['median']:.2f} s, {s[key[t]]['peak_rss_mb']['median']:.0f} MB" if key[t] in s else '' for t in tools]
        cells = bold(cells, lower(walls))
        if 'facekp-help' in s: cells[0] += f" (`facekp --help` {s['facekp-help']['wall_s']['median']:.2f} s)"
        rows.append(['one photo as a whole process (`facekp detect photo.jpg --json`: start, load, detect)'] + cells)
    out = table([''] + [names[t] for t in tools], rows) + '\n\n' + provenance(d, timings=True, what=f"{r['n_images']} Udacity test images", ranges=False)
    if st: out += '\n\n' + provenance(st, timings=True, what='the whole-process row', ranges=False)
    return out

def t_speed(res):
    "The model card's speed table."
    d = res['speed']; r = d['results']; v = d.get('versions') or {}
    fk, tools = _tools(d)
    other = 'torch' if fk == 'onnx' else None
    head = ['', f'facekp ({_backend(r)})']
    f32 = 'onnx_float32_ms_per_face_bs1' in r   # the int8 twin ran, and the float32 one was measured beside it
    if 'dlib' in tools: head.append(f"dlib {r.get('dlib_version') or v.get('dlib', '')} (HOG + ERT)".replace('  ', ' '))
    if 'mediapipe' in tools: head.append(f"MediaPipe Face Mesh {r.get('mediapipe_version', '')} ({r.get('mediapipe_points', 468)} → 68 points)")
    blank = [''] * (len(tools) - 1)
    dl = lambda cell: [cell if t == 'dlib' else '' for t in tools[1:]]
    rows = [['keypoints of one face, batch 1', timed(d, f'{fk}_ms_per_face_bs1', 'ms')
             + (f" (float32 {timed(d, 'onnx_float32_ms_per_face_bs1', 'ms', spread=False)};" if f32 else ' (')
             + (f" PyTorch {timed(d, 'torch_ms_per_face_bs1', 'ms', spread=False)})" if other else ')').replace('( ', '(')]
            + dl(timed(d, 'dlib_predictor_ms_per_face', 'ms') + ' (ERT alone)'),
            ['keypoints, batch 64', timed(d, f'{fk}_faces_per_s_bs64', 'faces/s')
             + (f" (float32 {timed(d, 'onnx_float32_faces_per_s_bs64', 'faces/s', spread=False)};" if f32 else ' (')
             + (f" PyTorch {timed(d, 'torch_faces_per_s_bs64', 'faces/s', spread=False)})" if other else ')').replace('( ', '(')] + blank,
            ['face detector alone, per image', timed(d, 'cnn_detector_ms_per_image', 'ms')
             + (f" (Haar cascade {timed(d, 'haar_ms_per_image', 'ms', spread=False)})" if 'haar_ms_per_image' in r else '')] + blank,
            ['end to end, one image per call, each tool in a process of its own', timed(d, 'facekp_one_per_call_images_per_s', 'images/s')
             + (f" (float32 {timed(d, 'facekp_float32_process_images_per_s', 'images/s', spread=False)})" if 'facekp_float32_process_images_per_s' in r else '')]
            + [timed(d, f'{t}_images_per_s', 'images/s') + (f" (CPU/wall {r['mediapipe_cpu_per_wall']:.2f})" if t == 'mediapipe' else '')
               for t in tools[1:]],
            [f"end to end, `detector.batch` of {r.get('chunk', 32)}", timed(d, 'facekp_images_per_s', 'images/s')] + blank,
            ["facekp's speed over this one, one image per call", ''] + [f"{r[f'speedup_one_per_call_vs_{t}']:.2f}×" for t in tools[1:]],
            ['faces found'] + [pct(r[f'{t}_found'], 1) for t in tools],
            ['pipeline NME (whole frame, detected box; FR@0.10)'] + [f"{pct(r[f'{t}_pipeline_nme'])} ({pct(r[f'{t}_pipeline_fr_010'], 1)})"
                                                                     for t in tools]]
    if 'onnx_max_abs_diff_px' in r:
        rows.append(['float32 ONNX against PyTorch, largest difference', f"{r['onnx_max_abs_diff_px']:.1e} px of the crop"] + blank)
    if 'int8_mean_move_px' in r:
        rows.append(['int8 against float32 ONNX: mean (largest) move of a point', f"{r['int8_mean_move_px']:.2f} ({r['int8_max_move_px']:.2f}) px of the 128 px crop"] + blank)
    return table(head, rows) + '\n\n' + provenance(d, timings=True, what=f"{r['n_images']} Udacity test images")

def t_precision(res):
    "The model card's int8 against float32: the whole pipeline's rows of two runs of bench/accuracy.py, one per precision."
    runs = {}
    for name in ('accuracy_float32', 'accuracy'):
        for r in _accuracy_rows(res[name]):
            if r['boxes'] != 'true': runs.setdefault(r.get('precision', 'float32'), {})[(r['source'], r['split'])] = r
    if set(runs) != {'float32', 'int8'}: raise Refused(f"the pipeline rows of one run in float32 and one in int8 are needed, got {sorted(runs)}")
    head = ['source', 'split', 'faces', 'NME float32', 'NME int8', 'FR@0.10 float32', 'FR@0.10 int8', 'found float32', 'found int8']
    rows = []
    for key, (src, split) in ROWS:
        a, b = runs['float32'].get(key), runs['int8'].get(key)
        if a is None or b is None: continue
        rows.append([src, split, str(a['n_images']), pct(a['nme_io']), pct(b['nme_io']), pct(a['fr_010']), pct(b['fr_010']),
                     pct(a['found'], 1), pct(b['found'], 1)])
    return (table(head, rows) + '\n\n' + provenance(res['accuracy_float32'], what='float32') + '\n\n'
            + provenance(res['accuracy'], what='int8'))

def t_pipeline(res):
    "The model card's table of the pipeline's settings (refinement passes, the face detector's threshold)."
    d = res['pipeline']; r = d['results']
    head = ['setting', 'NME', 'FR@0.10', 'found']
    rows = [[x['label'], pct(x['nme_io']), pct(x['fr_010']), pct(x['found'], 1)] for x in r['rows']]
    return table(head, rows) + '\n\n' + provenance(d, what=f"the {r['n_faces']} validation faces of `{r['source']}`, cut from their photos as `facekp evaluate` cuts them")

def t_face_detector(res):
    "The face detector card's harder pictures."
    d = res['face_detector']; r = d['results']
    keys = list(r['detectors'])
    head = ['picture'] + [r['detectors'][k] for k in keys]
    pic = lambda p: re.sub(r'rotated (-?)(\d+)', lambda m: f"rotated {'−' if m.group(1) else ''}{m.group(2)}°", p.replace('3x', '3×'))
    rows = [[pic(x['picture'])] + [pct(x[k], 1) for k in keys] for x in r['rows']]
    return table(head, rows) + '\n\n' + provenance(d, what=f"{r['n_images']} Udacity test images; a face is found when a box holds its centre")

def t_training(res):
    "The model card's validation NME against training time, from the training log."
    h = res['history']
    stage = max(e['stage'] for e in h)
    whole = [e for e in h if e['stage'] == stage]
    kept = min(whole, key=lambda e: e['nme'])
    names = [k[4:] for k in whole[0] if k.startswith('nme_')]
    label = {'facekp-data': 'Udacity people', '300w-train': '300-W photos'}
    step = max(1, len(whole) // 10)
    pick = sorted({e['epoch'] for e in whole[step - 1::step]} | {kept['epoch'], whole[-1]['epoch']})
    rows = []
    for e in whole:
        if e['epoch'] not in pick: continue
        rows.append([f"{e['epoch'] + 1}" + (' (kept)' if e is kept else ''), f"{e['seconds'] / 60:.1f}"]
                    + [pct(e[f'nme_{n}']) for n in names] + [pct(e['nme'], 3)])
    rows = [[f'**{c}**' for c in r] if r[0].endswith('(kept)') else r for r in rows]
    head = [f'epoch (of {len(whole)})', 'minutes'] + [f'{label.get(n, n)} NME' for n in names] + ['mean']
    return table(head, rows) + '\n\n' + history_provenance(res['_paths']['history'])

TABLES = {'accuracy-summary': (t_accuracy_summary, ['accuracy']), 'speed-summary': (t_speed_summary, ['speed', 'startup']),
          'accuracy': (t_accuracy, ['accuracy']), 'training': (t_training, ['history']), 'speed': (t_speed, ['speed']),
          'pipeline': (t_pipeline, ['pipeline']), 'precision': (t_precision, ['accuracy_float32', 'accuracy']), 'face-detector': (t_face_detector, ['face_detector'])}

# ---- documents -----------------------------------------------------------------------------------------------------

def load(name, paths, allow_trial, cache):
    if name in cache: return cache[name]
    rel = paths[name]; p = ROOT / rel
    if not p.is_file(): raise Refused(f'{rel}: missing; write it with the command in `python .ci/tables.py --help`')
    d = json.loads(p.read_text(encoding='utf-8'))
    if isinstance(d, dict):
        d['_path'] = rel
        if d.get('trial') and not allow_trial:
            raise Refused(f'{rel} holds a trial run (trial: true): not rendered into the README or the model card. '
                          f'Run `{d.get("command", "the benchmark")}` without --limit/--trial on a quiet machine, '
                          'or pass --allow-trial to look at it')
    cache[name] = d
    return d

def render_text(text, paths, allow_trial, cache, doc, errors):
    "`text` with every table between markers rendered again."
    def one(m):
        name = m.group(2)
        if name not in TABLES: errors.append(f'{doc}: unknown table {name!r} (known: {", ".join(TABLES)})'); return m.group(0)
        fn, needs = TABLES[name]
        try:
            res = {n: load(n, paths, allow_trial, cache) for n in needs if n != 'startup' or (ROOT / paths[n]).is_file()}
            res['_paths'] = paths
            body = fn(res)
        except Refused as e: errors.append(f'{doc}, table {name}: {e}'); return m.group(0)
        except (KeyError, TypeError, ValueError, IndexError) as e:
            errors.append(f'{doc}, table {name}: its results files lack what it needs ({type(e).__name__}: {e})'); return m.group(0)
        return m.group(1) + '\n' + body + '\n\n' + m.group(4)
    return MARK.sub(one, text)

def render_doc(rel, paths, allow_trial, cache, errors):
    "(current text, new text, tables found) of document `rel`; for a notebook, the text is its JSON."
    p = ROOT / rel; raw = p.read_text(encoding='utf-8')
    if rel.endswith('.ipynb'):
        nb = json.loads(raw); found = []
        for c in nb['cells']:
            if c['cell_type'] != 'markdown': continue
            src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
            found += [m.group(2) for m in MARK.finditer(src)]
            new = render_text(src, paths, allow_trial, cache, rel, errors)
            if new != src: c['source'] = new.splitlines(keepends=True)
        return raw, json.dumps(nb, indent=1, ensure_ascii=False) + '\n', found
    return raw, render_text(raw, paths, allow_trial, cache, rel, errors), [m.group(2) for m in MARK.finditer(raw)]

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--check', action='store_true', help='exit 1 when a table is out of step; write nothing')
    ap.add_argument('--allow-trial', action='store_true', help='render results marked trial: true')
    ap.add_argument('--results', action='append', default=[], metavar='NAME=PATH',
                    help=f'use another results file (names: {", ".join(RESULTS)}; PATH relative to the project root)')
    ap.add_argument('--print', action='store_true', help='print the rendered tables; write nothing')
    a = ap.parse_args(argv)
    paths = dict(RESULTS)
    for kv in a.results:
        k, _, v = kv.partition('=')
        if k not in paths or not v: ap.error(f'--results {kv}: expected NAME=PATH, NAME one of {", ".join(paths)}')
        paths[k] = str(Path(v).resolve().relative_to(ROOT)) if Path(v).resolve().is_relative_to(ROOT) else v
    errors, cache, stale, out = [], {}, [], {}
    for rel in DOCS:
        raw, new, found = render_doc(rel, paths, a.allow_trial, cache, errors)
        if not found: errors.append(f'{rel}: no <!-- table: NAME --> markers')
        if a.print:
            text = '\n'.join(''.join(c['source']) for c in json.loads(new)['cells']) if rel.endswith('.ipynb') else new
            for m in MARK.finditer(text): print(f'== {rel}: {m.group(2)}\n{m.group(3).strip()}\n')
        if new != raw: stale.append(rel); out[rel] = new
    for e in errors: print(f'tables.py: {e}', file=sys.stderr)
    if errors: return 1
    if a.print: return 0
    if a.check:
        if stale:
            print(f'tables.py: out of step with the results files: {", ".join(stale)}; run `python .ci/tables.py`', file=sys.stderr)
            return 1
        return 0
    for rel, new in out.items():
        (ROOT / rel).write_text(new, encoding='utf-8'); print(f'rewrote the tables of {rel}')
    r = subprocess.run([sys.executable, str(ROOT / '.ci' / 'readme.py')], cwd=ROOT)
    return r.returncode

if __name__ == '__main__': sys.exit(main())
