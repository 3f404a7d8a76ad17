"""Warm start of one app built with two runtimes (e.g. before/after a runtime change), interleaved.

usage: python tools/bench/warm-trust-bench.py OLD_BOOTSTRAP_DIR NEW_BOOTSTRAP_DIR WHEEL_DIR [RUNS]
Builds the same PEX (app: `import flask, requests`) with each runtime via the runtime tests' PEX
builder, warms each cache, then runs them alternately RUNS times (default 41) with and without
PYTHONDONTWRITEBYTECODE=1 and prints the median wall time and the median CPU time (user+sys of
the child, which CPU contention from other work disturbs far less) of each. Run it with the interpreter
to measure (e.g. ~/.pyenv/versions/3.11.7/bin/python3); wheels from `pip download flask requests`.
"""
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packages/pex/bootstrap-tests"))
import conftest  # noqa: E402

APP = "import flask, requests\ndef main():\n    print('ok', flask.__name__, requests.__version__)\n"


def main():
    old, new, wheel_dir = (Path(a) for a in sys.argv[1:4])
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 41
    wheels = sorted(wheel_dir.glob("*.whl"))
    tmp = Path(tempfile.mkdtemp(prefix="warm-trust-bench-"))
    pexes = {}
    for label, boot in (("old", old), ("new", new)):
        conftest.BOOTSTRAP = boot
        pexes[label] = conftest.build_pex(tmp / (label + ".pex"), code={"app.py": APP}, wheels=wheels,
                                          requirements=["flask", "requests"], entry_point="app:main")
    times = dict(((label, dw), []) for label in pexes for dw in ("", "1"))
    cpu = dict((k, []) for k in times)
    env0 = dict((k, v) for k, v in os.environ.items() if not k.startswith("PEX"))
    for i in range(runs + 2):
        for (label, dw), ts in times.items():
            env = dict(env0, PEX_ROOT=str(tmp / ("root-" + label)), PYTHONDONTWRITEBYTECODE=dw)
            t, ru = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
            r = subprocess.run([sys.executable, str(pexes[label])], env=env, stdout=subprocess.PIPE)
            ru2 = resource.getrusage(resource.RUSAGE_CHILDREN)
            if r.returncode != 0:
                sys.exit("%s failed" % label)
            if i >= 2:  # the first two starts fill the cache and the .pyc
                ts.append(time.perf_counter() - t)
                cpu[(label, dw)].append(ru2.ru_utime - ru.ru_utime + ru2.ru_stime - ru.ru_stime)
    for (label, dw), ts in times.items():
        print("%-4s PYTHONDONTWRITEBYTECODE=%-1s wall median %.1f ms (min %.1f)  cpu median %.1f ms (min %.1f)  n=%d"
              % (label, dw, statistics.median(ts) * 1000, min(ts) * 1000, statistics.median(cpu[(label, dw)]) * 1000,
                 min(cpu[(label, dw)]) * 1000, len(ts)))


if __name__ == "__main__":
    main()
