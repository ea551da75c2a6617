"""File types an evidence file field may accept, recognised by their content, not their name.

A workflow lists them per file field (`accept: [pdf, png, jpeg]`); a file whose first bytes are
not one of the listed types is refused, whatever its extension says.
"""

from __future__ import annotations

from typing import Literal, get_args

FileType = Literal["pdf", "png", "jpeg", "gif", "tiff", "webp", "text"]
FILE_TYPES: tuple[FileType, ...] = get_args(FileType)
DEFAULT_ACCEPT: tuple[FileType, ...] = ("pdf", "png", "jpeg")

LABELS: dict[FileType, str] = {
    "pdf": "PDF",
    "png": "PNG image",
    "jpeg": "JPEG image",
    "gif": "GIF image",
    "tiff": "TIFF image",
    "webp": "WebP image",
    "text": "plain text (UTF-8)",
}

_MAGIC: list[tuple[FileType, tuple[bytes, ...]]] = [
    ("pdf", (b"%PDF-",)),
    ("png", (b"\x89PNG\r\n\x1a\n",)),
    ("jpeg", (b"\xff\xd8\xff",)),
    ("gif", (b"GIF87a", b"GIF89a")),
    ("tiff", (b"II*\x00", b"MM\x00*")),
]


def sniff(data: bytes) -> FileType | None:
    """The type of a file from its content, or None when it is none of FILE_TYPES."""
    for kind, prefixes in _MAGIC:
        if data.startswith(prefixes):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if _is_text(data):
        return "text"
    return None


def _is_text(data: bytes) -> bool:
    """UTF-8 text without control characters other than tab, line feed and carriage return."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return bool(text) and not any((ord(c) < 32 and c not in "\t\n\r") or c == "\x7f" for c in text)


def describe(types: tuple[FileType, ...] | list[FileType]) -> str:
    """'PDF, PNG image or JPEG image'."""
    labels = [LABELS[t] for t in types]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]
