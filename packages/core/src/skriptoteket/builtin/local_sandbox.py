"""How the local runner isolates one run: the command line, the environment and the process
limits (DESIGN §5). Standard library only.

Three isolation levels, probed once per runner and reported in ``RunnerOutcome.diagnostics``:

- ``bubblewrap``: ``bwrap`` with every namespace unshared (no network, own pid/ipc/uts/user
  namespace, no nested user namespaces where bwrap supports it), a read-only view of only
  ``/usr``, the ``/lib*`` links, a few ``/etc`` files and the interpreter's prefixes, size-limited
  tmpfs for ``/tmp`` and ``/dev/shm``, everything else read-only, and the run's files under
  ``/sandbox``. The script cannot see the app's data dir, database, other runs, ``/home`` or
  ``/work``; it sees the interpreter's own directories read-only.
- ``netns``: no bwrap, but the child enters a fresh network namespace (needs root or
  unprivileged user namespaces). The file system is NOT isolated.
- ``none``: a plain child process with a clean environment and rlimits only.

In every level the wrapper runs under ``python -I -B`` through :data:`LAUNCHER`, which sets the
rlimits inside the sandbox (RLIMIT_NPROC must be set inside bwrap's user namespace, not before it)
and then executes the wrapper file as ``__main__``.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import attrs

from skriptoteket.sandbox import (
    ENV_CONTRACT,
    ENV_ENTRYPOINT,
    ENV_INPUT_DIR,
    ENV_INPUT_PATH,
    ENV_INPUTS_PATH,
    ENV_MAX_RESULT_BYTES,
    ENV_OUTPUT_DIR,
    ENV_RESULT_PATH,
    ENV_SCRIPT_PATH,
    WRAPPER_PATH,
)

SANDBOX_PACKAGE_DIR = WRAPPER_PATH.parent
SANDBOX_UID = 65534
PROBE_TIMEOUT = 20.0

# argv: -c LAUNCHER <wrapper> <run id> <cpu s> <address space> <file size> <processes>
LAUNCHER = """\
import resource as r, sys
a = sys.argv
w = a[1]
for k, v in zip((r.RLIMIT_CPU, r.RLIMIT_AS, r.RLIMIT_FSIZE, r.RLIMIT_NPROC, r.RLIMIT_CORE),
                (*a[3:7], 0)):
    v = int(v)
    h = r.getrlimit(k)[1]
    if h != r.RLIM_INFINITY and h < v:
        v = h
    r.setrlimit(k, (v, v))
sys.argv = [w]
with open(w, "rb") as f:
    c = compile(f.read(), w, "exec")
del a, f, h, k, r, v
exec(c, {"__name__": "__main__", "__file__": w, "__builtins__": __builtins__})
"""

ETC_ENTRIES = (
    "alternatives",
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "fonts",
    "mime.types",
    "ssl",
    "ca-certificates",
    "matplotlibrc",
)
ROOT_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1


@attrs.frozen
class SandboxPaths:
    """Where a run's files are, on the host and as the script sees them."""

    job_dir: Path  # host: script.py, inputs.json, result/ (and runner/, home/, tmp/ unsandboxed)
    input_dir: Path  # host: job.workspace/input
    output_dir: Path  # host: job.workspace/output
    root: str  # the sandbox root as the script sees it

    def inside(self, name: str) -> str:
        return f"{self.root}/{name}"


@attrs.frozen
class ProcessLimits:
    cpu_seconds: int
    address_space: int
    file_size: int
    processes: int
    work_area: int


def launcher_argv(python: str, wrapper: str, marker: str, limits: ProcessLimits) -> list[str]:
    return [
        python,
        "-I",
        "-B",
        "-c",
        LAUNCHER,
        wrapper,
        marker,
        str(limits.cpu_seconds),
        str(limits.address_space),
        str(limits.file_size),
        str(limits.processes),
    ]


