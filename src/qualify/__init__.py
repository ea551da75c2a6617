"""qualify: a documented, evidence-backed selection workflow engine."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # The version is looked up when asked for: importlib.metadata costs every command ~30 ms.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("qualify")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0.0.0"
    raise AttributeError(f"module 'qualify' has no attribute {name!r}")
