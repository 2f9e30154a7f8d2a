"""Reading input files safely: regular files only, a size cap, UTF-8 with a clear message."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ._errors import Problem

__all__ = ["MAX_FILE_BYTES", "InputProblem", "decode_text", "read_text_file"]

MAX_FILE_BYTES = 4 * 1024 * 1024
"""The largest proposal or rule file read, in bytes (4 MiB)."""


class InputProblem(Exception):
    """Raised with a :class:`Problem` when an input cannot be read or parsed."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def _refuse(source: str, message: str, hint: str | None, *, code: str) -> InputProblem:
    return InputProblem(Problem("$", message, hint, source, code=code))


def read_text_file(
    path: Path, source: str, *, follow_links: bool = True, limit: int = MAX_FILE_BYTES
) -> str:
    """The text of a regular file of at most ``limit`` bytes; never blocks on a FIFO or a
    device, and, without ``follow_links``, refuses a symbolic link."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    if not follow_links:
        if path.is_symlink():
            raise _refuse(
                source,
                "is a symbolic link; links inside a rule pack are not followed",
                "copy the file into the pack folder",
                code="not-a-regular-file",
            )
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise _refuse(
            source, "cannot read the file: no such file", "check the path", code="not-found"
        ) from None
    except OSError as exc:
        raise _refuse(
            source, f"cannot read the file: {exc.strerror}", "check the path", code="cannot-read"
        ) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise _refuse(
                source,
                f"is {kind} (a FIFO, device or folder is never read)",
                "give the path of a YAML or JSON file",
                code="not-a-regular-file",
            )
        if info.st_size > limit:
            raise _too_large(source, limit)
        chunks = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise _too_large(source, limit)
    except OSError as exc:
        raise _refuse(
            source, f"cannot read the file: {exc.strerror}", None, code="cannot-read"
        ) from None
    finally:
        os.close(fd)
    return decode_text(b"".join(chunks), source)


def _too_large(source: str, limit: int) -> InputProblem:
    return _refuse(
        source,
        f"the file is larger than the limit of {limit // (1024 * 1024)} MiB",
        "a proposal or rule file is a few kilobytes; check this is the right file",
        code="file-too-large",
    )


_UTF16_32 = (b"\xff\xfe", b"\xfe\xff")


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 text (a leading byte order mark is dropped), or a problem naming the first byte
    that is not UTF-8, its offset and line, and how to re-save the file."""
    if data.startswith(_UTF16_32):
        raise _refuse(
            source,
            "the file is UTF-16 or UTF-32 text, not UTF-8",
            "re-save it as UTF-8 (in Notepad: Save As, Encoding: UTF-8)",
            code="encoding",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = data[exc.start]
        line = data.count(b"\n", 0, exc.start) + 1
        looks = (
            " (it looks like Windows-1252, for example a curly quote or dash from Word)"
            if 0x80 <= byte <= 0x9F or byte in (0xA3, 0xA9, 0xAE)
            else ""
        )
        raise InputProblem(
            Problem(
                "$",
                f"not UTF-8 text: byte 0x{byte:02x} at byte offset {exc.start}{looks}",
                "re-save the file as UTF-8 (Save As, Encoding: UTF-8)",
                source,
                line,
                code="encoding",
            )
        ) from None
