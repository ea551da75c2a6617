"""Finding, validating and drawing workflow files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from qualify.config import Settings
from qualify.errors import BadInput, NotFound, QualifyError, Step, WorkflowError
from qualify.suggest import suggest
from qualify.workflow.diagram import to_dot, to_mermaid
from qualify.workflow.loader import LoadedWorkflow, load_path


def available_templates(templates_dir: Path) -> list[str] | None:
    """Packet template names (file stems) in the templates folder; None when there is none."""
    if not templates_dir.is_dir():
        return None
    return sorted(p.stem for p in templates_dir.glob("*.html") if not p.stem.startswith("_"))


def load_file(settings: Settings, path: Path) -> LoadedWorkflow:
    """Load a workflow file, checking its packet templates exist."""
    return load_path(path, templates=available_templates(settings.templates_dir))


def find(settings: Settings, name: str) -> LoadedWorkflow:
    """The workflow named NAME in the workflows folder (file NAME.yaml, or a file declaring it)."""
    folder = settings.workflows_dir
    direct = folder / f"{name}.yaml"
    if direct.is_file():
        return load_file(settings, direct)
    for path in sorted(folder.glob("*.y*ml")):
        try:
            loaded = load_file(settings, path)
        except WorkflowError:
            continue
        if loaded.spec.name == name:
            return loaded
    names = sorted(p.stem for p in folder.glob("*.y*ml"))
    raise NotFound(
        f"no workflow named '{name}' in {folder}{suggest(name, names)} "
        f"(found: {', '.join(names) or 'none'})"
    )


def all_workflows(folder: Path) -> list[LoadedWorkflow]:
    """Every valid workflow in the folder (invalid files are skipped: `workflow validate` them)."""
    found = []
    for path in sorted(folder.glob("*.y*ml")):
        try:
            found.append(load_path(path))
        except WorkflowError:
            continue
    return found


def validate(settings: Settings, paths: list[Path]) -> tuple[list[LoadedWorkflow], list[str]]:
    """Validate every file; return the valid ones and every problem in the others."""
    valid, problems = [], []
    for path in paths:
        try:
            valid.append(load_file(settings, path))
        except WorkflowError as exc:
            problems.extend(exc.problems)
    return valid, problems


def diagram(loaded: LoadedWorkflow, fmt: str) -> str:
    """The workflow as Mermaid text, or as SVG drawn by Graphviz `dot`."""
    if fmt == "mermaid":
        return to_mermaid(loaded.spec)
    if fmt != "svg":
        raise BadInput(f"unknown format '{fmt}' (use mermaid or svg)", field="format")
    dot = shutil.which("dot")
    if dot is None:
        raise QualifyError(
            "SVG needs Graphviz's `dot`, which is not installed (apt-get install graphviz)",
            step=Step("draw_mermaid"),
        )
    done = subprocess.run(
        [dot, "-Tsvg"], input=to_dot(loaded.spec), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise QualifyError(f"dot failed: {done.stderr.strip().splitlines()[0]}")
    return done.stdout
