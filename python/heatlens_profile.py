"""Heatlens' Python collector: runs a program as ``__main__`` under a profiler, writes the result.

Shipped with the Heatlens extension. Standard library only; runs on Python 3.8 to 3.13.

Usage::

    python heatlens_profile.py --mode sampling|cprofile|yappi|memory --out PATH
        [--clock cpu|wall] [--interval-us N] [--frames N] [--status PATH] [--control-fd N]
        -- TARGET.py [ARGS...]

The target runs as ``python TARGET.py ARGS...`` would run it: ``sys.argv`` is ``[TARGET.py,
*ARGS]``, ``sys.path[0]`` is the script's folder, ``__file__`` its absolute path, ``__name__`` is
``'__main__'`` and ``sys.modules['__main__']`` is a fresh module (so pickle and multiprocessing find
the program's classes). Nothing of ours goes to stdout: the program's output passes untouched.

The profile is written to ``--out`` (through a temporary file and a rename, so a reader never sees
half a file) when the program ends, raises (the traceback is printed as Python prints it; exit 1),
calls ``sys.exit(n)`` (exit n), is interrupted by SIGINT (what was recorded is kept; exit 130),
calls ``os._exit(n)`` (the profile is written first), or is stopped through the control pipe
(``--control-fd``: the runner writes ``stop`` when the program ignored SIGINT, and the pipe closing
means the runner is gone; the profile is written from a thread of ours, then exit 130). The
sampler also writes what it has every second or so while the program runs (less often when a
write takes long), so that a run killed outright (SIGKILL) or crashing keeps what the sampler
had; cProfile and yappi cannot be read while they run, so such a run keeps nothing in those
modes. Nothing is written when the program could not start (missing file: exit 2; syntax error:
exit 1) or when yappi is requested but cannot be imported (exit 3).

Modes:

- ``sampling`` (default): our sampler. The main thread is sampled by a signal: ``ITIMER_PROF`` and
  SIGPROF for the CPU clock (default), ``ITIMER_REAL`` and SIGALRM for the wall clock; the handler
  walks ``frame.f_back`` from the interrupted frame. Other threads are sampled by a polling thread
  over ``sys._current_frames()``, started only once the program has a second thread. Each sample
  weighs the time its thread really spent since the previous sample of that thread: the thread's
  own CPU time for the CPU clock, ``time.perf_counter`` for the wall clock. Signals reach only the
  main thread, between bytecodes: a long C call delays the sample (its weight still counts the
  whole time). In wall mode the program must not use SIGALRM or ``signal.alarm`` itself (use the
  CPU clock for such programs); a warning says so when it did. The signals interrupt system
  calls: Python retries them (PEP 475), but a C extension that does not may see EINTR errors (use
  the cprofile mode for such a program). Intervals below 100 us are raised to 100 us; the CPU
  timer is further limited by the kernel's tick (about 4 ms with HZ=250).
  The polling thread slows down on its own when a poll costs more than 5% of the time (many
  threads with deep stacks).
- ``cprofile``: ``cProfile.Profile`` around the program, written with ``dump_stats`` (pstats, the
  marshal of ``{(file, line, name): (cc, nc, tt, ct, callers)}``). Wall clock by default
  (cProfile's own ``perf_counter``); ``--clock cpu`` uses ``time.process_time``. cProfile sees
  only the main thread before Python 3.12 and mixes all threads into one timeline from 3.12 on.
- ``yappi``: ``yappi.set_clock_type(clock)`` (CPU by default), ``start(builtins=False,
  profile_threads=True)``, saved as pstat (yappi's order: ``(ncall, nactualcall, tsub, ttot,
  callers)``). yappi >= 1.2 counts a coroutine once per call, not once per resumption, and with
  the wall clock its time includes the awaits.

- ``memory``: the standard library's tracemalloc, started just before the program with
  ``--frames N`` frames kept per allocation (default 32). A watcher thread (a raw thread, like the
  sampler's poller) polls the traced size every millisecond and snapshots each new high; a last
  snapshot is taken when the program ends, however it ends (a run killed outright writes
  nothing). The watcher runs only when it gets the GIL: a peak that rises and falls inside one
  call into C, or within the GIL switch interval, is missed, and a warning then says by how much
  against tracemalloc's own high-water mark. tracemalloc has no count of bytes allocated over
  the run (freed blocks leave no trace), and does not record threads: every thread's
  allocations are counted, with no per-thread figures. The helper's own allocations and frames
  are left out. Output: ``heatlens-python-memory`` JSON, version 1, documented in Heatlens'
  importer of it (src/formats/pymemory.ts).

cProfile and yappi stop when the program's main module ends, as their own command lines do;
the sampler goes on until the program's non-daemon threads have ended, as Python waits for them.

Output of ``sampling`` (JSON, UTF-8, ``format`` ``heatlens-python-samples``, version 1)::

    {"format": "heatlens-python-samples", "version": 1,
     "clock": "cpu" | "wall", "interval_us": 1000, "python": sys.version, "argv": [...],
     "frames": [[name, file, firstlineno], ...],
     "stacks": [{"frames": [frame ids, root -> leaf], "lines": [current line per frame],
                 "thread": "MainThread", "weight": seconds, "count": samples}, ...],
     "duration_s": wall seconds of the run, "cpu_s": CPU seconds of the process during the run,
     "start_epoch_ms": ..., "exit_code": n, "warnings": ["..."]}

``name`` is ``co_qualname`` (3.11+) or ``co_name``. Stacks of threads other than the main thread
start with a pseudo-frame ``["thread: <name>", null, null]`` whose line is 0. A line of 0 means
unknown. Stacks are aggregated: one entry per distinct (thread, frames, lines).

``--status PATH`` (optional) gets a small JSON report for the runner: ``{"outcome": "exited" |
"raised" | "interrupted" | "syntax_error" | "missing_file" | "no_yappi", "exit_code": n, "error":
traceback text or null, "warnings": [...], "duration_s": wall seconds of the run (when it ran),
"start_epoch_ms" and "end_epoch_ms": when the program's code began and ended (epoch
milliseconds, for latency measurements), "python": ..., "executable": ...}``.
"""

import os
import sys

# Keep the helper importable on old interpreters so they fail with a message, not a SyntaxError.
if sys.version_info < (3, 8):  # pragma: no cover
    sys.stderr.write('heatlens_profile: Python 3.8 or newer is needed, this is %s\n' % sys.version)
    sys.exit(2)

if __name__ == '__main__' and __file__.endswith('.py'):
    # tracemalloc (the memory mode) computes the line of every frame of every allocation, up to
    # the frames it keeps, by scanning the frame's code from its start to the current
    # instruction: this module's frame, stopped after every definition of the file, made
    # building a list of 1.4 million ints cost 8 s of CPU instead of 2 s under tracemalloc
    # alone (measured with 32 frames). So the definitions are loaded into a module of their
    # own, and main() is called from here, near the start of this frame's code. (Compiled from
    # the source, not imported: no .pyc is written beside the extension's copy of the helper.)
    _helper = type(sys)('heatlens_profile')
    _helper.__file__ = os.path.abspath(__file__)
    with open(_helper.__file__, 'rb') as _source:
        exec(compile(_source.read(), _helper.__file__, 'exec'), _helper.__dict__)
    sys.exit(_helper.main())

