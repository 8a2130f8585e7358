"""Walking, measuring and removing directory trees a tool may have made hostile (RUN-12, RUN-14).

A tool can leave a tree thousands of levels deep, hundreds of thousands of entries wide,
directories without permissions, and links anywhere. Everything here is iterative (an explicit
stack, never recursion: Python 3.11's ``os.walk`` and ``shutil.rmtree`` recurse and die with
``RecursionError``), works by directory file descriptors like ``rm -rf`` (no path ever gets longer
than one name, so depth is no problem; links are never followed), keeps at most
``MAX_OPEN_DIRS`` descriptors open whatever the depth (deeper ones are closed and reopened through
``..``, checked by device and inode), and is bounded where it walks a tool's output.

- ``walk``: every entry below a root, with a depth and an entry cap (``TreeLimitExceeded``).
- ``measure``: bytes allocated and entries under a root (the local runner's disk watchdog).
- ``remove_tree``: remove a tree; never raises, returns what it could not remove.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import attrs

MAX_OPEN_DIRS = 32
MAX_PROBLEMS = 20  # remove_tree reports at most this many paths it could not remove
MAX_SHOWN_PATH = 160  # …and shows at most the end of each path
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# An entry that vanished or changed kind while we looked: a running tool does that; skip it.
_VANISHED = frozenset({errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.ESTALE})


class TreeLimitExceeded(Exception):
    """A walk met an entry beyond its cap: ``kind`` is ``too_deep`` or ``too_many_entries``,
    ``path`` the entry's path relative to the root."""

    def __init__(self, kind: str, path: str, limit: int) -> None:
        super().__init__(f"{path}: {kind} (limit {limit})")
        self.kind = kind
        self.path = path
        self.limit = limit


@attrs.frozen
class TreeEntry:
    path: str
    """Relative to the root, ``/``-separated."""
    depth: int
    """1 for an entry directly in the root."""
    mode: int
    size: int
    allocated: int
    """Bytes on disk (``st_blocks × 512``)."""


@attrs.frozen
class Usage:
    allocated: int
    entries: int


@attrs.define
class _Frame:
    name: str
    rel: str
    depth: int
    ident: tuple[int, int]
    fd: int | None
    subdirs: list[tuple[str, int]] | None = None  # children still to visit: (name, inode)


_Events = Generator[tuple[_Frame, os.DirEntry[str] | None, int | None], None, None]


def _child_rel(parent: str, name: str) -> str:
    return f"{parent}/{name}" if parent else name


