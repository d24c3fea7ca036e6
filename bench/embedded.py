#!/usr/bin/env python3
"""Builds per minute on the default install: one `kiln server` and its embedded agent, nothing else.

Runs each workload twice on a fresh server: with `--max-builds 1` (how every Kiln before it ran)
and with the default, sized from the machine. Two workloads, submitted at once through the API:
  overhead  20 builds of 5 x `true`: what the server and agent themselves cost per build
  ml        8 builds of an ML-shaped build: 0.3 s of CPU (python3), then 1 s of waiting (what a
            download, a push or a remote test spends), then `true`
Beside them, the raw baseline: the ml build's commands run by bash, one build after the other and
two at a time, with no Kiln at all. Usage: bench/embedded.py [ROUNDS] (default 3).
"""
import os, subprocess, sys, threading, time
import driver as d

CPU = "python3 -c 'sum(i * i for i in range(2_500_000))'"
WORKLOADS = {
    'overhead': (20, [{'args': ['true']} for _ in range(5)]),
    'ml': (8, [{'args': ['sh', '-c', CPU]}, {'args': ['sleep', '1']}, {'args': ['true']}]),
}


def builds_per_minute(nbuilds, steps, rounds):
    archive = d.tgz({'build.yaml': d.config(steps)})
    bpm = []
    for _ in range(rounds):
        ids = [None] * nbuilds
        t0 = time.time()

        def go(k):
            ids[k] = d.submit(archive)
        threads = [threading.Thread(target=go, args=(k,)) for k in range(nbuilds)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        t_end = max(d.wait_build(b, poll=0.02) for b in ids)
        bpm.append(nbuilds / (t_end - t0) * 60)
    return bpm


def raw(nbuilds, at_once):
    """The ml build's commands in bash, `at_once` builds side by side: builds per minute."""
    build = f"{CPU}; sleep 1; true"
    t0 = time.time()
    procs = []
    for _ in range(nbuilds):
        procs.append(subprocess.Popen(['bash', '-c', build]))
        if len(procs) == at_once:
            [p.wait() for p in procs]
            procs = []
    [p.wait() for p in procs]
    return nbuilds / (time.time() - t0) * 60


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    if not os.path.exists(d.JAR):
        raise SystemExit(f'{d.JAR} is missing: run ./mvnw -q -DskipTests install (or ./kiln --version) first')
    results = {}
    for label, extra in (('--max-builds 1', ['--max-builds', '1']), ('default', [])):
        try:
            server, _ = d.start_server(extra)
            with open(d.BASE + '/server.log') as f:
                line = next((l.strip() for l in f if 'Embedded agent' in l), '?')
            print(f'{label}: {line}', flush=True)
            for _ in range(30):   # warm-up, as in driver.py
                d.wait_build(d.submit(d.tgz({'build.yaml': d.config([{'args': ['true']}])})), poll=0.01)
            for name, (n, steps) in WORKLOADS.items():
                results[(label, name)] = d.fmt(f'{name}: {n} builds at once, builds/min',
                                               builds_per_minute(n, steps, rounds), 'builds/min')
        finally:
            d.stop_all()
            d.PROCS.clear()
    n = WORKLOADS['ml'][0]
    print('raw baseline, the ml build in bash with no Kiln:', flush=True)
    d.fmt(f'ml: {n} builds one after the other, builds/min', [raw(n, 1)], 'builds/min')
    d.fmt(f'ml: {n} builds two at a time, builds/min', [raw(n, 2)], 'builds/min')
    for name in WORKLOADS:
        before = results[('--max-builds 1', name)]['median']
        after = results[('default', name)]['median']
        print(f'{name}: {before:.0f} -> {after:.0f} builds/min ({after / before:.2f}x)')


if __name__ == '__main__':
    main()
