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

Exits are collected by one thread per process, waiting on that pid only: nothing here waits on
"any child", so no exit can be taken from, or credited to, the wrong process. The thread reports
the exit before it reaps the process, so the pid cannot reappear in a reply for a new process
before the exit of its previous holder has been sent.
"""
import json
import os
import signal
import subprocess
import sys
import threading

_write_lock = threading.Lock()


def send(message):
    line = json.dumps(message) + "\n"
    with _write_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def open_log(path):
    """Opens for appending; creates the parent folder only when opening fails (no extra syscalls)."""
    try:
        return open(path, "ab", buffering=0)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return open(path, "ab", buffering=0)


def start(request, base_env):
    out = open_log(request["stdout"])
    try:
        err = out if request["stderr"] == request["stdout"] else open_log(request["stderr"])
        try:
            env = dict(base_env)
            env.update(request["env"])
            for name in request.get("unset", []):
                env.pop(name, None)
            return subprocess.Popen(
                request["argv"], cwd=request["cwd"], env=env,
                stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                close_fds=True, start_new_session=True,
            )
        finally:  # the child holds its own copies
            if err is not out:
                err.close()
    finally:
        out.close()


def describe_failure(request, error):
    if isinstance(error, FileNotFoundError) and not os.path.isdir(request["cwd"]):
        return "working folder %s does not exist" % request["cwd"]
    return str(error)


def signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return "SIG%d" % number


def report_exit(process):
    info = os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
    if info.si_code == os.CLD_EXITED:
        send({"exit": process.pid, "code": info.si_status})
    else:  # CLD_KILLED or CLD_DUMPED
        send({"exit": process.pid, "signal": signal_name(info.si_status)})
    process.wait()  # reaps: only now can the pid be given to another process


def main():
    base_env = dict(os.environ)
    for line in iter(sys.stdin.buffer.readline, b""):
        request = json.loads(line)
        if "base" in request:  # the caller's environment, sent once; requests say what differs
            base_env = request["base"]
            continue
        try:
            process = start(request, base_env)
        except Exception as error:  # noqa: BLE001 - every failure is the caller's to report
            send({"id": request["id"], "error": describe_failure(request, error)})
            continue
        send({"id": request["id"], "pid": process.pid})
        threading.Thread(target=report_exit, args=(process,), daemon=True).start()


if __name__ == "__main__":
    main()
