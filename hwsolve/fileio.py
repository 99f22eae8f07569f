"""Reading and writing files the way every hwsolve command must.

Readers take only a regular file, checked on the open descriptor (so a FIFO cannot block, and a
link to ``/dev/zero`` cannot eat memory), and read at most ``limit`` bytes.  Writers never write
over one of the command's inputs, never replace an existing file unless ``force`` is given, and
write through a temporary file in the same folder, so that a failed write (a full disk, a
missing folder) leaves the old file whole.  Every failure is an :class:`HwsolveError` naming the
file and, where a command-line option chose it, the option.

This module sits at the bottom of the layers: it imports only :mod:`hwsolve.errors`.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from hwsolve.errors import HwsolveError

MiB = 1024 * 1024


def _size_words(limit: int) -> str:
    if limit % MiB == 0:
        return f"{limit // MiB} MiB"
    if limit % 1024 == 0:
        return f"{limit // 1024} KiB"
    return f"{limit:,} bytes"


def read_bytes(path: str | os.PathLike, *, limit: int, what: str = "file",
               display: str | None = None, where: str | None = None) -> bytes:
    """The bytes of ``path``: a regular file (after following links) of at most ``limit``
    bytes.  ``what`` names the kind of file in messages ("problem file", "gradebook", ...)."""
    shown = display if display is not None else str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        if os.path.isdir(path):
            raise HwsolveError(f"is a folder, not a {what}", file=shown, where=where)
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise HwsolveError("no such file", file=shown, where=where) from None
    except HwsolveError:
        raise
    except OSError as exc:
        raise HwsolveError(f"cannot be read ({exc.strerror or exc})", file=shown,
                           where=where) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise HwsolveError(f"is not a regular file (a named pipe, socket or device); a "
                               f"{what} must be a regular file", file=shown, where=where)
        if info.st_size > limit:
            raise HwsolveError(f"is larger than {_size_words(limit)} ({info.st_size:,} bytes), "
                               f"the limit for a {what}", file=shown, where=where)
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except HwsolveError:
        raise
    except OSError as exc:
        raise HwsolveError(f"cannot be read ({exc.strerror or exc})", file=shown,
                           where=where) from None
    finally:
        os.close(fd)
    if total > limit:  # grew while being read
        raise HwsolveError(f"is larger than {_size_words(limit)}, the limit for a {what}",
                           file=shown, where=where)
    return b"".join(chunks)


def read_text(path: str | os.PathLike, *, limit: int, what: str = "file",
              display: str | None = None, where: str | None = None) -> str:
    """The UTF-8 text of ``path`` (a byte-order mark is dropped), checked as by read_bytes;
    a file with NUL bytes or bad UTF-8 is refused."""
    shown = display if display is not None else str(path)
    data = read_bytes(path, limit=limit, what=what, display=shown, where=where)
    if b"\0" in data:
        raise HwsolveError(f"is a binary file (it contains NUL bytes), not a {what}",
                           file=shown, where=where)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HwsolveError(f"is not UTF-8 text (bad byte at offset {exc.start})", file=shown,
                           where=where) from None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def check_writable(path: str | os.PathLike, *, force: bool = False, inputs=(),
                   option: str | None = None) -> Path:
    """Refuse, before any work is done, to write ``path`` over an input or over an existing
    file without ``force``.  Returns ``path`` as a Path."""
    target = Path(path)
    for source in inputs:
        if source is not None and _same_file(target, Path(source)):
            raise HwsolveError("is one of this command's inputs; choose another output file",
                               file=str(target), where=option)
    if target.is_dir():
        raise HwsolveError("is a folder; give a file name", file=str(target), where=option)
    if target.exists() and not target.is_file():  # a device, FIFO or socket: never replaced
        raise HwsolveError("is not a regular file (a device, named pipe or socket); hwsolve "
                           "writes only regular files (leave out the option to print)",
                           file=str(target), where=option)
    if os.path.lexists(target) and not force:
        raise HwsolveError("already exists; add --force to replace it, or choose another name",
                           file=str(target), where=option)
    return target


def write_file(path: str | os.PathLike, data: str | bytes, *, force: bool = False, inputs=(),
               option: str | None = None, newline: str | None = None) -> Path:
    """Write ``data`` to ``path`` safely: checked by :func:`check_writable`, then written to a
    temporary file in the same folder and moved into place, so that nothing is half-written."""
    target = check_writable(path, force=force, inputs=inputs, option=option)
    if isinstance(data, str):
        if newline is not None:
            data = data.replace("\n", newline)
        data = data.encode("utf-8")
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise HwsolveError(f"cannot be written ({exc.strerror or exc})", file=str(target),
                           where=option) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise HwsolveError(f"cannot be written ({exc.strerror or exc})", file=str(target),
                           where=option) from None
    return target


def check_folder_writable(folder: str | os.PathLike, names, *, force: bool = False, inputs=(),
                          option: str | None = None) -> Path:
    """Refuse, before any work, to write any of ``names`` into ``folder`` over an input or an
    existing file without ``force`` (all the clashes are named at once)."""
    base = Path(folder)
    if base.exists() and not base.is_dir():
        raise HwsolveError("exists and is not a folder", file=str(base), where=option)
    clashes = []
    for name in names:
        target = base / name
        for source in inputs:
            if source is not None and _same_file(target, Path(source)):
                raise HwsolveError("would be written over one of this command's inputs; "
                                   "choose another folder", file=str(target), where=option)
        if os.path.lexists(target) and not force:
            clashes.append(name)
    if clashes:
        shown = ", ".join(clashes[:5]) + (f" and {len(clashes) - 5} more"
                                          if len(clashes) > 5 else "")
        raise HwsolveError(f"already holds {shown}; add --force to replace them, or choose "
                           "another folder", file=str(base), where=option)
    return base
