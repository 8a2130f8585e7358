"""Builds the runner image without Docker Hub (DESIGN §4, RUN-16).

1. ``debootstrap --variant=minbase --include=<PACKAGES> bookworm`` makes a Debian rootfs with
   python3 and the tool libraries from Debian's packages. Its tarball is cached under
   ``<data_dir>/runner-image/`` (keyed by suite + package list), so a rebuild takes seconds.
2. The cached tarball is streamed through a filter that drops docs, man pages, locales and apt
   caches, adds the user ``runner`` (uid 10001, shell ``/usr/sbin/nologin``), ``/sandbox`` and
   ``/tmp`` (mode 1777) and ``/runner/{agent,wrapper,skriptoteket_tool}.py`` (root-owned,
   read-only), and the result is imported with ``docker import`` semantics (the SDK's
   ``import_image_from_file``) as ``settings.runner_image``.
3. The image carries the label ``skriptoteket.runner.hash``: a hash of the in-container files and
   the package list. The runner refuses an image whose label differs ("out of date").

Needs root (debootstrap) and the Debian mirror; never Docker Hub.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

from skriptoteket import sandbox
from skriptoteket.domain.errors import DomainError, ErrorCode
from skriptoteket.settings import Settings

from skriptoteket_docker.containers import IMAGE_HASH_LABEL, RUNNER_UID, Engine

IMAGE_FORMAT = "3"
SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
PACKAGES = (
    "python3",
    "python3-openpyxl",
    "python3-docx",
    "python3-pypdf",
    "python3-pandas",
    "python3-matplotlib",
    "python3-markdown",
    "python3-jinja2",
    "python3-pil",
    "fonts-dejavu-core",
)
DROP_PREFIXES = (
    "usr/share/doc/",
    "usr/share/man/",
    "usr/share/info/",
    "usr/share/locale/",
    "usr/share/lintian/",
    "var/cache/apt/",
    "var/lib/apt/lists/",
    "var/cache/debconf/",
    "var/log/",
)
AGENT_PATH = Path(__file__).with_name("agent.py")
IN_CONTAINER_FILES = {
    "runner/agent.py": AGENT_PATH,
    "runner/wrapper.py": sandbox.WRAPPER_PATH,
    "runner/skriptoteket_tool.py": sandbox.TOOL_MODULE_PATH,
}
Progress = Callable[[str], None]


def _package_key() -> str:
    return hashlib.sha256(f"{SUITE}|{','.join(PACKAGES)}".encode()).hexdigest()[:16]


def runner_image_hash() -> str:
    """The content hash the image is labelled with: in-container files + packages + format."""
    digest = hashlib.sha256(f"{IMAGE_FORMAT}|{_package_key()}".encode())
    for name, path in sorted(IN_CONTAINER_FILES.items()):
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


CACHE_ENV = "SKRIPTOTEKET_RUNNER_IMAGE_CACHE"


def cache_dir(settings: Settings) -> Path:
    """``$SKRIPTOTEKET_RUNNER_IMAGE_CACHE`` or ``<data_dir>/runner-image``."""
    configured = os.environ.get(CACHE_ENV, "")
    return Path(configured) if configured else settings.data_dir / "runner-image"


def rootfs_tarball(
    settings: Settings, progress: Progress, *, fresh: bool = False, mirror: str = DEFAULT_MIRROR
) -> Path:
    """The cached debootstrap tarball, made first when missing (or ``fresh``)."""
    directory = cache_dir(settings)
    directory.mkdir(parents=True, exist_ok=True)
    tarball = directory / f"rootfs-{SUITE}-{_package_key()}.tar"
    if tarball.exists() and not fresh:
        progress(f"Using the cached Debian rootfs {tarball}")
        return tarball
    if shutil.which("debootstrap") is None:
        raise DomainError(
            ErrorCode.SERVICE_UNAVAILABLE,
            "debootstrap is not installed; install it with `apt-get install debootstrap`.",
        )
    if os.geteuid() != 0:
        raise DomainError(
            ErrorCode.SERVICE_UNAVAILABLE, "Building the rootfs needs root (debootstrap)."
        )
    with tempfile.TemporaryDirectory(dir=directory, prefix="rootfs-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        command = [
            "debootstrap",
            "--variant=minbase",
            f"--include={','.join(PACKAGES)}",
            SUITE,
            str(rootfs),
            mirror,
        ]
        progress("$ " + " ".join(command))
        _stream(command, progress)
        progress("Packing the rootfs into the cache")
        partial = tarball.with_suffix(".partial")
        subprocess.run(
            ["tar", "-C", str(rootfs), "--numeric-owner", "-cf", str(partial), "."], check=True
        )
        partial.replace(tarball)
    return tarball


def _stream(command: list[str], progress: Progress) -> None:
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            progress(line.rstrip())
        code = proc.wait()
    if code != 0:
        raise DomainError(
            ErrorCode.SERVICE_UNAVAILABLE, f"debootstrap failed (exit {code}); see its output."
        )


def _normal(name: str) -> str:
    while name.startswith("./"):
        name = name[2:]
    return name.lstrip("/")


def _patched(name: str, data: bytes) -> bytes:
    if name == "etc/passwd":
        line = f"runner:x:{RUNNER_UID}:{RUNNER_UID}:Skriptoteket sandbox:/tmp:/usr/sbin/nologin\n"
        return data + line.encode()
    if name == "etc/group":
        return data + f"runner:x:{RUNNER_UID}:\n".encode()
    return data


def _directory(name: str, mode: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = mode
    return info


def write_image_tar(source: Path, target: Path, on_bytes: Callable[[int], None]) -> None:
    """Filter the cached rootfs into the final image tarball (see the module docstring)."""
    added = {"sandbox", "tmp", "runner"}
    with (
        tarfile.open(source, "r|") as src,
        tarfile.open(target, "w", format=tarfile.GNU_FORMAT) as out,
    ):
        for member in src:
            name = _normal(member.name)
            on_bytes(member.size if member.isfile() else 0)
            if not name or name in added:
                continue
            member.name = name
            if (name + "/").startswith(DROP_PREFIXES):
                if member.isdir() and name + "/" in DROP_PREFIXES:
                    out.addfile(member)  # keep the (now empty) directory itself
                continue
            if member.isfile():
                handle = src.extractfile(member)
                assert handle is not None
                if name in ("etc/passwd", "etc/group"):
                    data = _patched(name, handle.read())
                    member.size = len(data)
                    out.addfile(member, io.BytesIO(data))
                else:
                    out.addfile(member, handle)
            else:
                out.addfile(member)
        out.addfile(_directory("sandbox", 0o1777))
        out.addfile(_directory("tmp", 0o1777))
        out.addfile(_directory("runner", 0o755))
        for name, path in sorted(IN_CONTAINER_FILES.items()):
            data = path.read_bytes()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o444
            out.addfile(info, io.BytesIO(data))


def image_is_current(engine: Engine, image: str) -> bool:
    try:
        engine.check_image(image, runner_image_hash())
    except DomainError:
        return False
    return True


def build_image(
    settings: Settings,
    *,
    force: bool = False,
    fresh_rootfs: bool = False,
    mirror: str = DEFAULT_MIRROR,
    progress: Progress = print,
    on_bytes: Callable[[int], None] | None = None,
    engine: Engine | None = None,
) -> str:
    """Build ``settings.runner_image`` unless it is current (``force`` rebuilds anyway).
    Returns the image id."""
    engine = engine or Engine.connect()
    image = settings.runner_image
    wanted = runner_image_hash()
    if not force and not fresh_rootfs and image_is_current(engine, image):
        progress(f"{image} is up to date (hash {wanted})")
        return str(engine.client.images.get(image).id)
    tarball = rootfs_tarball(settings, progress, fresh=fresh_rootfs, mirror=mirror)
    repository, _, tag = (
        image.rpartition(":") if ":" in image.rsplit("/", 1)[-1] else (image, "", "latest")
    )
    with tempfile.TemporaryDirectory(dir=cache_dir(settings), prefix="image-") as tmp:
        target = Path(tmp) / "image.tar"
        progress("Assembling the image filesystem")
        write_image_tar(tarball, target, on_bytes or (lambda _n: None))
        progress(f"Importing {image}")
        changes = [
            "USER runner",
            "WORKDIR /sandbox",
            "ENV PATH=/usr/local/bin:/usr/bin:/bin",
            "ENV LANG=C.UTF-8",
            f"LABEL {IMAGE_HASH_LABEL}={wanted}",
            'CMD ["python3", "-I", "/runner/agent.py"]',
        ]
        engine.client.api.import_image_from_file(
            str(target), repository=repository, tag=tag or "latest", changes=changes
        )
    found = engine.client.images.get(image)
    progress(f"Built {image} ({found.short_id}, {found.attrs.get('Size', 0) / 1e6:.0f} MB)")
    return str(found.id)