import select  # noqa: E402
import signal  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import types  # noqa: E402

import _thread  # noqa: E402

FORMAT = 'heatlens-python-samples'
VERSION = 1
MEMORY_FORMAT = 'heatlens-python-memory'
MEMORY_VERSION = 1
DEFAULT_FRAMES = 32
MAX_FRAMES = 1000
EXIT_NO_YAPPI = 3
EXIT_INTERRUPTED = 130
MIN_INTERVAL_US = 100

_OWN_GLOBALS = globals()
_OWN_FILE = os.path.abspath(__file__)
_OWN_NAMES = {}  # file name of a frame -> whether it is this file (by its normalized path)


def _is_own(name):
    own = _OWN_NAMES.get(name)
    if own is None:
        try:
            own = os.path.normpath(os.path.abspath(name)) == _OWN_FILE
        except Exception:
            own = False
        _OWN_NAMES[name] = own
    return own



def _yappi_missing_message(executable):
    return (
        'heatlens_profile: yappi is not installed for %s.\n'
        'Install it into that interpreter with `%s -m pip install yappi`'
        ' (on Debian or Ubuntu, for /usr/bin/python3: `sudo apt install python3-yappi`),'
        ' or choose the sampling or cprofile mode.\n' % (executable, executable)
    )


# ---------------------------------------------------------------------------------------------
# The sampler


def _thread_cpu_clock_id(native_id):
    """The clock id of a thread's CPU clock on Linux: MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED).

    Built from the kernel thread id rather than through pthread_getcpuclockid(), which is undefined
    for a thread that has already exited; here the kernel simply answers EINVAL.
    """
    return ((~native_id) << 3) | 6


def _line_table(code):
    """(starts, ends, lines, first line) of a code object's instruction ranges, sorted by
    start: what frame.f_lineno computes on every call, computed once."""
    starts, ends, lines = [], [], []
    if hasattr(code, 'co_lines'):  # 3.10+
        for start, end, line in code.co_lines():
            starts.append(start)
            ends.append(end)
            lines.append(line if line is not None else 0)
        return starts, ends, lines, code.co_firstlineno
    # 3.8 and 3.9: co_lnotab, pairs of (offset increment, signed line increment), read as
    # PyCode_Addr2Line (what f_lineno returns) reads it: an offset gets the line reached after
    # every pair whose cumulated offset is at or before it.
    table = code.co_lnotab
    line = code.co_firstlineno
    addr = 0
    starts.append(0)
    lines.append(line)
    for i in range(0, len(table), 2):
        addr += table[i]
        delta = table[i + 1]
        line += delta - 0x100 if delta >= 0x80 else delta
        if starts[-1] == addr:
            lines[-1] = line
        else:
            starts.append(addr)
            lines.append(line)
    ends = starts[1:] + [len(code.co_code) + 1]
    return starts, ends, lines, code.co_firstlineno


def _line_at(table, offset):
    """The line of the instruction at `offset` (0 when unknown)."""
    starts, ends, lines, first = table
    if offset < 0:  # a frame entered but not started yet (f_lasti -1 before 3.11)
        return first
    lo, hi = 0, len(starts)
    while lo < hi:  # the last range starting at or before offset
        mid = (lo + hi) // 2
        if starts[mid] <= offset:
            lo = mid + 1
        else:
            hi = mid
    i = lo - 1
    if i < 0 or offset >= ends[i]:
        return 0
    return lines[i]


