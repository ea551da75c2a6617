"""Render a packet template to PDF bytes, safely, and write files atomically.

WeasyPrint is imported only here, and only when a PDF is made: commands that print no PDF
stay light. Since WeasyPrint 70 a URL fetcher is a `URLFetcher` subclass whose `fetch` returns a
`URLFetcherResponse`; ours allows `data:` URLs and files under the templates folder, nothing else.
"""

from __future__ import annotations

import mimetypes
import os
import warnings
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import jinja2
from jinja2 import meta

from qualify.errors import BadInput, QualifyError

PDF_VARIANT = "pdf/a-3b"


@lru_cache(maxsize=8)
def environment(templates_dir: Path) -> jinja2.Environment:
    """Jinja with autoescaping for HTML and undefined names as errors."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_html(templates_dir: Path, template: str, context: dict[str, Any]) -> str:
    """The packet's HTML; candidate data is escaped, never evaluated."""
    try:
        return environment(templates_dir).get_template(f"{template}.html").render(context)
    except jinja2.TemplateNotFound:
        raise QualifyError(f"no packet template {template}.html in {templates_dir}") from None
    except jinja2.UndefinedError as exc:
        raise QualifyError(f"packet template {template}.html: {exc.message}") from None


@lru_cache(maxsize=64)
def template_names(templates_dir: Path, template: str) -> frozenset[str]:
    """Every top-level name a template and the templates it extends or includes refer to, so
    that a packet's context builds only what its template prints."""
    env = environment(templates_dir)
    assert env.loader is not None
    names: set[str] = set()
    seen: set[str] = set()
    todo = [f"{template}.html"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            source = env.loader.get_source(env, name)[0]
        except jinja2.TemplateNotFound:
            continue
        tree = env.parse(source)
        names |= meta.find_undeclared_variables(tree)
        todo.extend(n for n in meta.find_referenced_templates(tree) if n)
    return frozenset(names)


def _fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeFetcher(URLFetcher):  # type: ignore[misc]
        """Fetch `data:` URLs and files under one folder; refuse (and remember) the rest."""

        def __init__(self, root: Path) -> None:
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, timeout=1)
            self.root = root.resolve()
            self.refused: list[str] = []

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(url2pathname(urlsplit(url).path)).resolve()
                if path.is_file() and path.is_relative_to(self.root):
                    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
            self.refused.append(url)
            raise ValueError(f"a packet may not fetch {url}")

    return SafeFetcher


def safe_fetcher(root: Path) -> Any:
    """A fetcher that reads only `data:` URLs and files under `root`, with no redirects."""
    return _fetcher_class()(root)


@lru_cache(maxsize=1)
def _font_config() -> Any:
    # One FontConfiguration per process: WeasyPrint 70 makes a new one per document when given
    # none, and each leaks about 0.2 MB of fontconfig state (RSS grew with every packet).
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def html_to_pdf(
    html: str,
    templates_dir: Path,
    *,
    fetcher: Any | None = None,
) -> bytes:
    """Tagged PDF/A bytes for the HTML (a screen reader follows its structure); its <title> and
    <meta> give the document's metadata."""
    from weasyprint import HTML

    fetcher = fetcher or safe_fetcher(templates_dir)
    document = HTML(
        string=html,
        base_url=templates_dir.resolve().as_uri() + "/",
        url_fetcher=fetcher,
    )
    with warnings.catch_warnings():
        # WeasyPrint 70 opens its sRGB profile for PDF/A without closing it; the file is freed
        # (and the warning raised) inside write_pdf. Silence that one warning, nothing else.
        warnings.filterwarnings(
            "ignore", message=r"unclosed file .*sRGB2014\.icc", category=ResourceWarning
        )
        pdf = document.write_pdf(
            font_config=_font_config(),
            pdf_variant=PDF_VARIANT,
            pdf_tags=True,
            attachments=[],
            uncompressed_pdf=False,
        )
    assert isinstance(pdf, bytes)
    return pdf


def w3c_time(at: datetime) -> str:
    """The stored event time as WeasyPrint's metadata wants it (UTC, seconds)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file, fsync and rename: a reader sees the old file or the whole
    new one, and a crash leaves no half-written packet."""
    from qualify.records import ensure_folder, sync_folder, temporary

    try:
        fd, tmp = temporary(ensure_folder(path.parent), path.name)
    except OSError as exc:  # a file where the folder should be, /proc, no permission
        reason = exc.strerror or type(exc).__name__
        raise BadInput(f"cannot write packets in {path.parent}: {reason}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    sync_folder(path.parent)
