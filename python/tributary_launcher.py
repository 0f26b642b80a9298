"""Starts step processes for Tributary's LocalCompute (shared/compute/local/launcher.ts).

A Node process pays for each spawn in proportion to its own memory; this small process does not,
so the worker asks it to start its steps. Standard library only, Python 3.8+.

Protocol, one JSON object per line:
  stdin   {"base": {...}}   first: the caller's environment, which requests change
          {"id": 1, "argv": [...], "cwd": "...", "env": {changed...}, "unset": [...], "stdout": "path", "stderr": "path"}
             optionally with "group": "name", "limit": 2: at most `limit` processes of the group run
             at once; a request beyond that waits here, in order, and starts when one of them ends
          {"drop": 1}       a request still waiting is not started (replied to); a started one is left
  stdout  {"id": 1, "pid": 123}  or  {"id": 1, "error": "..."}  or  {"id": 1, "dropped": true}
          (reply to each request, when it starts or fails, or is dropped while it waits)
          {"exit": 123, "code": 0}  or  {"exit": 123, "signal": "SIGTERM"}   (later, once per pid)
A pid's exit always follows its reply. Starting the next waiting process here, the moment one
ends, saves the round trip through the caller that would otherwise leave a CPU idle. Each process
starts in its own session (so its own process group, pgid = pid), which is how LocalCompute
signals a step's whole tree. When stdin closes the launcher exits and leaves running steps alone:
stopping them is LocalCompute's job.

One thread does everything: it waits on stdin and on SIGCHLD (through a wake-up pipe), starts
processes with posix_spawn (no Python work between fork and exec), and reaps any child that ended.
Every child is one it started. An exit is written as soon as its process is reaped, before the next
request is read, so a pid cannot reappear in a reply for a new process before the exit of its
previous holder has been sent.
"""
import collections
import json
import os
import selectors
import shutil
import signal

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


class Launcher:
    """Starts requests, at most `limit` at once per `group` (the rest wait in order), and reports exits."""

    def __init__(self):
        self.base_env = dict(os.environ)
        self.waiting = {}  # group -> requests not started yet, in order
        self.running = {}  # group -> how many of its processes run
        self.group_of = {}  # pid -> group

    def handle(self, line):
        request = json.loads(line)
        if "base" in request:  # the caller's environment, sent once; requests say what differs
            self.base_env = request["base"]
        elif "drop" in request:
            self.drop(request["drop"])
        elif "group" in request:
            self.waiting.setdefault(request["group"], collections.deque()).append(request)
            self.admit(request["group"])
        else:
            self.start(request)

    def drop(self, request_id):
        """A waiting request is dropped (said with a reply); one already started is not."""
        for queue in self.waiting.values():
            for request in queue:
                if request["id"] == request_id:
                    queue.remove(request)
                    send({"id": request_id, "dropped": True})
                    return

    def admit(self, group):
        queue = self.waiting.get(group)
        while queue and self.running.get(group, 0) < queue[0]["limit"]:
            pid = self.start(queue.popleft())
            if pid is not None:
                self.running[group] = self.running.get(group, 0) + 1
                self.group_of[pid] = group

    def start(self, request):
        try:
            pid = start(request, self.base_env)
        except Exception as error:  # noqa: BLE001 - every failure is the caller's to report
            send({"id": request["id"], "error": describe_failure(request, error)})
            return None
        send({"id": request["id"], "pid": pid})
        return pid

    def reap_ended(self):
        """Reports every child that ended, then starts what waited for its place."""
        freed = set()
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            if os.WIFSIGNALED(status):
                send({"exit": pid, "signal": signal_name(os.WTERMSIG(status))})
            elif os.WIFEXITED(status):
                send({"exit": pid, "code": os.WEXITSTATUS(status)})
            group = self.group_of.pop(pid, None)
            if group is not None:
                self.running[group] -= 1
                freed.add(group)
        for group in freed:
            self.admit(group)


def drain(fd):
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass


def main():
    launcher = Launcher()
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
                launcher.reap_ended()  # exits come first: they free pids, and places, that a start may take
                launcher.handle(line)
        launcher.reap_ended()


if __name__ == "__main__":
    main()
