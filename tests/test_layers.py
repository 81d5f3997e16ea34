"""facekp's modules are layers: each imports only the layers before it (its notebook's number is lower), counting the
imports inside functions too, and no module takes a private name from another."""
import ast, re
from pathlib import Path

import facekp

PKG = Path(facekp.__file__).parent


def _notebook_number(path: Path) -> tuple:
    "The number of the notebook a module is exported from (its header names the file), as fastai numbers them: 05 < 05a < 06."
    m = re.search(r'File to edit: \.\./nbs/(\d+)([a-z]?)_', path.read_text())
    assert m, f'{path.name}: no "File to edit" header naming its notebook'
    return int(m.group(1)), m.group(2)


def _facekp_imports(path: Path):
    "(module, names, line) of every import of a facekp module in `path`, wherever it sits."
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ''
            if node.level == 1: mod = f'facekp.{mod}' if mod else 'facekp'
            if mod.startswith('facekp.'): yield mod.split('.')[1], [a.name for a in node.names], node.lineno
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith('facekp.'): yield a.name.split('.')[1], [], node.lineno


def _modules() -> dict:
    return {p.stem: p for p in PKG.glob('*.py') if p.stem not in ('__init__', '_modidx')}


def test_every_import_points_to_an_earlier_layer():
    mods = _modules()
    order = {name: _notebook_number(p) for name, p in mods.items()}
    wrong = [f'{name} ({order[name]}) imports {dep} ({order[dep]}) on line {line}'
             for name, p in mods.items() for dep, _, line in _facekp_imports(p) if dep in order and order[dep] >= order[name] and dep != name]
    assert not wrong, 'imports that point up or sideways:\n' + '\n'.join(wrong)


def test_no_private_name_crosses_a_module():
    crossing = [f'{name} line {line}: {dep}.{n}' for name, p in _modules().items() for dep, names, line in _facekp_imports(p)
                for n in names if n.startswith('_') and dep != name]
    assert not crossing, 'private names imported from another module:\n' + '\n'.join(crossing)


def test_the_layers_have_distinct_numbers():
    numbers = [_notebook_number(p) for p in _modules().values()]
    assert len(numbers) == len(set(numbers)), 'two modules come from notebooks with the same number'


def test_every_imported_facekp_module_exists():
    mods = _modules()
    missing = [f'{name} line {line}: facekp.{dep}' for name, p in mods.items() for dep, _, line in _facekp_imports(p) if dep not in mods]
    assert not missing, 'imports of modules that do not exist:\n' + '\n'.join(missing)
