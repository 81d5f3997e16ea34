"""Tests of training and evaluation: a tiny run writes a model whose recorded validation NME evaluate measures again;
resuming; the CLI on synthetic faces and on the repository's sample of real ones; settings and files that must not train."""
import json

import pytest
import torch

from facekp.cli import main
from facekp.core import DataError, MODELS_DIR, ModelError, file_sha256
from facekp.data import split_tables
from facekp.model import load_keypoint_model
from conftest import sample_data
from facekp.evaluation import evaluate
from facekp.training import train_keypoints, trunk_layers

TINY = dict(size=48, bs=8, epochs=1, freeze_epochs=1, pretrained=False)

def test_train_then_evaluate(data_dir, tmp_path):
    hist = train_keypoints(data_dir, out=tmp_path / 'm.pth', run_dir=tmp_path / 'run', **{**TINY, 'epochs': 2})
    assert [h['stage'] for h in hist] == [1, 1] and all(h['nme'] > 0 for h in hist)   # random trunk: no frozen stage
    assert (tmp_path / 'run' / 'training.png').stat().st_size > 1000
    model, cfg, extra = load_keypoint_model(tmp_path / 'm.pth')
    assert cfg['size'] == 48 and extra['metrics']['nme_valid'] == min(h['nme'] for h in hist)
    held_out = evaluate(tmp_path / 'm.pth', data_dir, split='identity', progress=False, convention=None)   # the people training held out,
    # with the network's own points, as training validates them
    assert held_out.n_images == 2 and held_out.nme_io == pytest.approx(extra['metrics']['nme_valid'], rel=1e-5)
    r = evaluate(tmp_path / 'm.pth', data_dir, progress=False)
    assert r.n_images == 6 and r.nme_io > 0 and set(r.to_dict()) >= {'nme_io', 'mse_udacity', 'fr_008', 'fr_010',
                                                                          'auc_008', 'auc_010', 'n_images', 'seconds'}

def test_resume_continues(data_dir, tmp_path):
    kw = dict(out=tmp_path / 'm.pth', run_dir=tmp_path / 'run', **{**TINY, 'epochs': 2})
    train_keypoints(data_dir, **kw)
    ck = torch.load(tmp_path / 'run' / 'checkpoint.pth', weights_only=True)
    assert (ck['stage'], ck['epoch'], len(ck['history'])) == (1, 2, 2)
    # pretend the run died after the first epoch: resuming runs only the last epoch
    ck['epoch'] = 1; ck['history'] = ck['history'][:1]
    torch.save(ck, tmp_path / 'run' / 'checkpoint.pth')
    hist = train_keypoints(data_dir, **kw)
    assert [(h['stage'], h['epoch']) for h in hist] == [(1, 0), (1, 1)]
    with pytest.raises(ModelError, match='other settings'):
        train_keypoints(data_dir, out=tmp_path / 'm.pth', run_dir=tmp_path / 'run', **{**TINY, 'epochs': 3})

def test_cli_train_and_evaluate_json(data_dir, tmp_path, capsys):
    m = tmp_path / 'cli.pth'
    assert main(['train', '--data', str(data_dir), '--out', str(m), '--run-dir', str(tmp_path / 'r'), '--size', '48',
                 '--bs', '8', '--epochs', '1', '--pretrained', 'false', '--head-dropout', '0.3']) == 0
    capsys.readouterr()
    model, cfg, _ = load_keypoint_model(m)
    assert cfg['head_dropout'] == 0.3 and model[1].drop.p == 0.3       # the option reaches the model and its file
    assert main(['evaluate', '--model', str(m), '--data', str(data_dir), '--json', '--out', str(tmp_path / 'e'),
                 '--split', 'test', '--boxes', 'true']) == 0
    rows = json.loads(capsys.readouterr().out)           # stdout is one JSON document, nothing else (cold crop cache)
    assert len(rows) == 1 and rows[0]['n_images'] == 6 and 0 < rows[0]['nme_io'] and rows[0]['split'] == 'test'
    assert (tmp_path / 'e' / 'ced.png').is_file() and (tmp_path / 'e' / f'worst_{data_dir.name}_test_true.png').is_file()

