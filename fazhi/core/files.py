"""Content sniffing: a file's type comes from its first bytes, not its name."""

from __future__ import annotations

import zipfile
from typing import IO

# (magic prefix, offset, MIME type)
_SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"%PDF-", 0, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"RIFF", 0, "riff"),
    (b"ID3", 0, "audio/mpeg"),
    (b"\xff\xfb", 0, "audio/mpeg"),
    (b"ftyp", 4, "video/mp4"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "application/x-ole-storage"),
    (b"PK\x03\x04", 0, "application/zip"),
]

_OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

ALLOWED_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "audio/mpeg",
        "audio/wav",
        "video/mp4",
        "video/x-msvideo",
        "application/x-ole-storage",
        "application/zip",
        "text/plain",
        "text/csv",
        *_OOXML.values(),
    }
)


def sniff(head: bytes, stream: IO[bytes] | None = None) -> str:
    """Return the MIME type the content shows (``application/octet-stream`` if unknown)."""
    for magic, offset, mime in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if mime == "riff":
                kind = head[8:12]
                return {
                    b"WAVE": "audio/wav",
                    b"WEBP": "image/webp",
                    b"AVI ": "video/x-msvideo",
                }.get(kind, "application/octet-stream")
            if mime == "application/zip" and stream is not None:
                return _zip_kind(stream)
            return mime
    if _looks_like_text(head):
        return "text/plain"
    return "application/octet-stream"


def _zip_kind(stream: IO[bytes]) -> str:
    position = stream.tell()
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return "application/octet-stream"
    finally:
        stream.seek(position)
    for prefix, mime in _OOXML.items():
        if any(name.startswith(prefix) for name in names):
            return mime
    return "application/zip"


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError:
            # A multi-byte character may be cut at the end of the sample.
            try:
                head[:-4].decode(encoding)
            except UnicodeDecodeError:
                continue
        return True
    return False