def sandbox_env(
    paths: SandboxPaths,
    *,
    entrypoint: str,
    contract: int,
    input_path: str,
    home: str,
    tmp: str,
    max_result_bytes: int,
) -> dict[str, str]:
    """The complete environment of the wrapper: nothing is inherited from the app."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": tmp,
        "XDG_CACHE_HOME": home + "/.cache",
        "MPLCONFIGDIR": home + "/.matplotlib",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        ENV_SCRIPT_PATH: paths.inside("script.py"),
        ENV_ENTRYPOINT: entrypoint,
        ENV_CONTRACT: str(contract),
        ENV_INPUT_DIR: paths.inside("input"),
        ENV_INPUT_PATH: input_path,
        ENV_INPUTS_PATH: paths.inside("inputs.json"),
        ENV_OUTPUT_DIR: paths.inside("output"),
        ENV_RESULT_PATH: paths.inside("result/result.json"),
        ENV_MAX_RESULT_BYTES: str(max_result_bytes),
    }


def python_dirs(python: str) -> tuple[str, ...]:
    """The directories an interpreter needs (its prefixes, its venv); read-only in the sandbox."""
    if os.path.realpath(python) == os.path.realpath(sys.executable):
        found = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    else:
        code = "import sys;print(sys.prefix,sys.base_prefix,sys.exec_prefix,sys.base_exec_prefix)"
        out = subprocess.run(
            [python, "-I", "-c", code],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
            check=True,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        ).stdout
        found = out.split()
    found += [os.path.dirname(os.path.abspath(python)), os.path.dirname(os.path.realpath(python))]
    return _outermost(os.path.realpath(p) for p in found if p)


def _outermost(paths: Iterable[str]) -> tuple[str, ...]:
    kept: list[str] = []
    for path in sorted(set(paths)):
        if path in ("/", "/usr") or path.startswith("/usr/"):
            continue  # /usr is bound whole
        if not any(path == k or path.startswith(k + "/") for k in kept):
            kept.append(path)
    return tuple(kept)


def bubblewrap_argv(
    bwrap: str,
    flags: Sequence[str],
    dirs: Sequence[str],
    paths: SandboxPaths,
    env: Mapping[str, str],
    limits: ProcessLimits,
    command: Sequence[str],
) -> list[str]:
    size = str(limits.work_area)
    argv = [bwrap, *flags]
    argv += ["--ro-bind", "/usr", "/usr"]
    for name in ROOT_LINKS:
        host = "/" + name
        if os.path.islink(host):
            argv += ["--symlink", os.readlink(host), host]
        elif os.path.isdir(host):
            argv += ["--ro-bind", host, host]
    for name in ETC_ENTRIES:
        host = "/etc/" + name
        if os.path.exists(host):
            argv += ["--ro-bind", host, host]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    argv += ["--size", size, "--tmpfs", "/dev/shm", "--size", size, "--tmpfs", "/tmp"]
    # After the tmpfs: an interpreter or venv that lives under /tmp (a CI checkout) stays visible.
    for directory in dirs:
        argv += ["--ro-bind", directory, directory]
    argv += ["--dir", env["HOME"]]
    job = paths.job_dir
    argv += ["--ro-bind", str(job / "script.py"), paths.inside("script.py")]
    if (job / "inputs.json").exists():
        argv += ["--ro-bind", str(job / "inputs.json"), paths.inside("inputs.json")]
    argv += ["--ro-bind", str(SANDBOX_PACKAGE_DIR), paths.inside("runner")]
    argv += ["--ro-bind", str(paths.input_dir), paths.inside("input")]
    argv += ["--bind", str(paths.output_dir), paths.inside("output")]
    argv += ["--bind", str(job / "result"), paths.inside("result")]
    argv += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", paths.root]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    return [*argv, *command]


BUBBLEWRAP_BASE = (
    "--unshare-all",
    "--unshare-user",
    "--uid",
    str(SANDBOX_UID),
    "--gid",
    str(SANDBOX_UID),
    "--hostname",
    "sandbox",
    "--die-with-parent",
    "--new-session",
    "--clearenv",
    "--cap-drop",
    "ALL",
)
BUBBLEWRAP_VARIANTS = (("--disable-userns", *BUBBLEWRAP_BASE), BUBBLEWRAP_BASE)


def probe_bubblewrap(python: str, dirs: Sequence[str]) -> tuple[str, tuple[str, ...]] | None:
    """The bwrap binary and the first flag set that runs the wrapper end to end, or None."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return None
    limits = ProcessLimits(30, 1 << 30, 1 << 20, 64, 1 << 20)
    with tempfile.TemporaryDirectory(prefix="skriptoteket-probe-") as tmp:
        paths = _probe_paths(Path(tmp), "/sandbox")
        env = sandbox_env(
            paths, entrypoint="run_tool", contract=1, input_path="/sandbox/input/x",
            home="/tmp/home", tmp="/tmp", max_result_bytes=1 << 20,
        )  # fmt: skip
        command = launcher_argv(python, paths.inside("runner/wrapper.py"), "probe", limits)
        for flags in BUBBLEWRAP_VARIANTS:
            argv = bubblewrap_argv(bwrap, flags, dirs, paths, env, limits, command)
            if _probe_ok(argv, paths, {}, None):
                return bwrap, flags
    return None


