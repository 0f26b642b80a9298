"""Tributary reuse narrowing: record what this Python process observes of the step's snapshot.

Put on PYTHONPATH (ahead of everything else) only for Python steps whose result can be reused.
Active only when TRIBUTARY_READS_FILE and TRIBUTARY_READS_ROOT are set. It appends one line per
distinct observation to TRIBUTARY_READS_FILE, paths relative to TRIBUTARY_READS_ROOT (the folder
the snapshot was materialised in), tab-separated:

    H  1             the hook is active in this process (a child Python process writes its own)
    R  src/util.py   a path was opened (imports included: the loader opens the file) or stat'ed
    L  src           a directory was listed (os.listdir / os.scandir: glob, os.walk, imports)
    U  <reason>      something was not followed (another program started, an unknown fd):
                     Tributary then keys the step on its whole snapshot

Each line is written with os.write before the observed operation proceeds, so a process that
dies still leaves everything it saw. Another sitecustomize further along sys.path still runs.
"""
import os
import sys

_SPAWN_EVENTS = frozenset(("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.startfile", "pty.spawn"))
_OPEN_EVENTS = frozenset(("open", "ctypes.dlopen"))
_LIST_EVENTS = frozenset(("os.listdir", "os.scandir"))


def _install(target, root):
    roots = tuple({os.path.abspath(root), os.path.realpath(root)})
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
    seen = set()

    def emit(tag, value):
        if (tag, value) in seen:
            return
        seen.add((tag, value))
        if "\n" in value or "\r" in value or "\t" in value:
            tag, value = "U", "a path with a tab or newline"
        os.write(fd, ("%s\t%s\n" % (tag, value)).encode("utf-8", "surrogateescape"))

    def absolute(path, dir_fd=None):
        """The absolute path meant, or None when it cannot be known."""
        if isinstance(path, int):
            return _fd_path(path)
        if path is None:
            path = "."
        path = os.fsdecode(os.fspath(path))
        if not os.path.isabs(path):
            base = os.getcwd() if dir_fd is None else _fd_path(dir_fd)
            if base is None:
                return None
            path = os.path.join(base, path)
        return os.path.normpath(path)

    def note(tag, path, dir_fd=None):
        try:
            full = absolute(path, dir_fd)
        except (TypeError, ValueError):
            return  # not a path: the call itself fails the same way and observes nothing
        if full is None:
            emit("U", "a %s through a file descriptor that could not be resolved" % ("listing" if tag == "L" else "read"))
            return
        for r in roots:
            if full == r:
                emit(tag, "")
                return
            if full.startswith(r + os.sep):
                emit(tag, full[len(r) + 1 :].replace(os.sep, "/"))
                return

    def hook(event, args):
        # An exception here would surface in the step's own code: never raise, give up instead.
        try:
            if event in _OPEN_EVENTS:
                if args[0] is not None and not isinstance(args[0], int):
                    note("R", args[0])
            elif event in _LIST_EVENTS:
                note("L", args[0])
            elif event in _SPAWN_EVENTS:
                emit("U", "started another program (%s)" % event)
        except Exception as err:  # noqa: BLE001
            _give_up(fd, err)

    _wrap_stat_calls(note, fd)
    emit("H", "1")
    sys.addaudithook(hook)


def _give_up(fd, err):
    try:
        os.write(fd, ("U\tthe read-tracking hook failed: %s\n" % type(err).__name__).encode())
    except Exception:  # noqa: BLE001
        pass


def _fd_path(fd):
    try:
        return os.readlink("/proc/self/fd/%d" % fd)
    except OSError:
        return None


def _wrap_stat_calls(note, fd):
    """os.stat/lstat/access raise no audit event, and the open event does not carry os.open's
    dir_fd: wrap them so existence checks and fd-relative opens are seen with their real path."""

    def wrap(real):
        def checked(path, *args, **kwargs):
            try:
                note("R", path, kwargs.get("dir_fd"))
            except Exception as err:  # noqa: BLE001
                _give_up(fd, err)
            return real(path, *args, **kwargs)

        checked.__name__ = real.__name__
        checked.__doc__ = real.__doc__
        for capability in (os.supports_dir_fd, os.supports_fd, os.supports_follow_symlinks, os.supports_effective_ids):
            if real in capability:
                capability.add(checked)
        return checked

    os.stat = wrap(os.stat)
    os.lstat = wrap(os.lstat)
    os.access = wrap(os.access)
    os.open = wrap(os.open)


def _chain_next_sitecustomize():
    """Runs the sitecustomize this one shadows (e.g. a distribution's), if there is one."""
    here = os.path.dirname(os.path.abspath(__file__))
    for entry in sys.path:
        candidate = os.path.join(entry or ".", "sitecustomize.py")
        if os.path.abspath(entry or ".") != here and os.path.isfile(candidate):
            import importlib.util

            spec = importlib.util.spec_from_file_location("_tributary_shadowed_sitecustomize", candidate)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return


if os.environ.get("TRIBUTARY_READS_FILE") and os.environ.get("TRIBUTARY_READS_ROOT"):
    _install(os.environ["TRIBUTARY_READS_FILE"], os.environ["TRIBUTARY_READS_ROOT"])
_chain_next_sitecustomize()
