"Every ```python block of the README runs as printed, in a fresh process, in an empty folder, on a small data folder."
import importlib.util, os, re, subprocess, sys
from pathlib import Path

import pytest
import torch

from conftest import make_data_dir
from facekp.model import find_pretrained, load_keypoint_model

ROOT = Path(__file__).resolve().parent.parent

def _render() -> str:
    "The README as `.ci/readme.py` writes it from nbs/index.ipynb."
    spec = importlib.util.spec_from_file_location('facekp_readme', ROOT / '.ci' / 'readme.py')
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    return mod.render()

BLOCKS = re.findall(r'```python\n(.*?)\n```', _render(), re.S)

def test_readme_is_the_notebooks():
    assert (ROOT / 'README.md').read_text(encoding='utf-8') == _render(), 'README.md is out of step: run python .ci/readme.py'
    assert len(BLOCKS) >= 2

@pytest.mark.parametrize('i', range(len(BLOCKS)))
def test_readme_python_block_runs(i, tmp_path):
    code = BLOCKS[i]
    work = tmp_path / 'work'; work.mkdir()
    env = {**os.environ, 'FACEKP_DATA': str(make_data_dir(tmp_path / "data", n_train=20, n_test=4)),
           'FACEKP_CACHE': str(tmp_path / 'cache'), 'MPLBACKEND': 'Agg'}   # the facekp this Python has installed
    local = find_pretrained('mobilenet_v2')       # ImageNet weights without a download, where the project has them
    if local is not None: env['FACEKP_PRETRAINED'] = str(local.resolve().parent)
    r = subprocess.run([sys.executable, '-c', code], cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f'README block {i} failed:\n{code}\n---\n{r.stderr[-3000:]}'
    for path in re.findall(r"export\('([^']+)'\)", code):   # what the block saves is a facekp model that runs
        model, cfg, _ = load_keypoint_model(work / path)
        x = torch.rand(1, cfg['n_in'], cfg['size'], cfg['size'])
        with torch.no_grad(): assert tuple(model.eval()(x).shape) == (1, cfg['n_points'], 2)
