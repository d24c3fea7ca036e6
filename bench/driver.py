#!/usr/bin/env python3
"""Kiln's twin of ../shared/peers/buildbot/driver.py: the same figures, measured the same way.

Starts `kiln server` (embedded agent, fresh H2 data dir) on 127.0.0.1, then measures:
  latency   POST /api/builds -> the first step's own `date +%s.%N`
  steps100  a build of 100 steps (first and last write timestamps, 98 x `true`): (POST -> done) / 100
  log200    one step printing 200,000,000 bytes: 200 / (POST -> done) MB/s, next to the raw command
  concurrency 20 five-step builds submitted at once, embedded agent + one remote agent
  memory    server RSS idle, after the benchmarks; heap after a full GC (jcmd)
Raw baselines are taken in the same run: fork/exec of `true`, and the 200 MB command to a file.
Every process it starts it stops by PID. Only 127.0.0.1 is contacted.
"""
import gzip, io, json, os, signal, statistics, subprocess, sys, tarfile, threading, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
JAR = os.path.join(ROOT, 'server', 'target', 'kiln.jar')
BASE = os.environ.get('KILN_BENCH_BASE', '/tmp/kiln-bench')
OUT = BASE + '/out'
PORT = int(os.environ.get('KILN_BENCH_PORT', '18080'))
URL = f'http://127.0.0.1:{PORT}'
RES = {}
PROCS = []


def stats(xs):
    return {'n': len(xs), 'min': min(xs), 'median': statistics.median(xs), 'max': max(xs)}


def fmt(name, xs, unit='s', scale=1.0):
    s = stats(xs)
    print(f"  {name:<52} min {s['min']*scale:10.4f}  median {s['median']*scale:10.4f}  "
          f"max {s['max']*scale:10.4f} {unit}", flush=True)
    return s


def tgz(files):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode='wb', mtime=0) as gz:
        with tarfile.open(fileobj=gz, mode='w') as tar:
            for name, text in files.items():
                data = text.encode()
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


TOKEN = {}


def admin_token():
    """The admin token the server keeps in its data directory (read once per server)."""
    if 'admin' not in TOKEN:
        with open(BASE + '/data/admin.token') as f:
            TOKEN['admin'] = f.read().strip()
    return TOKEN['admin']


def api(path, body=None, ctype='application/json'):
    # Reads need a viewer too, since users and roles exist: every call carries the admin token.
    headers = {'Content-Type': ctype, 'Authorization': 'Bearer ' + admin_token()}
    req = urllib.request.Request(URL + path, data=body, method='POST' if body is not None else 'GET',
                                 headers=headers)
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())


def submit(archive):
    return api('/api/builds', archive, 'application/gzip')['id']


def wait_build(bid, poll=0.05, timeout=1800):
    end = time.time() + timeout
    while time.time() < end:
        b = api('/api/builds/' + bid)
        if b['status'] not in ('QUEUED', 'WORKING', 'PENDING'):
            if b['status'] != 'SUCCESS':
                raise SystemExit(f'build {bid} ended {b["status"]}: {b.get("statusDetail")}')
            return time.time()
        time.sleep(poll)
    raise SystemExit(f'build {bid} did not finish')


def wait_file(path, timeout=120):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with open(path) as f:
                text = f.read().strip()
            if text:
                return float(text)
        except FileNotFoundError:
            pass
        time.sleep(0.005)
    raise SystemExit(f'no {path}')


def rss_mib(pid):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
    return 0


def cpu_s(pid):
    with open(f'/proc/{pid}/stat') as f:
        parts = f.read().rsplit(')', 1)[1].split()
    return (int(parts[11]) + int(parts[12]) + int(parts[13]) + int(parts[14])) / os.sysconf('SC_CLK_TCK')


def heap_after_gc_mib(pid):
    """Heap in use right after a full GC, from `jcmd GC.heap_info` ("... total 65536K, used 20480K")."""
    subprocess.run(['jcmd', str(pid), 'GC.run'], capture_output=True)
    out = subprocess.run(['jcmd', str(pid), 'GC.heap_info'], capture_output=True, text=True).stdout
    for line in out.splitlines():
        toks = line.replace(',', ' ').split()
        if 'used' in toks and 'total' in toks:
            used = toks[toks.index('used') + 1]
            if used.endswith('K') and used[:-1].isdigit():
                return int(used[:-1]) / 1024
    return -1