class Sampler(object):
    """Samples the main thread by signal and the other threads by a polling thread."""

    def __init__(self, clock, interval_s, run_code):
        self.clock = clock
        self.interval_s = interval_s
        # The code object of the function that exec()s the program: a main-thread walk stops there,
        # so that our own frames never appear, and a walk that does not reach it is not the program.
        self.run_code = run_code
        # (thread slot, id(code), f_lasti, id(code), f_lasti, ...), leaf first -> [weight, count].
        # The instruction offset, not f_lineno: computing a line costs as much as the rest of the
        # walk, so lines are computed once per distinct offset when the profile is written.
        self.stacks = {}
        self.codes = {}  # id(code) -> code, holding every code of a key so no id is reused
        self.thread_names = [threading.main_thread().name]  # slot -> thread name; slot 0: main
        self._slots = {threading.main_thread().ident: (threading.main_thread(), 0)}
        self._last = {}  # slot -> clock reading at the previous sample
        self.warnings = []
        self._signal = None
        self._timer = None
        self._handler = None
        self._old_handler = None
        self._poller_started = False
        self._poller_stop = False
        self._poller_done = None
        self._main_by_poller = False
        self._active = getattr(threading, '_active', None)
        self._linux = sys.platform.startswith('linux')
        # Threads of ours the poller must not sample (the thread that writes snapshots).
        self.own_threads = set()

    # -- main thread, by signal

    def start(self):
        use_signal = hasattr(signal, 'setitimer')
        if use_signal:
            if self.clock == 'cpu':
                self._signal, self._timer = signal.SIGPROF, signal.ITIMER_PROF
            else:
                self._signal, self._timer = signal.SIGALRM, signal.ITIMER_REAL
            self._handler = self._make_handler()
            self._old_handler = signal.signal(self._signal, self._handler)
            signal.setitimer(self._timer, self.interval_s, self.interval_s)
        else:
            # No interval timers (Windows): the polling thread samples the main thread too.
            self._main_by_poller = True
            self._start_poller()
        if self._active is None:
            self._start_poller()

    def _make_handler(self):
        stacks = self.stacks
        codes = self.codes
        run_code = self.run_code
        now_fn = time.thread_time if self.clock == 'cpu' else time.perf_counter
        last = [now_fn()]
        active = self._active
        sampler = self
        own_code = [None]

        def on_sample(signum, frame):
            # A signal that arrives while this handler runs calls it again, nested: skip that one
            # (its time goes to the next sample, as the clock reading is not taken).
            if frame is not None and frame.f_code is own_code[0]:
                return
            try:
                # A second thread appeared: start the poller (a raw thread: starting a threading
                # Thread here could deadlock on threading's own locks held by the interrupted code).
                if active is not None and not sampler._poller_started and len(active) > 1:
                    sampler._start_poller()
                now = now_fn()
                weight = now - last[0]
                last[0] = now
                if weight <= 0.0:
                    return
                key = [0]
                f = frame
                while f is not None:
                    code = f.f_code
                    if code is run_code:
                        break
                    key.append(id(code))
                    key.append(f.f_lasti)
                    f = f.f_back
                else:
                    return  # our own set-up or wait, not the program
                key = tuple(key)
                cell = stacks.get(key)
                if cell is None:
                    f = frame
                    while f.f_code is not run_code:
                        codes[id(f.f_code)] = f.f_code
                        f = f.f_back
                    stacks[key] = [weight, 1]
                else:
                    cell[0] += weight
                    cell[1] += 1
            except Exception:  # pragma: no cover - a sampler must never break the program
                pass

        own_code[0] = on_sample.__code__
        return on_sample

    # -- other threads, by polling

    def _start_poller(self):
        if self._poller_started:
            return
        self._poller_started = True
        self._poller_done = _thread.allocate_lock()
        self._poller_done.acquire()
        # A raw thread: invisible to threading.enumerate(), so a program that joins every thread
        # it sees does not wait for ours.
        _thread.start_new_thread(self._poll, ())

    def _slot(self, ident):
        thread = self._active.get(ident) if self._active is not None else None
        entry = self._slots.get(ident)
        # Thread ids are reused: a new Thread object under a known id is a new thread.
        if entry is not None and entry[0] is thread:
            return entry[1], thread
        name = thread.name if thread is not None else 'thread %d' % ident
        slot = len(self.thread_names)
        self.thread_names.append(name)
        self._slots[ident] = (thread, slot)
        return slot, thread

    def _thread_now(self, thread, ident):
        """The thread's clock reading, or None when it cannot be read."""
        if self.clock == 'wall':
            return time.perf_counter()
        native_id = getattr(thread, 'native_id', None) if thread is not None else None
        if native_id is None and ident == threading.main_thread().ident:
            native_id = getattr(threading.main_thread(), 'native_id', None)
        if self._linux and native_id is not None:
            try:
                return time.clock_gettime(_thread_cpu_clock_id(native_id))
            except (OSError, OverflowError):
                return None
        message = (
            'CPU time of threads other than the main thread cannot be read on this system; '
            'their samples weigh wall time.'
        )
        if message not in self.warnings:
            self.warnings.append(message)
        return time.perf_counter()

    def _poll(self):
        me = _thread.get_ident()
        main_ident = threading.main_thread().ident
        stacks = self.stacks
        codes = self.codes
        run_code = self.run_code
        pause = self.interval_s
        try:
            while not self._poller_stop:
                time.sleep(pause)
                # The poll's own CPU time, not its elapsed time: waiting for the GIL or for a core
                # on a loaded machine is not a cost of polling, and counting it once stretched the
                # pause past the whole life of a short thread.
                began = time.thread_time()
                own = self.own_threads
                for ident, frame in sys._current_frames().items():
                    if ident == me or ident in own:
                        continue
                    is_main = ident == main_ident
                    if is_main and not self._main_by_poller:
                        continue
                    slot, thread = self._slot(ident)
                    now = self._thread_now(thread, ident)
                    if now is None:
                        continue
                    before = self._last.get(slot)
                    self._last[slot] = now
                    if before is None:
                        # First sight: a thread's CPU clock starts at zero, so its CPU time so far
                        # counts; for the wall clock, one interval.
                        weight = now if self.clock == 'cpu' else self.interval_s
                    else:
                        weight = now - before
                    if weight <= 0.0:
                        continue
                    key = [slot]
                    f = frame
                    reached = not is_main
                    while f is not None:
                        code = f.f_code
                        if is_main and code is run_code:
                            reached = True
                            break
                        key.append(id(code))
                        key.append(f.f_lasti)
                        f = f.f_back
                    if not reached or len(key) == 1:
                        continue
                    key = tuple(key)
                    cell = stacks.get(key)
                    if cell is None:
                        f = frame
                        while f is not None and f.f_code is not run_code:
                            codes[id(f.f_code)] = f.f_code
                            f = f.f_back
                        stacks[key] = [weight, 1]
                    else:
                        cell[0] += weight
                        cell[1] += 1
                frame = None  # do not keep a thread's frames alive while sleeping
                # With many threads a poll costs more: keep its share of the time under 5%, and
                # never wait more than 20 intervals between polls.
                cost = time.thread_time() - began
                pause = min(20.0 * self.interval_s, max(self.interval_s, 19.0 * cost))
        except Exception as error:  # pragma: no cover - report, never break the program
            self.warnings.append('The thread sampler stopped: %r' % (error,))
        finally:
            self._poller_done.release()

    def stop(self):
        if self._timer is not None:
            signal.setitimer(self._timer, 0, 0)
            if threading.current_thread() is not threading.main_thread():
                # Handlers can be changed from the main thread only; the process is ending.
                self._timer = None
                self._poller_stop = True
                return
            current = signal.getsignal(self._signal)
            if current is self._handler:
                signal.signal(self._signal, self._old_handler)
            else:
                name = 'SIGPROF' if self._signal == signal.SIGPROF else 'SIGALRM'
                self.warnings.append(
                    'The program installed its own %s handler, which stopped the sampling of the'
                    ' main thread from then on%s.'
                    % (name, '' if self.clock == 'cpu' else ' (use the CPU clock for this program)')
                )
        if self._poller_started:
            self._poller_stop = True
            self._poller_done.acquire(timeout=max(1.0, 10 * self.interval_s))

    # -- output

    def to_json(self, start_cwd):
        # Copies first: a snapshot is taken from another thread while the sampler goes on adding
        # stacks. Copying a dict holds the GIL throughout; a stack's codes are stored before the
        # stack, so every code a copied stack names is in the codes copied after it.
        stacks = list(self.stacks.items())
        codes = dict(self.codes)
        thread_names = list(self.thread_names)
        frames = []
        frame_ids = {}

        def file_of(code):
            name = code.co_filename
            if name and not name.startswith('<') and not os.path.isabs(name):
                name = os.path.normpath(os.path.join(start_cwd, name))
            return name

        line_tables = {}

        def line_of(code_id, lasti):
            table = line_tables.get(code_id)
            if table is None:
                table = line_tables[code_id] = _line_table(codes[code_id])
            return _line_at(table, lasti)

        thread_frames = {}
        merged = {}  # several offsets of one line make one stack
        for key, (weight, count) in stacks:
            slot = key[0]
            ids = []
            for code_id in key[-2:0:-2]:  # root first
                fid = frame_ids.get(code_id)
                if fid is None:
                    code = codes[code_id]
                    fid = len(frames)
                    frames.append(
                        [
                            getattr(code, 'co_qualname', code.co_name),
                            file_of(code),
                            code.co_firstlineno,
                        ]
                    )
                    frame_ids[code_id] = fid
                ids.append(fid)
            lines = [line_of(key[i - 1], key[i]) for i in range(len(key) - 1, 1, -2)]
            name = thread_names[slot]
            if slot != 0:
                fid = thread_frames.get(name)
                if fid is None:
                    fid = len(frames)
                    frames.append(['thread: ' + name, None, None])
                    thread_frames[name] = fid
                ids.insert(0, fid)
                lines.insert(0, 0)
            cell_key = (name, tuple(ids), tuple(lines))
            cell = merged.get(cell_key)
            if cell is None:
                merged[cell_key] = [weight, count]
            else:
                cell[0] += weight
                cell[1] += count
        out = [
            {
                'frames': list(ids),
                'lines': list(lines),
                'thread': name,
                'weight': round(weight, 9),
                'count': count,
            }
            for (name, ids, lines), (weight, count) in merged.items()
        ]
        out.sort(key=lambda s: -s['weight'])
        return frames, out


