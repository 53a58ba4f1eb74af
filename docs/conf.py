"""Sphinx configuration for nabla's documentation.

Build with ``sphinx-build -W --keep-going -b html docs docs/_build/html``.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # examples draw figures; no window on a build machine

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _apigen  # noqa: E402

import nabla  # noqa: E402

project = "nabla"
author = "the nabla developers"
copyright = "the nabla developers"
release = nabla.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
    "sphinx.ext.doctest",
    "numpydoc",
    "matplotlib.sphinxext.plot_directive",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.ipynb", "README.md"]
templates_path = ["_templates"]

# -- API reference: one page per public module, written from each module's __all__ ----------
_apigen.write_pages(HERE / "api" / "generated")
autosummary_generate = True
# nabla.Tensor (the class) and nabla.tensor (the function) differ only by case; give the
# function's page another file name so the two never collide on a case-insensitive disk.
autosummary_filename_map = {
    "nabla.tensor": "nabla.tensor-function",
    "nabla.autograd.tensor": "nabla.autograd.tensor-function",
}
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # the numpydoc Parameters sections already give the types

numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Types become cross-references, so a type such as "ndarray of shape (n_samples,
# n_output_features_)" is read as names, not as reST (where "name_" is a link target).
numpydoc_xref_param_type = True
# numpydoc's default aliases point into Python's and NumPy's own docs through intersphinx;
# the build machines have no network, so the common words link to nothing instead.
numpydoc_xref_aliases = {
    word: word
    for word in (
        "bool",
        "boolean",
        "iterable",
        "sequence",
        "array_like",
        "array-like",
        "scalar",
        "generator",
        "None",
        "True",
        "False",
        "list",
        "tuple",
        "str",
        "string",
        "dict",
        "float",
        "int",
        "callable",
        "contextmanager",
        "namedtuple",
    )
}
numpydoc_xref_ignore = {"of", "or", "shape", "optional", "default", "array-like", "to", "and"}
numpydoc_attributes_as_param_list = True


def _skip_sklearn_generated(app, what, name, obj, skip, options):
    """Leave out the ``set_*_request`` methods scikit-learn generates on every estimator.

    Their docstrings are scikit-learn's and point to its own glossary and labels, which do
    not exist on this site; they are documented by scikit-learn.
    """
    if getattr(obj, "__qualname__", "").startswith("RequestMethod."):
        return True
    return skip


def _is_header(lines, i):
    return (
        i + 1 < len(lines)
        and lines[i].strip()
        and lines[i + 1].strip()
        and set(lines[i + 1].strip()) == {"-"}
        and len(lines[i + 1].strip()) >= len(lines[i].strip())
    )


def _shape_into_notes(app, what, name, obj, options, lines):
    """Keep the PyTorch-style "Shape" section, which numpydoc does not know.

    numpydoc drops sections it does not know (with a warning); the layers' docstrings have
    one "Shape" section each, so it is moved to the top of "Notes" before numpydoc reads it.
    """
    starts = [i for i in range(len(lines)) if lines[i].strip() == "Shape" and _is_header(lines, i)]
    if not starts:
        return
    i = starts[0]
    j = next((k for k in range(i + 2, len(lines)) if _is_header(lines, k)), len(lines))
    body = [line for line in lines[i + 2 : j]]
    while body and not body[-1].strip():
        body.pop()
    del lines[i:j]
    block = ["**Shape:** " + body[0].strip()] + body[1:] + [""] if body else []
    notes = [k for k in range(len(lines)) if lines[k].strip() == "Notes" and _is_header(lines, k)]
    if notes:
        lines[notes[0] + 2 : notes[0] + 2] = block
        return
    examples = [
        k for k in range(len(lines)) if lines[k].strip() == "Examples" and _is_header(lines, k)
    ]
    at = examples[0] if examples else len(lines)
    lines[at:at] = ["Notes", "-----", *block]


def setup(app):
    app.connect("autodoc-skip-member", _skip_sklearn_generated)
    app.connect("autodoc-process-docstring", _shape_into_notes, priority=400)


# -- The gallery: every script under examples/ runs during the build ------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",  # execute every example, so a broken one fails the build
    "ignore_pattern": r"__init__\.py",
    "within_subsection_order": "FileNameSortKey",
    "subsection_order": [
        f"../examples/{name}"
        for name in (
            "autograd",
            "networks",
            "optimisers",
            "convolutional",
            "training",
            "regression",
            "kernels",
            "classification",
            "model_selection",
            "scaling",
            "interop",
        )
    ],
    "doc_module": ("nabla",),
    "backreferences_dir": "api/generated/backreferences",
    "reference_url": {"nabla": None},
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": False,  # report every broken example, then fail the build
    "only_warn_on_example_error": False,
    "plot_gallery": "True",
    "parallel": int(os.environ.get("NABLA_DOCS_JOBS", "1")),
    "matplotlib_animations": False,
    "show_memory": False,
}

# -- HTML -------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"nabla {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_context = {"default_mode": "light"}

intersphinx_mapping: dict[str, tuple[str, None]] = {}  # no network on the build machines

plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 100)]

myst_heading_anchors = 3

# Matplotlib's Agg backend warns when an example calls plt.show(); that is expected here.
warnings.filterwarnings(
    "ignore", category=UserWarning, message="(?s).*FigureCanvasAgg is non-interactive.*"
)
# numpydoc also parses docstrings for autosummary's tables, where it warns (a Python
# warning, not a Sphinx one) about the layers' "Shape" section; the pages themselves keep
# that section (see _shape_into_notes), so this one message is silenced.
warnings.filterwarnings("ignore", category=UserWarning, message="Unknown section Shape")
