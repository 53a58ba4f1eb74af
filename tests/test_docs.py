"""The documentation's structure: gallery layout, API coverage, user-guide snippets.

The docs build itself (``sphinx-build -W``, which also runs every gallery example) runs in
CI after the test suite; these tests check what can be checked quickly without Sphinx.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
import re
import textwrap
from pathlib import Path

import pytest

import nabla

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"
GUIDE = DOCS / "user_guide"
CHAPTERS = sorted(p for p in EXAMPLES.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
SCRIPTS = sorted(EXAMPLES.rglob("*.py"))


def _apigen():
    spec = importlib.util.spec_from_file_location("_apigen", DOCS / "_apigen.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gallery_has_a_readme_per_folder() -> None:
    assert (EXAMPLES / "README.txt").is_file()
    assert len(CHAPTERS) >= 11
    missing = [p.name for p in CHAPTERS if not (p / "README.txt").is_file()]
    assert not missing, f"gallery folders without README.txt: {missing}"


def test_gallery_folders_are_ordered_in_conf() -> None:
    conf = (DOCS / "conf.py").read_text()
    listed = set(re.findall(r'^\s+"([a-z_]+)",$', conf, re.M))
    assert {p.name for p in CHAPTERS} <= listed, "add new gallery folders to subsection_order"


def test_gallery_has_at_least_30_examples_and_one_per_chapter() -> None:
    assert len(SCRIPTS) >= 30
    empty = [p.name for p in CHAPTERS if not list(p.glob("*.py"))]
    assert not empty, f"chapters without an example: {empty}"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_example_has_a_title_and_stands_alone(script: Path) -> None:
    tree = ast.parse(script.read_text())
    doc = ast.get_docstring(tree)
    assert doc, "an example starts with a docstring"
    lines = doc.strip().splitlines()
    assert len(lines) >= 3 and set(lines[1]) == {"="} and len(lines[1]) >= len(lines[0])
    body = " ".join(lines[2:])
    assert body.count(". ") + body.endswith(".") >= 2, "two or three sentences after the title"
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert not (node.module or "").startswith("examples"), "no helper from examples/"


def test_no_internal_lecture_file_names_in_docs_examples_or_the_package() -> None:
    # docstrings and CLI help are user-facing too: they name lecture topics, not file names
    sources = [p for p in DOCS.rglob("*") if p.suffix in {".rst", ".md", ".py", ".txt"}]
    sources = [p for p in sources if not {"_build", "generated", "auto_examples"} & set(p.parts)]
    sources += list(EXAMPLES.rglob("*"))
    sources += list((ROOT / "src" / "nabla").rglob("*.py")) + [ROOT / "README.md"]
    bad = [
        str(p.relative_to(ROOT))
        for p in sources
        if p.is_file() and re.search(r"seed 0\d\d|shared/seeds", p.read_text(), re.I)
    ]
    assert not bad


def test_every_public_module_is_in_the_api_reference() -> None:
    apigen = _apigen()
    found = {f"nabla.{m.name}" for m in pkgutil.iter_modules(nabla.__path__)}
    public = {m for m in found if not m.rsplit(".", 1)[1].startswith("_")}
    missing = public - set(apigen.MODULES) - set(apigen.NOT_DOCUMENTED)
    assert not missing, f"add to docs/_apigen.py MODULES (or NOT_DOCUMENTED, with why): {missing}"
    for name in ("nabla.nn.functional", "nabla.nn.init", "nabla.optim.lr_scheduler"):
        assert name in apigen.MODULES


def test_every_public_name_gets_an_api_entry(tmp_path: Path) -> None:
    apigen = _apigen()
    pages = apigen.write_pages(tmp_path)
    assert "nabla" in pages and "nabla.nn" in pages
    toc = (tmp_path / "modules.inc").read_text()
    for module_name in pages:
        assert f"generated/{module_name}\n" in toc
        text = (tmp_path / f"{module_name}.rst").read_text()
        module = importlib.import_module(module_name)
        for name in apigen.public_names(module_name):
            if isinstance(getattr(module, name), type(nabla)):
                continue  # a submodule: it has its own page
            documented = f"\n   {name}\n" in text or f"``{module_name}.{name}``" in text
            assert documented, f"{module_name}.{name} missing from the API reference"


def test_api_reference_keeps_all_of_nabla_nn() -> None:
    # An independent oracle for the page writer: names of nabla.nn read from its __all__.
    from nabla import nn

    names = set(_apigen().public_names("nabla.nn"))
    assert set(nn.__all__) == names


def _python_blocks(path: Path) -> list[str]:
    blocks, lines, i = [], path.read_text().splitlines(), 0
    while i < len(lines):
        if lines[i].strip() == ".. code-block:: python":
            i += 1
            body = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith("   ")):
                body.append(lines[i])
                i += 1
            blocks.append(textwrap.dedent("\n".join(body)))
        else:
            i += 1
    return blocks


PAGES = sorted(p for p in GUIDE.glob("*.rst") if p.name != "index.rst")
PAGES += [DOCS / "quickstart.rst", DOCS / "install.rst"]


def test_user_guide_has_every_chapter() -> None:
    index = (GUIDE / "index.rst").read_text()
    chapters = [p for p in GUIDE.glob("*.rst") if p.name != "index.rst"]
    assert len(chapters) == 11
    for chapter in chapters:
        text = chapter.read_text()
        assert f"\n   {chapter.stem}\n" in index
        assert ".. math::" in text, f"{chapter.name}: the notes' formulas"
        assert ".. minigallery::" in text, f"{chapter.name}: a figure from the gallery"
        assert _python_blocks(chapter) or chapter.stem == "index", f"{chapter.name}: code"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_user_guide_snippets_run_as_written(page: Path, tmp_path, monkeypatch) -> None:
    pytest.importorskip("matplotlib").use("Agg")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__main__"}
    blocks = _python_blocks(page)
    assert blocks, f"{page.name} has no python block"
    for block in blocks:
        exec(compile(block, str(page), "exec"), namespace)
