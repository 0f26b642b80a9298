"""Starts step processes for Tributary's LocalCompute (shared/compute/local/launcher.ts).

A Node process pays for each spawn in proportion to its own memory; this small process does not,
so the worker asks it to start its steps. Standard library only, Python 3.8+.

Protocol, one JSON object per line:
  stdin   {"base": {...}}   first: the caller's environment, which requests change
          {"id": 1, "argv": [...], "cwd": "...", "env": {changed...}, "unset": [...], "stdout": "path", "stderr": "path"}
  stdout  {"id": 1, "pid": 123}  or  {"id": 1, "error": "..."}       (reply to each request)
          {"exit": 123, "code": 0}  or  {"exit": 123, "signal": "SIGTERM"}   (later, once per pid)
A pid's exit always follows its reply. Each process starts in its own session (so its own process
group, pgid = pid), which is how LocalCompute signals a step's whole tree. When stdin closes the
launcher exits and leaves running steps alone: stopping them is LocalCompute's job.

One thread does everything: it waits on stdin and on SIGCHLD (through a wake-up pipe), starts
processes with posix_spawn (no Python work between fork and exec), and reaps any child that ended.
Every child is one it started. An exit is written as soon as its process is reaped, before the next
request is read, so a pid cannot reappear in a reply for a new process before the exit of its
previous holder has been sent.
"""
import json
import os
import selectors
import shutil
import signal
import sys

_DEVNULL = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
_LOG_FLAGS = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
_ORIGIN = os.getcwd()  # relative paths in requests are relative to this, whatever folder a start left
_programs = {}


def send(message):
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(1, data):]


def absolute(path):
    return os.path.join(_ORIGIN, path)


def open_log(path):
    """Opens for appending; creates the parent folder only when opening fails (no extra syscalls)."""
    try:
        return os.open(path, _LOG_FLAGS, 0o666)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return os.open(path, _LOG_FLAGS, 0o666)


def program(name, env):
    """The executable for argv[0], searched on the PATH the process will have (as subprocess does)."""
    if "/" in name:
        return name
    search = env.get("PATH", os.defpath)
    found = _programs.get((name, search))
    if found is None:
        found = shutil.which(name, path=search)
        if found is None:
            raise FileNotFoundError("%s: command not found on PATH" % name)
        _programs[(name, search)] = found
    return found


# Python ignores these; a step must get them as any program started from a shell does.
_DEFAULT_SIGNALS = [getattr(signal, name) for name in ("SIGPIPE", "SIGXFZ", "SIGXFSZ") if hasattr(signal, name)]


def spawn(argv, env, out, err):
    actions = [(os.POSIX_SPAWN_DUP2, _DEVNULL, 0), (os.POSIX_SPAWN_DUP2, out, 1), (os.POSIX_SPAWN_DUP2, err, 2)]
    options = {"file_actions": actions, "setsigdef": _DEFAULT_SIGNALS}
    try:
        return os.posix_spawn(program(argv[0], env), argv, env, setsid=True, **options)
    except NotImplementedError:  # no POSIX_SPAWN_SETSID here: a process group of its own is what matters
        return os.posix_spawn(program(argv[0], env), argv, env, setpgroup=0, **options)


def start(request, base_env):
    out = open_log(absolute(request["stdout"]))
    try:
        err = out if request["stderr"] == request["stdout"] else open_log(absolute(request["stderr"]))
        try:
            env = dict(base_env)
            env.update(request["env"])
            for name in request.get("unset", []):
                env.pop(name, None)
            os.chdir(absolute(request["cwd"]))  # posix_spawn starts the process in the launcher's folder
            return spawn(request["argv"], env, out, err)
        finally:  # the child holds its own copies
            if err != out:
                os.close(err)
    finally:
        os.close(out)


def describe_failure(request, error):
    if isinstance(error, FileNotFoundError) and not os.path.isdir(absolute(request["cwd"])):
        return "working folder %s does not exist" % request["cwd"]
    return str(error)


def signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return "SIG%d" % number


def reap_ended():
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if os.WIFSIGNALED(status):
            send({"exit": pid, "signal": signal_name(os.WTERMSIG(status))})
        elif os.WIFEXITED(status):
            send({"exit": pid, "code": os.WEXITSTATUS(status)})


def drain(fd):
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass


def handle(line, base_env):
    request = json.loads(line)
    if "base" in request:  # the caller's environment, sent once; requests say what differs
        return request["base"]
    try:
        pid = start(request, base_env)
    except Exception as error:  # noqa: BLE001 - every failure is the caller's to report
        send({"id": request["id"], "error": describe_failure(request, error)})
    else:
        send({"id": request["id"], "pid": pid})
    return base_env


def main():
    base_env = dict(os.environ)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # its arrival writes to the wake-up pipe
    selector = selectors.DefaultSelector()
    selector.register(0, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)
    pending = b""
    while True:
        for key, _ in selector.select():
            if key.fd == wake_read:
                drain(wake_read)
                continue
            chunk = os.read(0, 1 << 16)
            if not chunk:
                return
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                reap_ended()  # exits come first: they free pids that a start may reuse
                base_env = handle(line, base_env)
        reap_ended()


if __name__ == "__main__":
    main()