class _Walk:
    """Depth-first over the directory open as ``root_fd`` (owned from now on). Yields
    ``(frame, entry, None)`` for every entry of every directory, then ``(frame, None,
    parent_fd)`` once all of a directory's subdirectories are done (``parent_fd`` is None for
    the root). Subdirectories are entered after their parent's listing is complete.

    ``on_error(rel, error)``, when given, is told about a directory that cannot be opened or
    listed (its subtree is then skipped); without it the error is raised. Entries that vanish
    meanwhile are skipped silently. ``fix_permissions`` makes an unreadable directory of ours
    readable (chmod 0700) before giving up on it."""

    def __init__(
        self,
        root_fd: int,
        *,
        on_error: Callable[[str, OSError], None] | None = None,
        fix_permissions: bool = False,
    ) -> None:
        info = os.fstat(root_fd)
        self._stack = [_Frame("", "", 0, (info.st_dev, info.st_ino), root_fd)]
        self._lowest_open = 0  # frames below this index have their descriptor closed
        self._on_error = on_error
        self._fix_permissions = fix_permissions

    def events(self) -> _Events:
        try:
            while self._stack:
                frame = self._stack[-1]
                if frame.subdirs is None:
                    frame.subdirs = []
                    yield from self._list(frame)
                    continue
                if frame.subdirs:
                    name, inode = frame.subdirs.pop()
                    self._enter(frame, name, inode)
                    continue
                parent_fd = self._parent_fd()
                yield frame, None, parent_fd
                self._stack.pop()
                if frame.fd is not None:
                    os.close(frame.fd)
        finally:
            for frame in self._stack:
                if frame.fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(frame.fd)
                    frame.fd = None

    def _list(self, frame: _Frame) -> Iterator[tuple[_Frame, os.DirEntry[str] | None, None]]:
        assert frame.fd is not None
        assert frame.subdirs is not None
        try:
            with os.scandir(frame.fd) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir(follow_symlinks=False)
                    except OSError:
                        continue
                    yield frame, entry, None
                    if is_dir:
                        frame.subdirs.append((entry.name, entry.inode()))
        except OSError as error:
            self._failed(frame.rel, error)

    def _enter(self, frame: _Frame, name: str, inode: int) -> None:
        assert frame.fd is not None
        rel = _child_rel(frame.rel, name)
        try:
            fd = self._open_child(frame.fd, name)
        except OSError as error:
            if error.errno not in _VANISHED:
                self._failed(rel, error)
            return
        info = os.fstat(fd)
        if info.st_ino != inode:  # swapped for another directory since the listing
            os.close(fd)
            return
        self._stack.append(_Frame(name, rel, frame.depth + 1, (info.st_dev, info.st_ino), fd))
        if len(self._stack) - self._lowest_open > MAX_OPEN_DIRS:
            lowest = self._stack[self._lowest_open]
            if lowest.fd is not None:
                os.close(lowest.fd)
                lowest.fd = None
            self._lowest_open += 1

    def _open_child(self, dir_fd: int, name: str) -> int:
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
        except PermissionError:
            if not self._fix_permissions:
                raise
            # Ours (or we are root): a directory a tool chmod-ed 000. It is a directory (the
            # listing said so, and O_DIRECTORY|O_NOFOLLOW checks again when opening).
            os.chmod(name, 0o700, dir_fd=dir_fd, follow_symlinks=True)
            return os.open(name, _DIR_FLAGS, dir_fd=dir_fd)

    def _parent_fd(self) -> int | None:
        """The descriptor of the top frame's parent, reopened through ``..`` if it was closed."""
        if len(self._stack) < 2:
            return None
        parent, child = self._stack[-2], self._stack[-1]
        if parent.fd is None:
            assert child.fd is not None
            fd = os.open("..", _DIR_FLAGS, dir_fd=child.fd)
            info = os.fstat(fd)
            if (info.st_dev, info.st_ino) != parent.ident:
                os.close(fd)
                raise OSError(errno.ESTALE, "a directory was moved during the walk", parent.rel)
            parent.fd = fd
            self._lowest_open = len(self._stack) - 2
        return parent.fd

    def _failed(self, rel: str, error: OSError) -> None:
        if self._on_error is None:
            raise error
        self._on_error(rel or ".", error)


def _open_root(root: Path) -> int | None:
    """``root`` opened as a directory without following a final link; None when missing."""
    try:
        return os.open(root, _DIR_FLAGS)
    except FileNotFoundError:
        return None


def walk(
    root: Path, *, max_depth: int | None = None, max_entries: int | None = None
) -> Iterator[TreeEntry]:
    """Every entry under ``root`` (which must be a directory), links not followed. Raises
    ``TreeLimitExceeded`` at the first entry deeper than ``max_depth`` levels or past
    ``max_entries`` entries, and OSError when a directory cannot be read."""
    fd = _open_root(root)
    if fd is None:
        raise FileNotFoundError(errno.ENOENT, "no such directory", str(root))
    with contextlib.closing(_Walk(fd, fix_permissions=True).events()) as events:
        yield from _entries(events, max_depth, max_entries)


def _entries(
    events: _Events,
    max_depth: int | None,
    max_entries: int | None,
) -> Iterator[TreeEntry]:
    count = 0
    for frame, entry, _ in events:
        if entry is None:
            continue
        rel = _child_rel(frame.rel, entry.name)
        depth = frame.depth + 1
        if max_depth is not None and depth > max_depth:
            raise TreeLimitExceeded("too_deep", rel, max_depth)
        count += 1
        if max_entries is not None and count > max_entries:
            raise TreeLimitExceeded("too_many_entries", rel, max_entries)
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError as error:
            if error.errno in _VANISHED:
                continue
            raise
        yield TreeEntry(rel, depth, info.st_mode, info.st_size, info.st_blocks * 512)