def start_server(extra=()):
    subprocess.run(['rm', '-rf', BASE + '/data', BASE + '/agent'])
    TOKEN.clear()
    os.makedirs(OUT, exist_ok=True)
    # Steps write their timestamps here; run as root, kiln runs them as its unprivileged build user.
    os.chmod(OUT, 0o1777)
    log = open(BASE + '/server.log', 'w')
    t0 = time.time()
    p = subprocess.Popen(['java', '-Xmx128m', '-jar', JAR, 'server', '--port', str(PORT),
                          '--data-dir', BASE + '/data', *extra], stdout=log, stderr=subprocess.STDOUT,
                         env=dict(os.environ, XDG_CONFIG_HOME=BASE + '/xdg'))
    PROCS.append(p)
    while True:
        try:
            api('/api/health')
            break
        except OSError:
            if p.poll() is not None:
                raise SystemExit('server died; see ' + BASE + '/server.log')
            time.sleep(0.01)
    return p, time.time() - t0


def start_agent():
    log = open(BASE + '/agent.log', 'w')
    p = subprocess.Popen(['java', '-jar', JAR, 'agent', '--server', URL, '--token-file', BASE + '/data/agent.token',
                          '--workdir', BASE + '/agent'], stdout=log, stderr=subprocess.STDOUT)
    PROCS.append(p)
    return p


def stop_all():
    for p in PROCS:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in PROCS:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()


def stamp(key):
    return {'script': f'date +%s.%N > {OUT}/{key}\n'}


def config(steps):
    return json.dumps({'steps': steps})


def m_latency(n):
    lat, done = [], []
    for i in range(n):
        tag = f'f{time.time_ns()}'
        archive = tgz({'build.yaml': config([stamp(f'latency-{tag}.ts')])})
        t0 = time.time()
        bid = submit(archive)
        ts = wait_file(f'{OUT}/latency-{tag}.ts')
        t_end = wait_build(bid, poll=0.05)
        lat.append(ts - t0)
        done.append(t_end - t0)
        time.sleep(0.5)
    print('trigger -> first step (POST /api/builds with the source archive):')
    RES['latency'] = {'trigger_to_first_step_s': fmt('POST -> step process timestamp', lat, 'ms', 1e3),
                      'trigger_to_build_complete_s': fmt('POST -> build complete (1 step)', done, 'ms', 1e3)}


def loop_true():
    t0 = time.perf_counter()
    for _ in range(100):
        subprocess.run(['/bin/true'])
    t1 = time.perf_counter()
    out = subprocess.run(['bash', '-c', 's=$EPOCHREALTIME; for i in $(seq 100); do /bin/true; done; '
                          'e=$EPOCHREALTIME; echo $s $e'], capture_output=True, text=True).stdout.split()
    return (t1 - t0) / 100, (float(out[1]) - float(out[0])) / 100


def m_steps100(n, pid):
    wall, inner, fork_py, fork_sh, cpu = [], [], [], [], []
    for i in range(n):
        tag = f'p{time.time_ns()}'
        steps = [stamp(f'steps100-{tag}.t0')] + [{'args': ['true']} for _ in range(98)] + [stamp(f'steps100-{tag}.t1')]
        archive = tgz({'build.yaml': config(steps)})
        c0 = cpu_s(pid)
        t0 = time.time()
        bid = submit(archive)
        t_end = wait_build(bid, poll=0.2)   # Buildbot's driver polls this one every 0.2 s too
        cpu.append(round((cpu_s(pid) - c0) / (t_end - t0), 2))
        a = wait_file(f'{OUT}/steps100-{tag}.t0')
        b = wait_file(f'{OUT}/steps100-{tag}.t1')
        wall.append((t_end - t0) / 100)
        inner.append((b - a) / 99)
        x, y = loop_true()
        fork_py.append(x), fork_sh.append(y)
        time.sleep(0.5)
    print('per-step overhead (a build of 100 trivial steps):')
    RES['steps100'] = {
        'trigger_to_complete_div_100_s': fmt('(POST -> build complete) / 100', wall, 'ms', 1e3),
        'first_to_last_step_div_99_s': fmt('(first-step ts -> last-step ts) / 99', inner, 'ms', 1e3),
        'raw_fork_exec_true_python_s': fmt('raw: fork/exec /bin/true from python, each', fork_py, 'ms', 1e3),
        'raw_bash_loop_bin_true_s': fmt('raw: bash loop /bin/true, per iteration', fork_sh, 'ms', 1e3),
        'server_cpu_cores_busy': cpu}
    print('  server CPU cores busy (cpu-seconds / wall) per run:', cpu)