def probe_network_namespace(python: str) -> tuple[str, Callable[[], None] | None]:
    """``("netns", preexec)`` when the child can enter a fresh network namespace, else
    ``("none", None)``. The preexec also asks for SIGKILL when the runner's thread dies."""
    libc = _libc()
    if libc is None:
        return "none", None
    limits = ProcessLimits(30, 1 << 30, 1 << 20, 64, 1 << 20)
    for mode in ("net", "user+net"):
        preexec = _netns_preexec(libc, mode, os.getuid(), os.getgid())
        with tempfile.TemporaryDirectory(prefix="skriptoteket-probe-") as tmp:
            paths = _probe_paths(Path(tmp), tmp)
            env = sandbox_env(
                paths, entrypoint="run_tool", contract=1, input_path=tmp + "/input/x",
                home=tmp, tmp=tmp, max_result_bytes=1 << 20,
            )  # fmt: skip
            (paths.job_dir / "runner").mkdir()
            shutil.copy2(WRAPPER_PATH, paths.job_dir / "runner" / "wrapper.py")
            argv = launcher_argv(python, paths.inside("runner/wrapper.py"), "probe", limits)
            if _probe_ok(argv, paths, env, preexec):
                return "netns", preexec
    return "none", None


def _probe_paths(tmp: Path, root: str) -> SandboxPaths:
    for name in ("input", "output", "result"):
        (tmp / name).mkdir()
    (tmp / "script.py").write_text("def run_tool(i, o):\n    return 'ok'\n", encoding="utf-8")
    return SandboxPaths(job_dir=tmp, input_dir=tmp / "input", output_dir=tmp / "output", root=root)


def _probe_ok(
    argv: Sequence[str],
    paths: SandboxPaths,
    env: Mapping[str, str],
    preexec: Callable[[], None] | None,
) -> bool:
    try:
        done = subprocess.run(
            argv,
            env=dict(env),
            capture_output=True,
            timeout=PROBE_TIMEOUT,
            preexec_fn=preexec,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    result = paths.job_dir / "result" / "result.json"
    return done.returncode == 0 and result.is_file() and b'"ok"' in result.read_bytes()


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _netns_preexec(libc: ctypes.CDLL, mode: str, uid: int, gid: int) -> Callable[[], None]:
    """Runs in the forked child before exec: only async-signal-safe-ish work, no imports."""
    unshare = libc.unshare
    prctl = libc.prctl

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if mode == "net":
            if unshare(CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET)")
            return
        if unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWUSER|CLONE_NEWNET)")
        for name, text in (
            ("setgroups", "deny"),
            ("uid_map", f"{uid} {uid} 1"),
            ("gid_map", f"{gid} {gid} 1"),
        ):
            fd = os.open(f"/proc/self/{name}", os.O_WRONLY)
            try:
                os.write(fd, text.encode())
            finally:
                os.close(fd)

    return preexec


def pdeathsig_preexec() -> Callable[[], None] | None:
    libc = _libc()
    if libc is None:
        return None
    prctl = libc.prctl

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    return preexec


JOIN_CGROUP_SHELL = "/bin/sh"


def join_cgroup_argv(procs_path: str, argv: list[str]) -> list[str]:
    """``argv`` behind a shell that first moves itself into a pids cgroup and then execs it.

    Used when no other preexec step is needed: a ``preexec_fn`` makes Python fork the whole app
    process instead of vfork/posix_spawn (~15 ms a run here), a ``/bin/sh`` exec costs ~1 ms. If
    the move fails, the shell exits with its error before anything of the run starts."""
    script = 'echo 0 > "$0" && exec "$@"'
    return [JOIN_CGROUP_SHELL, "-c", script, procs_path, *argv]


def join_cgroup(
    procs_fd: int | None, inner: Callable[[], None] | None
) -> Callable[[], None] | None:
    """A preexec that moves the child into a pids cgroup, then runs ``inner``."""
    if procs_fd is None:
        return inner

    def preexec() -> None:
        os.write(procs_fd, b"0")
        if inner is not None:
            inner()

    return preexec


def kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def kill_marked(marker: str) -> int:
    """SIGKILL every process whose command line contains ``marker`` (a run's private directory,
    which its bubblewrap or wrapper command line names); return how many were found.

    Without a pids cgroup this is how a run's processes are found once their process group is
    gone: bubblewrap's in-namespace init is forked in a process group of its own when it is told
    ``--new-session``, and if bubblewrap is killed before that init has asked to die with its
    parent, it is re-parented to init and lives on. Killing that init ends its pid namespace."""
    needle = marker.encode()
    found = 0
    own = os.getpid()
    with os.scandir("/proc") as entries:
        pids = [int(e.name) for e in entries if e.name.isdigit() and int(e.name) != own]
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                cmdline = handle.read()
        except OSError:
            continue
        if needle in cmdline:
            found += 1
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
    return found
