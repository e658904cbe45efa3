"""Run a Python module as `__main__` and report its own peak RSS at exit.

    python -m bench.peak xuanpei.cli import roster FILE --json

Why not `ru_maxrss` from `wait4`: on Linux a child's maximum RSS starts from its
parent's high-water mark at fork and survives `exec`, so every command the
bench process starts would seem at least as large as the bench itself. The
address space's own high-water mark (`VmHWM` in /proc/self/status) is reset by
`exec`: it is the program's true peak. It is written to stderr as the last line
(`BENCH_PEAK_KB=<kB>`), which `bench.measure.run_measured` reads.
"""

from __future__ import annotations

import atexit
import runpy
import sys

MARK = "BENCH_PEAK_KB="


def vm_hwm_kb() -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _report() -> None:
    kb = vm_hwm_kb()
    if kb is not None:
        sys.stderr.write(f"\n{MARK}{kb}\n")
        sys.stderr.flush()


def main() -> None:
    module = sys.argv[1]
    sys.argv = [module, *sys.argv[2:]]
    atexit.register(_report)
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