def m_log200(n, pid):
    total, cmd, tail, raw, rawf, cpu = [], [], [], [], [], []
    line = "yes 'line of ml training log 0123456789' | head -c 200000000"
    for i in range(n):
        out = subprocess.run(['bash', '-c', f"s=$EPOCHREALTIME; {line} > /dev/null; e=$EPOCHREALTIME; "
                              f"{line} > {BASE}/raw.log; e2=$EPOCHREALTIME; echo $s $e $e2"],
                             capture_output=True, text=True).stdout.split()
        s, e, e2 = map(float, out)
        os.unlink(f'{BASE}/raw.log')
        raw.append(e - s), rawf.append(e2 - e)
        tag = f'l{time.time_ns()}'
        script = f'date +%s.%N > {OUT}/log200-{tag}.t0\n{line}\ndate +%s.%N > {OUT}/log200-{tag}.t1\n'
        archive = tgz({'build.yaml': config([{'script': script}])})
        c0 = cpu_s(pid)
        t0 = time.time()
        bid = submit(archive)
        t_end = wait_build(bid, poll=0.1)
        cpu.append(round((cpu_s(pid) - c0) / (t_end - t0), 2))
        a = wait_file(f'{OUT}/log200-{tag}.t0')
        b = wait_file(f'{OUT}/log200-{tag}.t1')
        size = api('/api/builds/' + bid)['steps'][0]['logSize']
        if size != 200_000_000:
            raise SystemExit(f'log of build {bid} has {size} bytes, not 200000000')
        total.append(t_end - t0), cmd.append(b - a), tail.append(t_end - b)
        print(f'    run {i}: build {t_end - t0:.2f}s, command-in-step {b - a:.2f}s, raw {e - s:.2f}s, '
              f'server RSS {rss_mib(pid):.0f} MiB', flush=True)
        time.sleep(1)
    print('log throughput (one step printing 200 MB):')
    RES['log200'] = {
        'trigger_to_build_complete_s': fmt('POST -> build complete', total),
        'command_runtime_inside_step_s': fmt('command runtime inside the step', cmd),
        'command_end_to_build_complete_s': fmt('command end -> build complete (log drain)', tail),
        'raw_to_devnull_s': fmt('raw command | /dev/null', raw),
        'raw_to_file_s': fmt('raw command > file', rawf),
        'build_MB_per_s': fmt('effective MB/s through kiln', [200 / t for t in total], 'MB/s'),
        'raw_to_file_MB_per_s': fmt('raw command > file, MB/s', [200 / t for t in rawf], 'MB/s'),
        'server_cpu_cores_busy': cpu}


def m_concurrency(n, nbuilds=20):
    bpm = []
    archive = tgz({'build.yaml': config([{'args': ['true']} for _ in range(5)])})
    for r in range(n):
        ids = [None] * nbuilds
        t0 = time.time()

        def go(k):
            ids[k] = submit(archive)
        threads = [threading.Thread(target=go, args=(k,)) for k in range(nbuilds)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        t_end = max(wait_build(b, poll=0.05) for b in ids)
        bpm.append(nbuilds / (t_end - t0) * 60)
        time.sleep(0.5)
    print(f'concurrency ({nbuilds} builds x 5 `true` steps, submitted at once, 2 agents):')
    RES['concurrency'] = {'builds_per_minute': fmt('builds per minute', bpm, 'builds/min')}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    if not os.path.exists(JAR):
        raise SystemExit(f'{JAR} is missing: run ./mvnw -q -DskipTests install (or ./kiln --version) first')
    try:
        server, started = start_server()
        pid = server.pid
        print(f'server: start -> /api/health 200 in {started:.2f} s, idle RSS {rss_mib(pid):.0f} MiB', flush=True)
        RES['startup'] = {'server_to_health_200_s': started, 'server_idle_rss_mib': rss_mib(pid)}
        # Warm-up: a server that has run a few dozen builds, as a running one has (JIT-compiled hot paths).
        for _ in range(50):
            wait_build(submit(tgz({'build.yaml': config([{'args': ['true']}])})), poll=0.01)
        m_latency(10 * n // 3 or 1)
        m_steps100(n, pid)
        m_log200(n, pid)
        agent = start_agent()
        time.sleep(2)
        m_concurrency(n)
        RES['memory'] = {'server_rss_after_mib': rss_mib(pid), 'server_heap_after_full_gc_mib': heap_after_gc_mib(pid),
                         'server_max_heap': '128m (-Xmx128m: the 200 MB log could not be held in memory)',
                         'agent_rss_mib': rss_mib(agent.pid)}
        print('memory:', RES['memory'])
    finally:
        stop_all()
    with open(BASE + '/results.json', 'w') as f:
        json.dump(RES, f, indent=1)
    print('results:', BASE + '/results.json')


if __name__ == '__main__':
    main()