# ---------------------------------------------------------------------------------------------
# The memory recorder (tracemalloc)


class _FunctionIndex(object):
    """The function enclosing each line of a source file, read with `ast` once per file.

    tracemalloc keeps only (file, line) per frame, not the code object, so the function's
    name and first line cannot be read from the frame as the sampler does: they are derived
    from the source, as the innermost def, class or lambda enclosing the line. The name is built
    as ``co_qualname`` is (``Class.method``, ``outer.<locals>.inner``), so the same function has
    the same name in every mode; the first line is the first decorator's, as ``co_firstlineno``.
    """

    def __init__(self, ast_module):
        self._ast = ast_module
        self._files = {}

    def _scopes(self, path):
        scopes = self._files.get(path)
        if scopes is not None:
            return scopes
        scopes = None
        ast = self._ast
        try:
            with open(path, 'rb') as f:
                tree = ast.parse(f.read(), path)
        except Exception:  # missing, frozen (<frozen ...>), unreadable, or not Python
            tree = None
        if tree is not None:
            scopes = []
            todo = [(tree, '', False)]
            while todo:
                node, prefix, in_function = todo.pop()
                for child in ast.iter_child_nodes(node):
                    child_prefix, child_in_function = prefix, in_function
                    if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                          ast.Lambda)):
                        name = '<lambda>' if isinstance(child, ast.Lambda) else child.name
                        qualname = prefix + name
                        first = min([child.lineno] + [d.lineno for d in getattr(
                            child, 'decorator_list', [])])
                        end = getattr(child, 'end_lineno', None) or child.lineno
                        # The header line runs in the enclosing scope (the function object, its
                        # defaults, a class's bases) unless the body is on it too.
                        body = getattr(child, 'body', None)
                        start = child.lineno
                        if isinstance(body, list) and body and body[0].lineno > start:
                            start = body[0].lineno
                        scopes.append((start, end, qualname, first))
                        is_class = isinstance(child, ast.ClassDef)
                        child_prefix = qualname + ('.' if is_class else '.<locals>.')
                        child_in_function = not is_class
                    todo.append((child, child_prefix, child_in_function))
            # Innermost first: a later start inside an enclosing range is nested in it.
            scopes.sort(key=lambda s: -s[0])
        self._files[path] = scopes
        return scopes

    def function(self, path, line):
        """(qualified name, first line) of the function holding `line`; None: unknown."""
        scopes = self._scopes(path) if path else None
        if scopes is None:
            return None
        for start, end, qualname, first in scopes:
            if start <= line <= end:
                return qualname, first
        return '<module>', 1


class MemoryRecorder(object):
    """tracemalloc from the program's start, a watcher thread keeping a snapshot of each new
    high, and a snapshot when the program ends.

    Snapshots are aggregated at once (bytes and blocks per distinct traceback) and only the
    program's allocations are kept: a trace whose innermost frame is in this file (the watcher,
    the snapshots, writing the results) is ours, and this file's frames at the root of the
    program's stacks (the frames that run it) are dropped.
    """

    # The watcher snapshots when the traced size passes what it was right after the last
    # snapshot by 10% of that snapshot's bytes (at least MIN_MARGIN), or by MIN_MARGIN once the
    # size stops growing (the top of a ramp), so that a run growing steadily costs tens of
    # snapshots, not thousands.
    RATIO = 0.1
    MIN_MARGIN = 256 * 1024
    POLL_S = 0.001

    def __init__(self, tracemalloc_c, nframes, start_cwd):
        self.tm = tracemalloc_c
        self.nframes = nframes
        self.start_cwd = start_cwd
        self.warnings = []
        self.peak = None  # (user bytes, {traceback: [bytes, blocks]}, seconds into the run)
        self.end = None
        self.snapshots = 0
        self.snapshot_s = 0.0
        self.poll_s = 0.0
        self.polls = 0
        self.traced_peak = 0
        self.tracemalloc_bytes = 0
        self._t0 = 0.0
        self._stop = False
        self._done = None
        self._lock = _thread.allocate_lock()

    def start(self):
        self._t0 = time.perf_counter()
        self.tm.start(self.nframes)
        self._base = self.tm.get_traced_memory()[0]
        self._done = _thread.allocate_lock()
        self._done.acquire()
        # A raw thread, like the sampler's: invisible to threading.enumerate().
        _thread.start_new_thread(self._watch, ())

    def _take(self):
        """The program's bytes now: (total, {traceback: [bytes, blocks]})."""
        began = time.perf_counter()
        traces = self.tm._get_traces()
        stacks = {}
        by_id = {}
        total = 0
        is_own = _is_own
        for trace in traces:
            size = trace[1]
            tb = trace[2]
            cell = by_id.get(id(tb))  # one tuple per distinct traceback in a snapshot
            if cell is None:
                # Most recent frame first. Ours when the allocation was made by our code.
                if tb and is_own(tb[0][0]):
                    cell = by_id[id(tb)] = False
                else:
                    frames = list(tb)
                    cut = len(frames)
                    while cut > 0 and is_own(frames[cut - 1][0]):
                        cut -= 1
                    truncated = len(trace) > 3 and trace[3] > len(tb) and cut == len(frames)
                    key = (tuple(frames[:cut]), truncated)
                    cell = stacks.get(key)
                    if cell is None:
                        cell = stacks[key] = [0, 0]
                    by_id[id(tb)] = cell
            if cell is False:
                continue
            cell[0] += size
            cell[1] += 1
            total += size
        traces = by_id = None
        self.snapshots += 1
        self.snapshot_s += time.perf_counter() - began
        return total, stacks

    def _watch(self):
        tm = self.tm
        try:
            base = self._base
            last_bytes = 0
            previous = 0
            while not self._stop:
                time.sleep(self.POLL_S)
                began = time.perf_counter()
                current = tm.get_traced_memory()[0]
                self.polls += 1
                self.poll_s += time.perf_counter() - began
                grown = current - base
                margin = max(self.MIN_MARGIN, self.RATIO * last_bytes)
                if grown > margin or (grown > self.MIN_MARGIN and current <= previous):
                    with self._lock:
                        if self._stop:
                            break
                        when = time.perf_counter() - self._t0
                        total, stacks = self._take()
                        if self.peak is None or total >= self.peak[0]:
                            self.peak = (total, stacks, when)
                            last_bytes = total
                        stacks = None
                        # What the snapshot itself holds is counted in the next reading.
                        base = tm.get_traced_memory()[0] + max(0, last_bytes - total)
                        current = base
                previous = current
        except Exception as error:  # pragma: no cover - report, never break the program
            self.warnings.append('The peak watcher stopped: %r' % (error,))
        finally:
            self._done.release()

    def stop(self):
        """Takes the end snapshot and stops tracing."""
        with self._lock:
            self._stop = True
        if not self.tm.is_tracing():
            self.warnings.append(
                'The program stopped tracemalloc itself: the figures end there.')
            self.end = (0, {}, time.perf_counter() - self._t0)
            self._done.acquire(timeout=1.0)
            return
        self.end = self._take() + (time.perf_counter() - self._t0,)
        self.traced_peak = self.tm.get_traced_memory()[1]
        self.tracemalloc_bytes = self.tm.get_tracemalloc_memory()
        if self.peak is None or self.end[0] >= self.peak[0]:
            self.peak = self.end
        missed = self.traced_peak - self.peak[0]
        if missed > max(self.MIN_MARGIN, self.RATIO * self.peak[0]):
            self.warnings.append(
                "tracemalloc's high-water mark (%d bytes) is %d bytes above the highest snapshot"
                ' (%d bytes): a peak that rose and fell while the watcher could not run (inside'
                ' one call into C that keeps the GIL, or within the GIL switch interval) was'
                ' missed, and the lines that made it are not in "held at the peak".'
                % (self.traced_peak, missed, self.peak[0])
            )
        self.tm.stop()
        self._done.acquire(timeout=1.0)

    def to_json(self, functions):
        """(frames, stacks) of the document: both snapshots' stacks, root first."""
        frames = []
        frame_ids = {}
        merged = {}
        start_cwd = self.start_cwd

        def frame_id(path, line):
            found = functions.function(path, line)
            name, first = found if found is not None else ('<unknown>', None)
            if path and not path.startswith('<') and not os.path.isabs(path):
                path = os.path.normpath(os.path.join(start_cwd, path))
            key = (name, path, first)
            fid = frame_ids.get(key)
            if fid is None:
                fid = frame_ids[key] = len(frames)
                frames.append([name, path or None, first])
            return fid

        for which, snap in (('peak', self.peak), ('end', self.end)):
            if snap is None:
                continue
            for (tb, truncated), (size, blocks) in snap[1].items():
                ids = []
                lines = []
                for path, line in reversed(tb):
                    ids.append(frame_id(path, line))
                    lines.append(line)
                cell = merged.get((tuple(ids), tuple(lines), truncated))
                if cell is None:
                    cell = merged[(tuple(ids), tuple(lines), truncated)] = {
                        'frames': ids, 'lines': lines, 'peak': 0, 'end': 0,
                        'peak_blocks': 0, 'end_blocks': 0}
                    if truncated:
                        cell['truncated'] = True
                cell[which] += size
                cell[which + '_blocks'] += blocks
        out = sorted(merged.values(), key=lambda s: (-s['peak'], -s['end']))
        return frames, out