def test_integral_head_trains_exports_and_detects(data_dir, tmp_path, capsys):
    m = tmp_path / 'integral.pth'
    assert main(['train', '--data', str(data_dir), '--out', str(m), '--run-dir', str(tmp_path / 'r'), '--size', '64',
                 '--bs', '8', '--epochs', '1', '--pretrained', 'false', '--head', 'integral']) == 0
    from facekp.model import IntegralHead
    model, cfg, _ = load_keypoint_model(m)
    assert cfg['head'] == 'integral' and isinstance(model[1], IntegralHead)
    assert model[1].heatmaps(model[0](torch.rand(1, 3, 64, 64))).shape == (1, 68, 8, 8)   # 2x2 map, doubled twice
    assert main(['export-onnx', '--model', str(m)]) == 0   # checked against PyTorch before it is kept
    from facekp.inference import OnnxKeypointModel
    assert OnnxKeypointModel(m.with_suffix('.onnx')).source_sha256 == file_sha256(m)
    capsys.readouterr()
    with pytest.raises(SystemExit) as e: main(['train', '--data', str(data_dir), '--head', 'heatmap'])
    assert e.value.code == 2
    assert "argument --head: invalid choice: 'heatmap'" in capsys.readouterr().err

def test_cli_bad_model_is_clear(data_dir, tmp_path, capsys):
    bad = tmp_path / 'bad.pth'; bad.write_bytes(b'\x00' * 100)
    assert main(['evaluate', '--model', str(bad), '--data', str(data_dir)]) == 2
    err = capsys.readouterr().err
    assert 'bad.pth' in err and 'Traceback' not in err

def test_cli_train_and_evaluate_on_real_faces(tmp_path, capsys):
    "The repository's sample of the Udacity data: a one-epoch run, then every split with true crops and the shipped face detector's."
    data = sample_data()
    m = tmp_path / 'real.pth'
    assert main(['train', '--data', str(data), '--out', str(m), '--run-dir', str(tmp_path / 'r'), '--size', '48',
                 '--bs', '8', '--epochs', '1', '--freeze-epochs', '0', '--pretrained', 'false']) == 0
    capsys.readouterr()
    assert main(['evaluate', '--model', str(m), '--data', str(data), '--json', '--out', str(tmp_path / 'e')]) == 0
    rows = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    held_out = len(split_tables(data, 'identity')[1])
    assert [(r['split'], r['boxes'], r['n_images']) for r in rows] == [('identity', 'true', held_out), ('identity', 'cnn', held_out),
                                                                        ('test', 'true', 12), ('test', 'cnn', 12)]
    assert all(r['found'] >= 0.9 for r in rows if r['boxes'] == 'cnn')      # real faces: the face detector finds them

def test_weight_average_is_validated_and_saved(data_dir, tmp_path):
    "With `average`, the checkpoint carries the moving average (for resuming) and the saved model is that average."
    train_keypoints(data_dir, out=tmp_path / 'm.pth', run_dir=tmp_path / 'run', **{**TINY, 'average': 3.0})  # one epoch: it is the best
    ck = torch.load(tmp_path / 'run' / 'checkpoint.pth', weights_only=True)
    avg, live = ck['average']['weights'], ck['model']
    assert ck['average']['count'] > 0
    saved = load_keypoint_model(tmp_path / 'm.pth')[0].state_dict()
    assert saved.keys() == avg.keys() and all(torch.equal(saved[k], avg[k]) for k in saved)
    assert any(not torch.equal(live[k], avg[k]) for k in avg if avg[k].is_floating_point())   # the live weights differ
    train_keypoints(data_dir, out=tmp_path / 'n.pth', run_dir=tmp_path / 'run0', **{**TINY, 'average': 0.0})
    assert torch.load(tmp_path / 'run0' / 'checkpoint.pth', weights_only=True)['average'] is None

