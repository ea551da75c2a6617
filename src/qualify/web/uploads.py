"""A form's file, held the same way on every page that takes one: in a temporary folder under
its own (cleaned) name, read at most one byte past the limit so the service refuses an
oversized file in its own words."""

from __future__ import annotations

import re
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import NamedTuple

from starlette.datastructures import FormData, UploadFile

from qualify.web.limits import megabytes

UPLOAD_NAME = re.compile(r"[^A-Za-z0-9._ -]")


class Upload(NamedTuple):
    """The file as the service takes it (None when none was chosen), and whether one was."""

    file: Path | None
    chosen: bool


def upload_name(upload: UploadFile) -> str:
    """The uploaded file's own name, as the record keeps it, without folders or odd bytes."""
    name = UPLOAD_NAME.sub("_", Path(upload.filename or "").name).strip(" .")[:100]
    return name or "upload"


@asynccontextmanager
async def held_upload(form: FormData, max_bytes: int, name: str = "file") -> AsyncIterator[Upload]:
    """The form's file written to a temporary folder for as long as the block runs."""
    upload = form.get(name)
    chosen = isinstance(upload, UploadFile) and bool(upload.filename or upload.size)
    with tempfile.TemporaryDirectory(prefix="qualify-upload-") as folder:
        file = None
        if isinstance(upload, UploadFile) and chosen:
            file = Path(folder) / upload_name(upload)
            file.write_bytes(await upload.read(max_bytes + 1))
        yield Upload(file, chosen)


def over_limit(max_bytes: int) -> str:
    """What a page says beside a file that is over the limit."""
    return f"the file is over {megabytes(max_bytes)}, the most a file may be; choose a smaller one"