# ---------------------------------------------------------------------------------------------
# Running the program


def _run(code, namespace):
    """Executes the program. Its frame is the boundary between our frames and the program's."""
    exec(code, namespace)


def _run_cprofile(profiler, code, namespace):
    profiler.enable()
    try:
        exec(code, namespace)
    finally:
        profiler.disable()


def _run_yappi(yappi, clock, code, namespace, started):
    yappi.set_clock_type(clock)
    yappi.start(builtins=False, profile_threads=True)
    started()
    try:
        exec(code, namespace)
    finally:
        yappi.stop()


def _join_threads():
    """Waits for the program's non-daemon threads, as Python does before it exits."""
    main = threading.main_thread()
    while True:
        pending = [t for t in threading.enumerate() if t is not main and not t.daemon]
        if not pending:
            return
        for t in pending:
            t.join()


def _strip_own_frames(tb, code):
    """The traceback from the program's module frame on, as `python file.py` would show it."""
    t = tb
    while t is not None:
        if t.tb_frame.f_code is code:
            return t
        t = t.tb_next
    # Raised before the program ran (or outside it): drop only our own frames.
    while tb is not None and _is_own(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    return tb


class _Tee(object):
    """A stream that writes through to another one and keeps a copy of the text."""

    def __init__(self, stream):
        self._stream = stream
        self.parts = []

    def write(self, text):
        self.parts.append(text)
        return self._stream.write(text)

    def flush(self):
        return self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _print_exception(error, tb):
    """Prints `error` through sys.excepthook, as Python does; returns the text it printed.

    Capturing what the hook printed (rather than formatting it again with the traceback module)
    gives the person's exact report (3.11+ carets, a custom hook's output) and needs no import
    at a moment when a traceback.py of the program's could stand in for the stdlib's.
    """
    # The hook and Python's own display read the traceback from the exception too.
    error.__traceback__ = tb
    stderr = sys.stderr
    tee = _Tee(stderr) if stderr is not None else None
    if tee is not None:
        sys.stderr = tee
    try:
        sys.excepthook(type(error), error, tb)
    except Exception:
        # Python reports a failing hook, then the exception with its own display.
        sys.stderr.write('Error in sys.excepthook:\n')
        sys.__excepthook__(type(error), error, tb)
    finally:
        if tee is not None and sys.stderr is tee:
            sys.stderr = stderr
    try:
        if stderr is not None:
            stderr.flush()
    except Exception:
        pass
    text = ''.join(str(part) for part in tee.parts) if tee is not None else ''
    if not text.strip():
        text = '%s: %s\n' % (type(error).__name__, error)
    return text


def _report_exception(error, code):
    """Prints an uncaught exception of the program as Python would; returns the printed text."""
    return _print_exception(error, _strip_own_frames(error.__traceback__, code))


def _exit_code(error):
    """The process exit code of a SystemExit, printing a non-integer code as Python does."""
    code = error.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    try:
        sys.stderr.write('%s\n' % (code,))
    except Exception:
        pass
    return 1


def _write_atomic(path, data):
    tmp = '%s.%d.tmp' % (path, os.getpid())
    try:
        with open(tmp, 'wb') as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise


_JSON_ESCAPES = dict((i, '\\u%04x' % i) for i in range(32))
_JSON_ESCAPES.update({0x22: '\\"', 0x5C: '\\\\', 0x0A: '\\n', 0x0D: '\\r', 0x09: '\\t'})


def _json_string(text):
    text = text.translate(_JSON_ESCAPES)
    try:
        text.encode('utf-8')
    except UnicodeEncodeError:
        # Lone surrogates (undecodable bytes of a file name) cannot be encoded as UTF-8.
        text = ''.join('\\u%04x' % ord(c) if 0xD800 <= ord(c) < 0xE000 else c for c in text)
    return '"' + text + '"'


def _to_json(value):
    """JSON text of plain data (dict, list, tuple, str, int, float, bool, None).

    Our own, rather than the json module: that would be imported after the program's folder was
    put first on sys.path, where a json.py of the program's would take its place.
    """
    if value is None:
        return 'null'
    if value is True:
        return 'true'
    if value is False:
        return 'false'
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        finite = value == value and abs(value) != float('inf')
        return repr(value) if finite else 'null'
    if isinstance(value, dict):
        return '{' + ','.join(
            _json_string(str(k)) + ':' + _to_json(v) for k, v in value.items()
        ) + '}'
    if isinstance(value, _Raw):
        return value.text
    return '[' + ','.join(_to_json(v) for v in value) + ']'


class _Raw(object):
    """JSON text made elsewhere, to be placed as it is."""

    def __init__(self, text):
        self.text = text


def _samples_json(frames, stacks):
    """The `frames` and `stacks` lists of the samples document, formatted by hand: they are
    nearly all of it, and the generic encoder would take seconds on a large profile."""
    frames_text = '[' + ','.join(
        '[%s,%s,%s]' % (
            _json_string(name),
            'null' if path is None else _json_string(path),
            'null' if line is None else int(line),
        )
        for name, path, line in frames
    ) + ']'
    threads = {}
    parts = []
    for st in stacks:
        thread = threads.get(st['thread'])
        if thread is None:
            thread = threads[st['thread']] = _json_string(st['thread'])
        parts.append(
            '{"frames":[%s],"lines":[%s],"thread":%s,"weight":%r,"count":%d}' % (
                ','.join(map(str, st['frames'])),
                ','.join(map(str, st['lines'])),
                thread,
                float(st['weight']),
                st['count'],
            )
        )
    return _Raw(frames_text), _Raw('[' + ','.join(parts) + ']')


def _write_status(path, status):
    if not path:
        return
    status = dict(status)
    status['python'] = sys.version
    status['executable'] = sys.executable
    _write_atomic(path, _to_json(status).encode('utf-8'))


USAGE = (
    'usage: heatlens_profile.py --mode sampling|cprofile|yappi|memory --out PATH'
    ' [--clock cpu|wall] [--interval-us N] [--frames N] [--status PATH] [--control-fd N]'
    ' -- TARGET.py [ARGS...]'
)


class UsageError(Exception):
    pass


def _parse(argv):
    """The helper's options and the program's command line (what follows `--`).

    Parsed by hand: argparse and what it imports cost milliseconds of start-up on every run.
    """
    opts = types.SimpleNamespace(
        mode='sampling', out=None, clock=None, interval_us=1000, status=None, control_fd=None,
        frames=DEFAULT_FRAMES,
    )
    choices = {'--mode': ('sampling', 'cprofile', 'yappi', 'memory'), '--clock': ('cpu', 'wall')}
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == '--':
            break
        if not arg.startswith('--'):
            # Without `--`, the first argument that is not an option starts the program's part.
            rest.insert(0, arg)
            break
        name, eq, value = arg.partition('=')
        if name not in ('--mode', '--out', '--clock', '--interval-us', '--status', '--control-fd',
                        '--frames'):
            raise UsageError('unknown option %s' % name)
        if not eq:
            if not rest:
                raise UsageError('%s needs a value' % name)
            value = rest.pop(0)
        if name in choices and value not in choices[name]:
            raise UsageError(
                '%s must be one of %s, not %r' % (name, ', '.join(choices[name]), value)
            )
        if name == '--interval-us':
            try:
                value = int(value)
            except ValueError:
                raise UsageError('--interval-us must be a whole number of microseconds')
            if value < 1:
                raise UsageError('--interval-us must be at least 1')
        if name == '--frames':
            try:
                value = int(value)
            except ValueError:
                raise UsageError('--frames must be a whole number of frames')
            if not 1 <= value <= MAX_FRAMES:
                raise UsageError('--frames must be between 1 and %d' % MAX_FRAMES)
        if name == '--control-fd':
            try:
                value = int(value)
            except ValueError:
                raise UsageError('--control-fd must be a file descriptor number')
        setattr(opts, name[2:].replace('-', '_'), value)
    if not opts.out:
        raise UsageError('--out is required')
    if not rest:
        raise UsageError('the program to run is missing (give it after --)')
    if opts.clock is None:
        opts.clock = 'wall' if opts.mode == 'cprofile' else 'cpu'
    opts.target = rest[0]
    opts.args = rest[1:]
    return opts


def main(argv=None):
    """Runs the program under the mode's profiler and writes its results; the exit code."""
    # The program runs below this frame: its calls stay near the start of its code (see the top
    # of the file).
    run = _prepare(argv)
    if isinstance(run, int):
        return run
    return _conclude(run, _execute(run))


def _prepare(argv):
    """Reads the options and the program and sets up the run; an exit code when it cannot run."""
    try:
        opts = _parse(sys.argv[1:] if argv is None else argv)
    except UsageError as error:
        sys.stderr.write('%s\nheatlens_profile.py: error: %s\n' % (USAGE, error))
        return 2
    if opts.control_fd is not None:
        try:
            # The program's own children must not hold the runner's pipe.
            os.set_inheritable(opts.control_fd, False)
        except OSError:
            opts.control_fd = None
    own_pid = os.getpid()
    start_cwd = os.getcwd()
    out_path = os.path.abspath(opts.out)
    status_path = os.path.abspath(opts.status) if opts.status else None

    modules_before = set(sys.modules)
    yappi = None
    if opts.mode == 'yappi':
        try:
            import yappi
        except ImportError:
            message = _yappi_missing_message(sys.executable)
            sys.stderr.write(message)
            _write_status(status_path, {'outcome': 'no_yappi', 'exit_code': EXIT_NO_YAPPI,
                                        'error': message, 'warnings': []})
            return EXIT_NO_YAPPI

    target = opts.target
    path = os.path.abspath(target)
    try:
        with open(path, 'rb') as f:
            source = f.read()
    except OSError as error:
        message = "%s: can't open file %r: [Errno %s] %s\n" % (
            sys.executable, target, error.errno, error.strerror)
        sys.stderr.write(message)
        _write_status(status_path, {'outcome': 'missing_file', 'exit_code': 2, 'error': message,
                                    'warnings': []})
        return 2
    try:
        code = compile(source, path, 'exec', dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        # Python shows a syntax error in the main script without a "Traceback" header.
        text = _print_exception(error, None)
        _write_status(status_path, {'outcome': 'syntax_error', 'exit_code': 1, 'error': text,
                                    'warnings': []})
        return 1

    # What the profilers need is imported now, before the program's folder goes first on
    # sys.path, where a profile.py or pstats.py of the program's would take the stdlib's place.
    # Then those modules leave sys.modules again: the program's own imports find what a plain
    # run finds (its profile.py, or a fresh stdlib module), and ours keep their references.
    cProfile = marshal = None
    if opts.mode == 'memory':
        import ast
        import _tracemalloc
    elif opts.mode == 'cprofile':
        import cProfile
        import marshal
    elif opts.mode == 'yappi':
        import pstats  # noqa: F401 - yappi's pstat export imports it
    ours = {}
    for name in list(sys.modules):
        if name not in modules_before and name.split('.')[0] not in ('yappi', '_yappi'):
            ours[name] = sys.modules.pop(name)

    # A fresh __main__, as `python file.py` has.
    module = types.ModuleType('__main__')
    module.__file__ = path
    module.__cached__ = None
    module.__package__ = None
    module.__spec__ = None
    try:
        from importlib.machinery import SourceFileLoader

        module.__loader__ = SourceFileLoader('__main__', path)
    except Exception:  # pragma: no cover
        pass
    module.__builtins__ = __builtins__
    own_module = sys.modules.get('__main__')  # noqa: F841 - keeps our globals' module alive
    sys.modules['__main__'] = module
    sys.argv[:] = [target] + list(opts.args)
    sys.path[0] = os.path.dirname(os.path.realpath(path))

    # Cancelling sends SIGINT. A runner started in the background may hand us SIGINT ignored (a
    # shell does that to background jobs), and then Python never raises KeyboardInterrupt.
    try:
        if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
            signal.signal(signal.SIGINT, signal.default_int_handler)
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        pass

    namespace = module.__dict__
    results = _Results(opts, out_path, status_path, start_cwd, own_pid, ours, marshal)
    if opts.mode == 'memory':
        results.functions = _FunctionIndex(ast)
        results.memory = MemoryRecorder(_tracemalloc, opts.frames, start_cwd)
    return types.SimpleNamespace(
        opts=opts, code=code, namespace=namespace, results=results, own_pid=own_pid,
        cProfile=cProfile, yappi=yappi,
    )


def _execute(run):
    """Runs the program; returns (outcome, exit code, error text, interrupted).

    Short, with the memory mode's call first: tracemalloc computes the line of every frame of
    every allocation, ours below the program included, by scanning the frame's code from its
    start to the current instruction (see the top of the file).
    """
    results = run.results
    outcome = 'exited'
    exit_code = 0
    error_text = None
    interrupted = False
    try:
        try:
            results.start_clocks()
            if results.memory is not None:
                results.keep()
                results.memory.start()
                _run(run.code, run.namespace)
            else:
                _run_profiler(run)
        except SystemExit as error:
            exit_code = _exit_code(error)
        except KeyboardInterrupt as error:
            interrupted = True
            error_text = _report_exception(error, run.code)
        except BaseException as error:
            outcome = 'raised'
            exit_code = 1
            error_text = _report_exception(error, run.code)
        running = results.sampler is not None or results.memory is not None
        if running and not interrupted and os.getpid() == run.own_pid:
            # The program's threads go on after its main module ends: keep recording them.
            _join_threads()
    except KeyboardInterrupt:
        interrupted = True
    return outcome, exit_code, error_text, interrupted


def _run_profiler(run):
    """Runs the program under the sampler, cProfile or yappi."""
    opts, results, code, namespace = run.opts, run.results, run.code, run.namespace
    if opts.mode == 'sampling':
        interval_us = opts.interval_us
        if interval_us < MIN_INTERVAL_US:
            # A finer timer only floods the program with signals: the kernel's CPU timer
            # ticks every few milliseconds anyway, and each sample costs microseconds.
            results.warnings.append(
                'A sampling interval of %d us was raised to %d us.'
                % (interval_us, MIN_INTERVAL_US)
            )
            interval_us = opts.interval_us = MIN_INTERVAL_US
        results.sampler = Sampler(opts.clock, interval_us / 1e6, _run.__code__)
        results.sampler.start()
        results.keep()
        _run(code, namespace)
    elif opts.mode == 'cprofile':
        if opts.clock == 'cpu':
            results.profiler = run.cProfile.Profile(time.process_time)
        else:
            results.profiler = run.cProfile.Profile()
        results.keep()
        _run_cprofile(results.profiler, code, namespace)
    else:
        results.yappi = run.yappi
        # The keeper starts once yappi runs: yappi profiles the threads that exist when
        # it starts, and ours is none of the program's.
        _run_yappi(run.yappi, opts.clock, code, namespace, results.keep)


def _conclude(run, ran):
    """Writes the results of a run that has ended; returns the exit code."""
    outcome, exit_code, error_text, interrupted = ran
    if os.getpid() != run.own_pid:
        # A fork of the program that returned into us: only the original process writes.
        return exit_code

    # From here on the profile is being written: a second SIGINT must not lose it.
    old_sigint = None
    try:
        old_sigint = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ValueError, OSError):  # pragma: no cover
        pass
    if interrupted:
        outcome = 'interrupted'
        exit_code = EXIT_INTERRUPTED
    try:
        run.results.finish(outcome, exit_code, error_text)
    finally:
        if old_sigint is not None:
            try:
                signal.signal(signal.SIGINT, old_sigint)
            except (ValueError, OSError):  # pragma: no cover
                pass
    return exit_code

    # From here on the profile is being written: a second SIGINT must not lose it.
    old_sigint = None
    try:
        old_sigint = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ValueError, OSError):  # pragma: no cover
        pass
    if interrupted:
        outcome = 'interrupted'
        exit_code = EXIT_INTERRUPTED
    try:
        results.finish(outcome, exit_code, error_text)
    finally:
        if old_sigint is not None:
            try:
                signal.signal(signal.SIGINT, old_sigint)
            except (ValueError, OSError):  # pragma: no cover
                pass
    return exit_code


