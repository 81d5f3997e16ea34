"""Write README.md from nbs/index.ipynb (the README's source), like `nbdev_readme` without Quarto.

Markdown cells are copied as they are; code cells (none need to run) become ```python blocks.
`python .ci/readme.py --check` exits 1 when README.md is out of step with the notebook.
"""
import json, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def render() -> str:
    nb = json.loads((root / 'nbs' / 'index.ipynb').read_text(encoding='utf-8'))
    parts = []
    for c in nb['cells']:
        src = ''.join(c['source']).strip()
        if not src or src.startswith('#| hide'): continue
        parts.append(src if c['cell_type'] == 'markdown' else f'```python\n{src}\n```')
    head = '<!-- Written by .ci/readme.py from nbs/index.ipynb: edit the notebook, not this file. -->\n\n'
    return head + '\n\n'.join(parts) + '\n'

def commands() -> list:
    "The README's ```sh blocks: [install-and-run, install-and-test]."
    import re
    return re.findall(r'```sh\n(.*?)\n```', render(), re.S)

if __name__ == '__main__':
    if '--test-command' in sys.argv: print(commands()[1]); sys.exit()
    text, readme = render(), root / 'README.md'
    if '--check' in sys.argv:
        if readme.read_text(encoding='utf-8') != text:
            sys.exit('README.md is out of step with nbs/index.ipynb: run `python .ci/readme.py`.')
    else: readme.write_text(text, encoding='utf-8')
