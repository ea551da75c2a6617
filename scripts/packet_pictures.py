"""Draw the first page of one PDF of each packet kind as a PNG for docs/packets.md.

python scripts/packet_pictures.py OUT_DIR PICTURES_DIR

OUT_DIR holds the demo's packets (`qualify demo -o OUT_DIR`). Each picture is named after its
template; manifest.json records the sha256 of the template sources each picture was drawn from,
so that a test can tell a picture older than its template.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"


def template_digest(template: str) -> str:
    """The sha256 of a template, the templates it extends or includes, and the style sheet."""
    from jinja2 import meta

    from qualify.packets.render import environment

    env = environment(TEMPLATES)
    seen: set[str] = set()
    todo = [f"{template}.html"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(
            n
            for n in meta.find_referenced_templates(env.parse((TEMPLATES / name).read_text()))
            if n
        )
    digest = hashlib.sha256()
    for name in sorted(seen | {"packet.css"}):
        digest.update(name.encode() + b"\0" + (TEMPLATES / name).read_bytes())
    return digest.hexdigest()


def kinds() -> list[str]:
    spec = yaml.safe_load((ROOT / "workflows" / "sro-selection.yaml").read_text(encoding="utf-8"))
    reports = [spec["activity_reports"]["packet"]] if "activity_reports" in spec else []
    amended = (spec.get("training") or {}).get("amended_packets") or []
    return sorted(
        {t for names in spec["packets"].values() for t in names} | set(reports) | set(amended)
    )


def of_kind(name: str, template: str) -> bool:
    """Whether a packet's file is of the template: `..._{template}_event-N[_whose-copy].pdf`
    (a report's ends `_{template}_event-N.pdf` too); not a template whose name starts with it
    (training_assignment_amended is not training_assignment)."""
    return re.search(rf"_{re.escape(template)}_event-\d+(_[a-z_-]+-copy)?\.pdf$", name) is not None


def main(out: Path, pictures: Path) -> int:
    pictures.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for template in kinds():
        found = sorted(
            p for p in out.glob("*.pdf") if p.stem.endswith(template) or of_kind(p.name, template)
        )
        if not found:
            print(f"error: no {template} PDF in {out}; run the demo first", file=sys.stderr)
            return 1
        target = pictures / template
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                "-png",
                "-singlefile",
                str(found[0]),
                str(target),
            ],
            check=True,
        )
        manifest[template] = {"from": found[0].name, "templates_sha256": template_digest(template)}
        print(f"wrote {target}.png from {found[0].name}")
    (pictures / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