# ---------------------------------------------------------------------------------------------
# Writing the results, however the run ends


class _Results(object):
    """What the run recorded, written once: when the program ends, when it calls os._exit(), or
    when the runner escalates a stop the program ignored (a line on the control pipe).

    The sampler's profile is also written as the run goes (every second or so, less often when
    writing takes long), so that a run that ends without any of the above (SIGKILL, a crash)
    still leaves what the sampler had. cProfile and yappi cannot be read safely while they run:
    for them a run killed outright leaves nothing.
    """

    def __init__(self, opts, out_path, status_path, start_cwd, own_pid, ours, marshal):
        self.opts = opts
        self.out_path = out_path
        self.status_path = status_path
        self.start_cwd = start_cwd
        self.own_pid = own_pid
        self.ours = ours
        self.marshal = marshal
        self.sampler = None
        self.memory = None
        self.functions = None
        self.profiler = None
        self.yappi = None
        self.warnings = []
        self._lock = _thread.allocate_lock()
        self._done = False
        self._real_exit = os._exit

    def start_clocks(self):
        self.start_epoch_ms = time.time() * 1000.0
        self.t0 = time.perf_counter()
        self.c0 = time.process_time()

    def keep(self):
        """Installs the ways a run that does not end normally still gets its results written."""
        results = self

        def _exit(code):
            # os._exit skips every cleanup: write first (only the process we started writes).
            if os.getpid() == results.own_pid:
                results.finish('exited', code, None)
            results._real_exit(code)

        os._exit = _exit
        control_fd = self.opts.control_fd
        if control_fd is not None or self.sampler is not None:
            _thread.start_new_thread(self._keeper, (control_fd,))

    def _keeper(self, control_fd):
        """A raw thread (invisible to threading.enumerate()): snapshots, and the control pipe."""
        if self.sampler is not None:
            self.sampler.own_threads.add(_thread.get_ident())
        pause = 1.0
        while not self._done:
            readable = []
            try:
                if control_fd is not None:
                    readable, _, _ = select.select([control_fd], [], [], pause)
                else:
                    time.sleep(pause)
            except (OSError, ValueError):
                control_fd = None
                continue
            if readable:
                try:
                    data = os.read(control_fd, 64)
                except OSError:
                    data = b''
                if not data or b'stop' in data:
                    # Asked to stop (the program ignored SIGINT), or the runner is gone.
                    if self.finish('interrupted', EXIT_INTERRUPTED, None, 'stop'):
                        self._real_exit(EXIT_INTERRUPTED)
                    return
                continue
            if self.sampler is not None:
                took = self.snapshot()
                # Writing may cost at most about 5% of the run.
                pause = max(1.0, 20.0 * took)

    def snapshot(self):
        """Writes the sampler's profile so far (the final write replaces it); returns seconds."""
        began = time.perf_counter()
        with self._lock:
            if self._done:
                return 0.0
            try:
                seconds = time.perf_counter() - self.t0
                note = (
                    'The program ended without letting Heatlens write its profile (it was killed, '
                    'or crashed): this is what the sampler had written %.1f s into the run.'
                    % seconds
                )
                self._write_samples(0, time.perf_counter(), time.process_time(), [note])
            except Exception:  # pragma: no cover - a snapshot must never break the program
                pass
        return time.perf_counter() - began

    def finish(self, outcome, exit_code, error_text, how=None):
        """Writes the profile and the status, once; False when they were written already."""
        with self._lock:
            if self._done:
                return False
            self._done = True
            t1 = time.perf_counter()
            c1 = time.process_time()
            notes = []
            if how == 'stop':
                notes.append(
                    'The program did not stop on Ctrl+C (SIGINT): Heatlens stopped it, keeping '
                    'what was recorded.'
                )
            try:
                if self.sampler is not None:
                    self.sampler.stop()
                    self.warnings.extend(self.sampler.warnings)
                    self._write_samples(exit_code, t1, c1, notes)
                elif self.memory is not None:
                    self.memory.stop()
                    self._write_memory(exit_code, t1, c1, notes)
                elif self.profiler is not None:
                    self._write_cprofile(notes)
                elif self.yappi is not None:
                    self._write_yappi(notes)
            except Exception as error:
                # The program's run is over either way: say so, and still write the status.
                message = 'The profile could not be written to %s: %s' % (self.out_path, error)
                sys.stderr.write('heatlens_profile: %s\n' % message)
                self.warnings.append(message)
                try:
                    os.remove('%s.%d.yappi.tmp' % (self.out_path, os.getpid()))
                except OSError:
                    pass
            _write_status(
                self.status_path,
                {'outcome': outcome, 'exit_code': exit_code, 'error': error_text,
                 'warnings': self.warnings + notes, 'duration_s': round(t1 - self.t0, 9),
                 'start_epoch_ms': round(self.start_epoch_ms, 3),
                 'end_epoch_ms': round(self.start_epoch_ms + (t1 - self.t0) * 1000.0, 3)},
            )
            return True

    def _write_samples(self, exit_code, t1, c1, notes):
        opts = self.opts
        frames, stacks = _samples_json(*self.sampler.to_json(self.start_cwd))
        document = {
            'format': FORMAT,
            'version': VERSION,
            'clock': opts.clock,
            'interval_us': opts.interval_us,
            'python': sys.version,
            'argv': list(sys.argv),
            'frames': frames,
            'stacks': stacks,
            'duration_s': round(t1 - self.t0, 9),
            'cpu_s': round(c1 - self.c0, 9),
            'start_epoch_ms': round(self.start_epoch_ms, 3),
            'exit_code': exit_code,
            'warnings': list(self.warnings) + list(self.sampler.warnings) + notes,
        }
        _write_atomic(self.out_path, _to_json(document).encode('utf-8'))

    def _write_memory(self, exit_code, t1, c1, notes):
        memory = self.memory
        frames, stacks = memory.to_json(self.functions)
        peak = memory.peak or (0, {}, 0.0)
        end = memory.end or (0, {}, 0.0)
        document = {
            'format': MEMORY_FORMAT,
            'version': MEMORY_VERSION,
            'traceback_frames': memory.nframes,
            'python': sys.version,
            'argv': list(sys.argv),
            'frames': frames,
            'stacks': stacks,
            'peak_bytes': peak[0],
            'peak_s': round(peak[2], 6),
            'end_bytes': end[0],
            'traced_peak_bytes': memory.traced_peak,
            'snapshots': memory.snapshots,
            'overhead': {
                'snapshot_s': round(memory.snapshot_s, 6),
                'polls': memory.polls,
                'poll_s': round(memory.poll_s, 6),
                'tracemalloc_bytes': memory.tracemalloc_bytes,
            },
            'duration_s': round(t1 - self.t0, 9),
            'cpu_s': round(c1 - self.c0, 9),
            'start_epoch_ms': round(self.start_epoch_ms, 3),
            'exit_code': exit_code,
            'warnings': list(self.warnings) + list(memory.warnings) + notes,
        }
        _write_atomic(self.out_path, _to_json(document).encode('utf-8'))

    def _write_cprofile(self, notes):
        profiler = self.profiler
        if threading.current_thread() is not threading.main_thread():
            # Stopped from the keeper thread: cProfile counts a call when it returns, and before
            # Python 3.12 it cannot be stopped from another thread; what is still running is
            # closed at this moment (3.12+) or missing.
            if sys.version_info < (3, 12):
                notes.append(
                    'cProfile counts a call when it returns: the calls still running when the '
                    'program was stopped are missing (Python 3.12 and later count them).'
                )
        profiler.create_stats()
        if any(
            key[2] == 'start' and os.path.basename(key[0]) == 'threading.py'
            for key in profiler.stats
        ):
            self.warnings.append(
                'The program started threads: cProfile %s. Use the sampling or yappi mode'
                ' for threaded programs.'
                % (
                    'mixes all threads into one timeline on Python 3.12 and later'
                    if sys.version_info >= (3, 12)
                    else 'sees only the main thread before Python 3.12'
                )
            )
        _write_atomic(self.out_path, self.marshal.dumps(profiler.stats))

    def _write_yappi(self, notes):
        yappi = self.yappi
        yappi.stop()
        ours = (os.path.abspath(yappi.__file__), _OWN_FILE)
        stats = yappi.get_func_stats(
            # yappi.stop() is a Python function called while profiling, and so are our own
            # functions when the run ends early: not the program's.
            filter_callback=lambda s: os.path.abspath(s.module) not in ours
        )
        tmp = '%s.%d.yappi.tmp' % (self.out_path, os.getpid())
        # yappi imports pstats as it saves: lend it the stdlib's, whatever the program has.
        lent = dict((name, sys.modules.get(name)) for name in self.ours)
        sys.modules.update(self.ours)
        try:
            stats.save(tmp, type='pstat')
        finally:
            for name, module_ in lent.items():
                if module_ is None:
                    sys.modules.pop(name, None)
                else:
                    sys.modules[name] = module_
        os.replace(tmp, self.out_path)


if __name__ == '__main__':
    sys.exit(main())
