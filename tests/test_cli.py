"Tests of the `facekp` command line."
import subprocess, sys

import pytest

from facekp.cli import build_parser, main
from conftest import make_data_dir

def test_help_teaches(capsys):
    with pytest.raises(SystemExit) as e: main(['--help'])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert 'data' in out and 'examples:' in out

def test_data_info(data_dir, capsys):
    assert main(['data', '--data', str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert 'training     12 images of    6 people' in out and 'test          6 images' in out

def test_data_missing_is_clear(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path); monkeypatch.delenv('FACEKP_DATA', raising=False)
    assert main(['data']) == 2
    err = capsys.readouterr().err
    assert err.startswith('facekp data: error: No facekp data found') and 'Traceback' not in err

def test_data_show_writes_png(data_dir, tmp_path):
    out = tmp_path / 'batch.png'
    assert main(['data', 'show', '--data', str(data_dir), '--out', str(out), '--n', '4', '--size', '48']) == 0
    assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'

def test_console_script(data_dir):
    r = subprocess.run([sys.executable, '-m', 'facekp.cli', 'data', '--data', str(data_dir)], capture_output=True, text=True)
    assert r.returncode == 0 and '12 images' in r.stdout