def test_frozen_layers_keep_their_weights(data_dir, tmp_path):
    "`frozen_layers` keeps the trunk's first layers at the weights training started from (here `init`); the rest learn."
    train_keypoints(data_dir, out=tmp_path / 'm0.pth', run_dir=tmp_path / 'run0', face_check=False, **TINY)
    train_keypoints(data_dir, out=tmp_path / 'm1.pth', run_dir=tmp_path / 'run1', face_check=False,
                    **{**TINY, 'freeze_epochs': 0, 'average': 0.0, 'init': tmp_path / 'm0.pth', 'frozen_layers': 4})
    before, after = (trunk_layers(load_keypoint_model(tmp_path / f'm{i}.pth')[0]) for i in (0, 1))
    same = [all(torch.equal(p, q) for p, q in zip(b.parameters(), a.parameters())) for b, a in zip(before, after)]
    assert same[:4] == [True] * 4 and not same[4], same
    assert load_keypoint_model(tmp_path / 'm1.pth')[2]['train_args']['frozen_layers'] == 4
    with pytest.raises(ValueError, match='frozen_layers=19: the trunk has 19 layers; fix fewer'):
        train_keypoints(data_dir, run_dir=tmp_path / 'run2', **{**TINY, 'init': tmp_path / 'm0.pth', 'frozen_layers': 19})

def test_a_random_trunk_is_never_kept_fixed(data_dir, tmp_path, monkeypatch):
    "`pretrained=True` with no ImageNet weights to be had: the trunk is random, so no frozen first epoch and no fixed layers."
    def no_download(*a, **k): raise OSError('no network')
    monkeypatch.setattr('facekp.model.find_pretrained', lambda arch: None)
    monkeypatch.setattr('torchvision.models._api.load_state_dict_from_url', no_download)
    monkeypatch.setattr('facekp.model._warned', set())
    kw = {**TINY, 'pretrained': True, 'average': 0.0}
    with pytest.warns(UserWarning, match='No ImageNet weights for mobilenet_v2'):
        hist = train_keypoints(data_dir, out=tmp_path / 'm4.pth', run_dir=tmp_path / 'run4', face_check=False, **{**kw, 'frozen_layers': 4})
    assert [h['stage'] for h in hist] == [1]
    assert torch.load(tmp_path / 'run4' / 'checkpoint.pth', weights_only=True)['pretrained_trunk'] is False
    train_keypoints(data_dir, out=tmp_path / 'm0.pth', run_dir=tmp_path / 'run0', face_check=False, **kw)
    four, none = (load_keypoint_model(tmp_path / f'm{i}.pth')[0].state_dict() for i in (4, 0))
    assert all(torch.equal(four[k], none[k]) for k in four)   # the same seeded run: frozen_layers=4 changed nothing

@pytest.mark.skipif(__import__('platform').libc_ver()[0] != 'glibc', reason='mallopt is glibc only')
def test_reuse_freed_memory_saves_page_faults():
    "Training steps of the keypoint model: without it the freed activations come back from the kernel as fresh pages."
    import subprocess, sys
    code = ('import resource, sys, torch\n'
            'from facekp.training import reuse_freed_memory\n'
            'from facekp.model import keypoint_model, model_config\n'
            'if sys.argv[1] == "1": assert reuse_freed_memory()\n'
            'torch.set_num_threads(2)\n'
            'm = keypoint_model(model_config(size=64)).train(); opt = torch.optim.Adam(m.parameters())\n'
            'x, y = torch.rand(8, 3, 64, 64), torch.rand(8, 68, 2)\n'
            'def step(): loss = (m(x) - y).pow(2).mean(); opt.zero_grad(); loss.backward(); opt.step()\n'
            'for _ in range(5): step()\n'
            'r0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n'
            'for _ in range(40): step()\n'
            'print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - r0)')
    faults = [int(subprocess.run([sys.executable, '-c', code, m], capture_output=True, text=True, check=True).stdout)
              for m in '01']
    # over 40 steps, about 32000-57000 faults without it against 400-1200 with it; glibc's own adaptive threshold makes
    # the first number vary, and over 20 steps the gap can shrink to 4x: hence 40 steps and a margin of 3
    assert faults[1] * 3 < faults[0], faults


# ---------------------------------------------------------------- training that cannot learn; files it must not touch
import facekp.training as ftraining

def _snapshot(root):
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(root.rglob('*')) if p.is_file()}

