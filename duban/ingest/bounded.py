"""Parse an uploaded plan file in a child process bounded in wall time and memory.

:func:`parse_upload` is THE way a file from outside is read: ``duban parse``, ``duban ingest``
(through ``do_ingest_file``) and the import wizard's parse job (``import.parse``, duban/ui/tasks.py)
call it (it needs nothing but a path). The child checks the file (:func:`duban.ingest.uploads.check_upload`:
kind by content, size, zip bomb, package limits) and parses it with its address space capped
(``RLIMIT_AS``: its size at start plus ``parse_memory_mb``); the parent waits at most
``parse_seconds`` and kills it after. Whatever goes wrong comes back as one Chinese
:class:`IngestError` naming the file; the caller's process never holds the parse's memory.

The child is forked from the caller (Linux), so it starts in milliseconds with the parser already
imported; it touches no database connection and leaves with ``os._exit``. (A ``forkserver`` or
``spawn`` child would re-import the caller's ``__main__`` — gunicorn's, pytest's — on every parse.)
The memory cap is on what the parse ADDS to the address space the worker had at the fork: heap the
worker had freed before counts as room too, so the bound is "worker size + budget".
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import traceback

from duban.ingest import limits
from duban.ingest.errors import IngestError
from duban.ingest.limits import MB, Limits
from duban.ingest.model import ParseResult
from duban.ingest.pipeline import parse_file
from duban.ingest.uploads import check_upload


class ParseCrash(RuntimeError):
    """The parser itself failed on a file (a bug, not bad input); carries the child's traceback."""


def parse_upload(path: str, lim: Limits | None = None) -> ParseResult:
    """Check and parse ``path`` in a bounded child process; IngestError for bad input, over-limit
    files, a parse that runs out of time or memory."""
    lim = lim or limits.current()
    if not _can_fork():  # no fork (Windows): same checks, in this process
        return _check_and_parse(path, lim)
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, path, lim), name="duban-parse")
    child.start()
    send.close()
    try:
        if not receive.poll(lim.parse_seconds):
            raise IngestError(
                f"解析超时（{lim.parse_seconds} 秒），已停止；文件可能过大或结构异常，请精简或拆分后再导入"
                f"（parse timed out）",
                path=path,
            )
        try:
            status, payload = receive.recv()
        except (EOFError, OSError):
            child.join(5)
            raise _died(path, child.exitcode, lim) from None
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()
    if status == "ok":
        return payload
    if status == "ingest":
        problem, line = payload
        raise IngestError(problem, path=path, line=line)
    if status == "memory":
        raise _out_of_memory(path, lim)
    raise ParseCrash(payload)


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _check_and_parse(path: str, lim: Limits) -> ParseResult:
    check_upload(path, lim=lim)
    return parse_file(path)


def _child(send, path: str, lim: Limits) -> None:
    """In the child: cap memory, parse, send ("ok", result) or the error; never raise."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the parent, which kills us
    limits.force(lim)  # the loaders read limits.current(): the limits of this call, whatever the settings
    try:
        cap = _cap_memory(lim.parse_memory_mb)
        # should the caller die first (a worker killed by gunicorn), the kernel still ends us
        hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        seconds = lim.parse_seconds + 5 if hard == resource.RLIM_INFINITY else min(lim.parse_seconds + 5, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, hard))
        try:
            message = ("ok", _check_and_parse(path, lim))
        except IngestError as e:
            message = ("ingest", (e.problem, e.line))
        except MemoryError:
            message = ("memory", None)
        except RecursionError:
            message = ("ingest", ("文件结构嵌套过深，无法解析（document nested too deeply）", None))
        except Exception:
            message = ("crash", traceback.format_exc(limit=8))
        if message[0] != "ok" and _ran_into(cap):
            # libxml2 reports a failed allocation as a syntax error ("unknown error"): the file
            # was not damaged, the parse hit the memory cap
            message = ("memory", None)
        send.send(message)
    except MemoryError:  # pickling a huge result
        try:
            send.send(("memory", None))
        except Exception:
            pass
    finally:
        send.close()


def _cap_memory(budget_mb: int) -> int | None:
    """RLIMIT_AS = the address space the child has now + ``budget_mb`` (the inherited interpreter,
    Django and the parser libraries are already mapped and must not count against the parse).
    Returns the cap in bytes (None: no cap)."""
    if budget_mb <= 0:
        return None
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[0])
    cap = pages * os.sysconf("SC_PAGE_SIZE") + budget_mb * MB
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    return cap


def _ran_into(cap: int | None) -> bool:
    """Did the address space come within 32 MB of ``cap`` (the parse ran into it)?"""
    if cap is None:
        return False
    try:
        with open("/proc/self/status") as f:
            peak = next(int(ln.split()[1]) * 1024 for ln in f if ln.startswith("VmPeak:"))
    except (OSError, StopIteration, ValueError):
        return False
    return peak + 32 * MB >= cap


def _out_of_memory(path: str, lim: Limits) -> IngestError:
    return IngestError(
        f"解析所需内存超过上限（{lim.parse_memory_mb} MB），已停止；文件可能过大或结构异常，请精简或拆分后再导入"
        f"（parse ran out of memory）",
        path=path,
    )


def _died(path: str, exitcode: int | None, lim: Limits) -> IngestError:
    """The child ended without an answer: killed by the kernel (out of memory) or crashed."""
    if exitcode is not None and exitcode < 0 and -exitcode in (signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT):
        return _out_of_memory(path, lim)
    return IngestError(f"解析进程异常退出（退出码 {exitcode}），文件未能读取（parser process died）", path=path)
