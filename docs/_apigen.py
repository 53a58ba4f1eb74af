"""Write the API reference pages: one page per public module, one autosummary entry per name.

The list of names comes from each module's ``__all__`` at build time, so a name added to
nabla appears in the reference without editing the docs. ``tests/test_docs.py`` checks
that every public module is listed here.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

#: The public modules, in the order the reference shows them, each with a one-line title.
MODULES: dict[str, str] = {
    "nabla": "Tensors and tensor functions",
    "nabla.autograd": "Automatic differentiation",
    "nabla.func": "Function transforms",
    "nabla.linalg": "Linear algebra",
    "nabla.nn": "Networks: modules, layers and losses",
    "nabla.nn.functional": "Functional forms of layers and losses",
    "nabla.nn.init": "Parameter initialisation",
    "nabla.nn.models": "Ready-made architectures",
    "nabla.optim": "Optimisers",
    "nabla.optim.lr_scheduler": "Learning-rate schedules",
    "nabla.data": "Datasets, loaders and transforms",
    "nabla.datasets": "Synthetic data generators",
    "nabla.distributions": "Probability distributions",
    "nabla.train": "The training loop",
    "nabla.io": "Saving and loading",
    "nabla.plot": "Figures",
    "nabla.linear_model": "Linear models",
    "nabla.kernel_ridge": "Kernel ridge regression",
    "nabla.neighbors": "Nearest neighbours",
    "nabla.discriminant_analysis": "Gaussian classifiers",
    "nabla.naive_bayes": "Naive Bayes",
    "nabla.neural_network": "Neural-network estimators",
    "nabla.preprocessing": "Feature maps",
    "nabla.model_selection": "Model selection and bootstrap intervals",
    "nabla.ensemble": "Ensembles",
    "nabla.metrics": "Kernels and distances",
    "nabla.base": "Estimator base: parameter validation",
}

#: Top-level modules of nabla that are not part of the API reference, and why.
NOT_DOCUMENTED: dict[str, str] = {
    "nabla.cli": "the nabla command, documented by its --help",
    "nabla.utils": "private helpers shared by the package",
    "nabla.backend": "the array module the ops use internally",
}


def public_names(module_name: str) -> list[str]:
    """Return the public names of a module: its ``__all__``, or what it defines itself."""
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            name
            for name, obj in vars(module).items()
            if not name.startswith("_")
            and (inspect.isfunction(obj) or inspect.isclass(obj))
            and getattr(obj, "__module__", None) == module_name
        ]
    return sorted(names, key=str.lower)


def _write_if_changed(path: Path, text: str) -> None:
    """Write only when the text changed, so Sphinx does not re-read unchanged pages."""
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def write_pages(out_dir: Path) -> list[str]:
    """Write ``<module>.rst`` for every module in ``MODULES`` into *out_dir*; return the pages.

    Also writes ``modules.inc``, the toctree of those pages, which ``api/index.rst``
    includes (a module that cannot be imported yet gets no page and no entry).

    An object re-exported by several modules (``nabla.tanh`` is ``nabla.autograd.tanh``) is
    documented once, on the first page that lists it; later pages link to that entry.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    first_home: dict[int, str] = {}  # id(object) -> the full name it is documented under
    pages = []
    for module_name, title in MODULES.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # a module that does not exist yet
            continue
        entries, aliases, submodules = [], [], []
        for name in public_names(module_name):
            obj = getattr(module, name)
            if inspect.ismodule(obj):
                if f"{module_name}.{name}" in MODULES:
                    submodules.append(f"{module_name}.{name}")
                continue
            if not (inspect.isclass(obj) or callable(obj)):
                aliases.append((name, None))  # a constant: named, described by its module
                continue
            home = first_home.setdefault(id(obj), f"{module_name}.{name}")
            if home == f"{module_name}.{name}":
                entries.append(name)
            else:
                aliases.append((name, home))
        heading = f"``{module_name}``: {title}"
        lines = [heading, "=" * len(heading), "", f".. automodule:: {module_name}", ""]
        if submodules:
            lines += ["Submodules: " + ", ".join(f":doc:`{s}`" for s in submodules), ""]
        lines += [f".. currentmodule:: {module_name}", ""]
        if entries:
            lines += [".. autosummary::", "   :toctree: .", "   :nosignatures:", ""]
            lines += [f"   {name}" for name in entries] + [""]
        if aliases:
            lines += ["Also available here", "-------------------", ""]
            for name, home in aliases:
                target = f":obj:`~{home}`" if home else "a constant, described above"
                lines.append(f"- ``{module_name}.{name}``: {target}")
            lines.append("")
        text = "\n".join(lines)
        _write_if_changed(out_dir / f"{module_name}.rst", text)
        pages.append(module_name)
    toc = [".. toctree::", "   :maxdepth: 1", ""] + [f"   generated/{m}" for m in pages]
    _write_if_changed(out_dir / "modules.inc", "\n".join(toc) + "\n")
    return pages