@pytest.mark.parametrize('kw,expect', [
    (dict(epochs=0), 'epochs=0: expected a whole number, 1 or more'),
    (dict(epochs=-1), 'epochs=-1: expected a whole number, 1 or more'),
    (dict(freeze_epochs=-1), 'freeze_epochs=-1: expected a whole number, 0 or more'),
    (dict(bs=0), 'bs=0: expected a whole number'),
    (dict(size=1.5), 'size=1.5: expected a whole number'),
    (dict(lr=-1e-3), 'lr=-0.001: expected a number above 0'),
    (dict(limit=0), 'limit=0: expected a whole number'),
    (dict(frozen_layers=-1), 'frozen_layers=-1: expected a whole number, 0 or more'),
])
def test_settings_that_cannot_train(data_dir, tmp_path, kw, expect):
    before = _snapshot(MODELS_DIR)
    with pytest.raises(ValueError) as e: train_keypoints(data_dir, run_dir=tmp_path / 'run', **{**TINY, **kw})
    assert expect in str(e.value) and '\n' not in str(e.value)
    assert not (tmp_path / 'run').exists() and _snapshot(MODELS_DIR) == before

def test_fewer_images_than_a_batch(data_dir, tmp_path):
    with pytest.raises(DataError, match=r'10 training images \(limit=None\) are fewer than one batch \(bs=16\)'):
        train_keypoints(data_dir, run_dir=tmp_path / 'run', **{**TINY, 'bs': 16})
    assert not (tmp_path / 'run' / 'facekp.pth').exists()

def test_nan_loss_stops_with_a_clear_error(data_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(ftraining, 'keypoint_loss', lambda name: (lambda p, t: (p * float('nan')).mean()))
    with pytest.raises(ModelError) as e: train_keypoints(data_dir, out=tmp_path / 'm.pth', run_dir=tmp_path / 'run', **TINY)
    msg = str(e.value)
    assert 'training stopped: the training loss became nan in epoch 1, batch 1; no model was saved' in msg and '\n' not in msg
    assert not (tmp_path / 'm.pth').exists() and not (tmp_path / 'run' / 'history.json').exists()

def test_shipped_models_need_replace_shipped(data_dir, tmp_path):
    before = _snapshot(MODELS_DIR)
    for kw in (dict(out=MODELS_DIR / 'facekp.pth'), dict(run_dir=MODELS_DIR), dict(out=MODELS_DIR / 'other.pth')):
        with pytest.raises(ModelError, match='shipped models folder .*replace_shipped=True'):
            train_keypoints(data_dir, **{'run_dir': tmp_path / 'run', **kw}, **TINY)
    with pytest.raises(ModelError, match=r'm.onnx: the model is written as PyTorch weights'):
        train_keypoints(data_dir, out=tmp_path / 'm.onnx', run_dir=tmp_path / 'run', **TINY)
    assert _snapshot(MODELS_DIR) == before

def test_default_out_finished_rerun_and_onnx_twin(data_dir, tmp_path, capsys):
    run = tmp_path / 'run'; run.mkdir()
    (run / 'facekp.onnx').write_bytes(b'a twin of other weights')
    (run / 'facekp.int8.onnx').write_bytes(b'an int8 twin of other weights')
    hist = train_keypoints(data_dir, run_dir=run, face_check=False, **TINY)   # default out: run_dir/facekp.pth
    out = run / 'facekp.pth'
    assert out.is_file() and not list(run.glob('*.tmp'))
    from facekp.inference import OnnxKeypointModel
    assert OnnxKeypointModel(run / 'facekp.onnx').source_sha256 == file_sha256(out)   # re-exported, not stale
    int8 = OnnxKeypointModel(run / 'facekp.int8.onnx')                                 # and so is the int8 twin
    assert int8.source_sha256 == file_sha256(out) and int8.precision == 'int8'
    capsys.readouterr()
    files = _snapshot(run)
    assert train_keypoints(data_dir, run_dir=run, face_check=False, **TINY) == hist   # finished: said, not trained again
    assert 'this run is finished (1 epochs' in capsys.readouterr().out and _snapshot(run) == files
    out.unlink()
    with pytest.raises(ModelError, match='a finished run, but its model .*facekp.pth is not there'):
        train_keypoints(data_dir, run_dir=run, face_check=False, **TINY)
