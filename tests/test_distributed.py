"""`facekp train` under `accelerate launch` on 2 CPU processes (gloo): one model written, by process 0, that
`facekp evaluate` reads; one progress table; a run killed part-way resumes from its checkpoint."""
import json, os, subprocess, sys, time
from pathlib import Path

import pytest

pytest.importorskip('accelerate', reason='the distributed extra (pip install "facekp[distributed]") is not installed')
import torch

from conftest import sample_data

LAUNCH = [sys.executable, '-m', 'accelerate.commands.launch', '--multi_gpu', '--num_processes', '2', '--num_machines', '1',
          '--mixed_precision', 'no', '--dynamo_backend', 'no', '-m', 'facekp.cli', 'train']
ENV = {**os.environ, 'CUDA_VISIBLE_DEVICES': '', 'PYTHONUNBUFFERED': '1'}

def _train_args(run, epochs, size=48):
    return ['--data', str(sample_data()), '--run-dir', str(run), '--out', str(run / 'model.pth'), '--size', str(size),
            '--bs', '8', '--epochs', str(epochs), '--freeze-epochs', '0', '--pretrained', 'false']

def _checkpoint(run):
    return torch.load(run / 'checkpoint.pth', weights_only=True)

def test_two_processes_write_one_model_that_evaluate_reads(tmp_path):
    run = tmp_path / 'run'
    r = subprocess.run(LAUNCH + _train_args(run, epochs=1), capture_output=True, text=True, env=ENV, timeout=600)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    assert r.stdout.count('trained in') == 1, r.stdout            # process 0 reports, once
    assert (r.stdout + r.stderr).count('training on 2 processes') == 1
    assert (r.stdout + r.stderr).count('train_loss') == 1          # one progress table: process 0's
    assert sorted(p.name for p in run.iterdir()) == ['checkpoint.pth', 'history.json', 'model.pth', 'training.png']
    ck = _checkpoint(run)
    assert (ck['stage'], ck['epoch'], len(ck['history'])) == (1, 1, 1)
    assert not any(k.startswith('module.') for k in ck['model'])   # the bare model's weights, not DDP's wrapper's
    e = subprocess.run([sys.executable, '-m', 'facekp.cli', 'evaluate', '--model', str(run / 'model.pth'), '--data',
                        str(sample_data()), '--boxes', 'true', '--json', '--out', str(tmp_path / 'eval'),
                        '--convention', 'none'],
                       capture_output=True, text=True, env=ENV, timeout=600)
    assert e.returncode == 0, e.stderr[-2000:]
    rows = json.loads(e.stdout)
    assert rows and all(0 < row['nme_io'] < 2 for row in rows), rows
    valid = [row for row in rows if row['split'] != 'test']
    assert abs(valid[0]['nme_io'] - ck['history'][0]['nme']) < 1e-3   # evaluate scores what training validated

def test_a_killed_two_process_run_resumes(tmp_path):
    run, epochs = tmp_path / 'run', 6
    cmd = LAUNCH + _train_args(run, epochs, size=96)
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    t0 = time.time()
    while not (run / 'checkpoint.pth').is_file() and p.poll() is None and time.time() - t0 < 300: time.sleep(0.05)
    # the power cut: the launcher and its worker processes (torchrun starts them in sessions of their own)
    subprocess.run(['pkill', '-KILL', '-f', str(run)]); p.wait()
    while subprocess.run(['pgrep', '-f', str(run)], capture_output=True).returncode == 0: time.sleep(0.05)
    done = _checkpoint(run)['epoch']
    assert 1 <= done < epochs, f'the run was not cut part-way: {done} of {epochs} epochs'
    r = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=600)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    assert (r.stdout + r.stderr).count(f'resuming {run / "checkpoint.pth"}: stage 1, epoch {done}') == 1, r.stderr[-2000:]
    hist = json.loads((run / 'history.json').read_text())
    assert [h['epoch'] for h in hist] == list(range(epochs))      # every epoch once: none redone, none lost

def test_without_accelerate_a_launched_train_is_a_one_line_error(monkeypatch, capsys):
    "Started by a launcher (WORLD_SIZE 2) where accelerate is not installed: one line saying what to install, exit 2."
    from facekp.cli import main
    monkeypatch.setitem(sys.modules, 'accelerate', None)            # `import accelerate` fails, as where it is not installed
    monkeypatch.delitem(sys.modules, 'facekp.distributed', raising=False)
    monkeypatch.setenv('WORLD_SIZE', '2'); monkeypatch.setenv('RANK', '0')
    assert main(['train', '--data', str(sample_data()), '--epochs', '1', '--run-dir', 'unused']) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "facekp train: error: training on several processes needs accelerate: pip install 'facekp[distributed]'"