def measure(
    root: Path, *, max_entries: int | None = None, max_allocated: int | None = None
) -> Usage:
    """Bytes allocated and entries under ``root`` (0 when it is missing). Stops counting once
    past ``max_entries`` entries or ``max_allocated`` bytes (a directory's own entries are
    counted before its subdirectories', so big files near the top stop it early). Entries
    that vanish meanwhile are skipped; anything else that keeps a
    directory from being measured raises (OSError)."""
    fd = _open_root(root)
    if fd is None:
        return Usage(0, 0)
    allocated = entries = 0
    with contextlib.closing(_Walk(fd, fix_permissions=True).events()) as events:
        for _, entry, _ in events:
            if entry is None:
                continue
            entries += 1
            with contextlib.suppress(FileNotFoundError):
                allocated += entry.stat(follow_symlinks=False).st_blocks * 512
            if max_entries is not None and entries > max_entries:
                break
            if max_allocated is not None and allocated > max_allocated:
                break
    return Usage(allocated, entries)


def remove_tree(path: Path) -> list[str]:
    """Remove ``path`` (a directory tree, a file or a link; nothing when missing) without
    following links, making directories of ours writable where needed. Never raises: returns
    what could not be removed (at most ``MAX_PROBLEMS`` lines, "relative path: reason")."""
    problems: list[str] = []

    def note(rel: str, error: BaseException) -> None:
        if len(problems) < MAX_PROBLEMS:
            shown = rel if len(rel) <= MAX_SHOWN_PATH else "…" + rel[-MAX_SHOWN_PATH:]
            reason = getattr(error, "strerror", None) or str(error)[:MAX_SHOWN_PATH]
            problems.append(f"{shown}: {reason}")

    try:
        parent_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except FileNotFoundError:
        return []
    except OSError as error:
        return [f".: {error}"]
    try:
        _remove_in(parent_fd, path.name, note)
    except Exception as error:  # never raise; say what happened instead
        note(".", error)
    finally:
        os.close(parent_fd)
    return problems


def _remove_in(parent_fd: int, name: str, note: Callable[[str, BaseException], None]) -> None:
    try:
        info = os.stat(name, dir_fd=parent_fd, follow_symlinks=False)
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(info.st_mode):
        os.unlink(name, dir_fd=parent_fd)
        return
    try:
        root_fd = os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
    except PermissionError:
        os.chmod(name, 0o700, dir_fd=parent_fd)
        root_fd = os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
    with contextlib.closing(_Walk(root_fd, on_error=note, fix_permissions=True).events()) as ev:
        _remove_all(ev, note)
    try:
        os.rmdir(name, dir_fd=parent_fd)
    except FileNotFoundError:
        pass
    except OSError as error:
        note(".", error)


def _remove_all(
    events: _Events,
    note: Callable[[str, BaseException], None],
) -> None:
    for frame, entry, frame_parent_fd in events:
        if entry is None:
            if frame_parent_fd is not None:
                try:
                    os.rmdir(frame.name, dir_fd=frame_parent_fd)
                except FileNotFoundError:
                    pass
                except OSError as error:
                    note(frame.rel, error)
            continue
        if entry.is_dir(follow_symlinks=False):
            continue
        assert frame.fd is not None
        _unlink(frame.fd, entry.name, _child_rel(frame.rel, entry.name), note)


def _unlink(dir_fd: int, name: str, rel: str, note: Callable[[str, BaseException], None]) -> None:
    try:
        os.unlink(name, dir_fd=dir_fd)
        return
    except FileNotFoundError:
        return
    except PermissionError:
        pass
    except OSError as error:
        note(rel, error)
        return
    try:  # a directory without write permission (the tool's chmod): make it ours again
        os.fchmod(dir_fd, 0o700)
        os.unlink(name, dir_fd=dir_fd)
    except FileNotFoundError:
        pass
    except OSError as error:
        note(rel, error)


__all__ = ["TreeEntry", "TreeLimitExceeded", "Usage", "measure", "remove_tree", "walk"]
