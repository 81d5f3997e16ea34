"The README's and the model card's tables are rendered from the bench results files, never typed."
import subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def _tables(*args):
    return subprocess.run([sys.executable, str(ROOT / '.ci' / 'tables.py'), *args], cwd=ROOT, capture_output=True, text=True)

def test_tables_are_in_step_with_their_results():
    r = _tables('--check')
    assert r.returncode == 0, r.stdout + r.stderr

def test_a_trial_run_is_never_published():
    trial = ROOT / 'bench' / 'results' / 'speed-trial.json'
    r = _tables('--results', f'speed={trial}', '--print')
    assert r.returncode == 1 and 'trial' in (r.stdout + r.stderr)
    assert _tables('--results', f'speed={trial}', '--print', '--allow-trial').returncode == 0
