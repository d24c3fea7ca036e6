#!/usr/bin/env python3
"""The log stream end to end, as a user meets it through the real `./kiln` launcher (its C1-only JIT).

Starts `kiln server` (as driver.py does: fresh data dir, 127.0.0.1) and measures, each beside its baseline:
  submit200   `./kiln submit DIR > /dev/null` of one step printing 200,000,000 bytes: 200 / wall MB/s;
              baseline: `curl` of the same log, raw, to /dev/null
  log200      `./kiln builds log ID > /dev/null` of that finished build; same baseline
  watched     a 100-step build (98 x `true`) followed by `./kiln submit > /dev/null` against the same
              build submitted through the API and not followed: per step, first -> last step / 99
Usage: bench/stream.py [ROUNDS]   (KILN_BENCH_BASE, KILN_BENCH_PORT as for driver.py; defaults differ;
       KILN_BENCH_ROOT=DIR measures the launcher and jar under DIR instead of this tree;
       KILN_BENCH_ONLY=watched runs only the watched figure)
"""
import os, resource, subprocess, sys, tempfile, time

os.environ.setdefault('KILN_BENCH_BASE', '/tmp/kiln-bench-stream')
os.environ.setdefault('KILN_BENCH_PORT', '18093')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import driver  # noqa: E402  (reads the two variables above when imported)
from driver import api, config, fmt, stamp, submit, tgz, wait_build, wait_file, OUT, URL, BASE, ROOT, RES  # noqa: E402

# KILN_BENCH_ROOT: another tree (or a copy of `kiln` + `server/target/kiln.jar`) to measure, e.g. the base commit.
ROOT = os.environ.get('KILN_BENCH_ROOT', ROOT)
driver.JAR = os.path.join(ROOT, 'server', 'target', 'kiln.jar')
KILN = os.path.join(ROOT, 'kiln')
LINE = "yes 'line of ml training log 0123456789' | head -c 200000000"
SIZE = 200_000_000


def check_jar_fresh():
    # The launcher rebuilds (with `mvnw install`) a jar older than its sources: refuse rather than let it.
    dirs = [p for p in (os.path.join(ROOT, d) for d in ('pom.xml', 'spec', 'agent', 'server', 'webui')) if os.path.exists(p)]
    if len(dirs) < 2:
        return  # a copy of the launcher and jar alone: nothing to be stale against
    stale = subprocess.run(['find', *dirs,
                            '-path', '*/target', '-prune', '-o', '-path', '*/src/test', '-prune', '-o',
                            '-type', 'f', '-newer', driver.JAR, '-print', '-quit'], capture_output=True, text=True).stdout
    if stale.strip():
        raise SystemExit(f'{driver.JAR} is older than {stale.strip()}: build it first '
                         '(./mvnw -B -ntp -o -q -pl spec,agent,webui,server package -DskipTests)')


def cli_env():
    return dict(os.environ, XDG_CONFIG_HOME=BASE + '/xdg-cli', KILN_SERVER=URL, KILN_TOKEN=driver.admin_token())


def project(files):
    d = tempfile.mkdtemp(prefix='src-', dir=BASE)
    for name, text in files.items():
        with open(os.path.join(d, name), 'w') as f:
            f.write(text)
    return d


CPU = []


def timed(cmd):
    # The launcher execs java, so the child's rusage is the CLI's own CPU: a figure that a busy machine
    # (other engineers' builds) moves far less than the wall time.
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=cli_env())
    t1 = time.time()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
    return p, t1 - t0


def last_build_id():
    return api('/api/builds?limit=1')[0]['id']


def curl_log(bid):
    t0 = time.time()
    subprocess.run(['curl', '-sS', '-o', '/dev/null', '-H', 'Authorization: Bearer ' + driver.admin_token(),
                    f'{URL}/api/builds/{bid}/steps/0/log'], check=True)
    return time.time() - t0


def m_log200(n):
    src = project({'build.yaml': config([{'script': LINE + '\n'}])})
    sub, logs, curl, subcpu, logcpu = [], [], [], [], []
    for i in range(n):
        p, t = timed([KILN, 'submit', src])
        subcpu.append(CPU[-1])
        if p.returncode != 0:
            raise SystemExit('kiln submit failed: ' + p.stderr)
        bid = last_build_id()
        size = api('/api/builds/' + bid)['steps'][0]['logSize']
        if size != SIZE:
            raise SystemExit(f'log of build {bid} has {size} bytes, not {SIZE}')
        p, tl = timed([KILN, 'builds', 'log', bid])
        logcpu.append(CPU[-1])
        if p.returncode != 0:
            raise SystemExit('kiln builds log failed: ' + p.stderr)
        tc = curl_log(bid)
        sub.append(t), logs.append(tl), curl.append(tc)
        print(f'    run {i}: submit {t:.2f}s ({subcpu[-1]:.2f} CPU-s), builds log {tl:.2f}s ({logcpu[-1]:.2f} CPU-s), '
              f'curl {tc:.2f}s', flush=True)
    print('200 MB log through the CLI (to /dev/null, wall time of the command, JVM start included):')
    RES['cli_log200'] = {
        'submit_MB_per_s': fmt('kiln submit (build runs meanwhile)', [200 / t for t in sub], 'MB/s'),
        'builds_log_MB_per_s': fmt('kiln builds log ID', [200 / t for t in logs], 'MB/s'),
        'curl_raw_MB_per_s': fmt('baseline: curl of the raw log', [200 / t for t in curl], 'MB/s'),
        'submit_s': fmt('kiln submit, wall', sub), 'builds_log_s': fmt('kiln builds log, wall', logs),
        'submit_cpu_s': fmt('kiln submit, CPU of the CLI (user + sys)', subcpu),
        'builds_log_cpu_s': fmt('kiln builds log, CPU of the CLI (user + sys)', logcpu)}
    t = time.time()
    timed([KILN, '--version'])
    print(f'  for scale: `kiln --version` takes {time.time() - t:.2f} s, {CPU[-1]:.2f} CPU-s (the JVM and CLI starting)')


def hundred_steps(tag):
    return config([stamp(f'w-{tag}.t0')] + [{'args': ['true']} for _ in range(98)] + [stamp(f'w-{tag}.t1')])


def inner(tag):
    return (wait_file(f'{OUT}/w-{tag}.t1') - wait_file(f'{OUT}/w-{tag}.t0')) / 99


def server_cpu():
    # The server's own CPU (user + sys, seconds), embedded agent included: a cost a busy machine moves far
    # less than wall time, so watched and unwatched builds compare even when other work shares the cores.
    with open(f'/proc/{driver.PROCS[0].pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def m_watched(n):
    watched, unwatched, bycurl, late = [], [], [], []
    cpu_un, cpu_w, cpu_cli, events = [], [], [], []
    for i in range(n):
        tag = f'u{time.time_ns()}'
        c0 = server_cpu()
        bid = submit(tgz({'build.yaml': hundred_steps(tag)}))
        # Waits on the last step's own file, not by polling the API, whose reads would cost the server CPU.
        wait_file(f'{OUT}/w-{tag}.t1')
        wait_build(bid, poll=0.05)
        cpu_un.append(server_cpu() - c0)
        unwatched.append(inner(tag))
        # The server's share of watching alone: a follower that costs nothing to run.
        tag = f'c{time.time_ns()}'
        bid = submit(tgz({'build.yaml': hundred_steps(tag)}))
        got = subprocess.run(['curl', '-sN', '-H', 'Accept: text/event-stream', '-H', 'Authorization: Bearer ' + driver.admin_token(),
                              f'{URL}/api/builds/{bid}/events?log=size'], stdout=subprocess.PIPE, check=True, text=True).stdout
        # What the server sent for the build: a count that no load on the machine moves.
        events.append(sum(1 for line in got.splitlines() if line.startswith('event:')))
        bycurl.append(inner(tag))
        tag = f'w{time.time_ns()}'
        src = project({'build.yaml': hundred_steps(tag)})
        c0 = server_cpu()
        p, t = timed([KILN, 'submit', src])
        cpu_w.append(server_cpu() - c0)
        cpu_cli.append(CPU[-1])
        if p.returncode != 0:
            raise SystemExit('kiln submit failed: ' + p.stderr)
        watched.append(inner(tag))
        # How long submit went on after the build's own end: a lost wake-up shows here as ~15 s.
        b = api('/api/builds/' + last_build_id())
        late.append(t)
        print(f'    run {i}: unwatched {unwatched[-1]*1e3:.2f} ms/step, curl follows {bycurl[-1]*1e3:.2f} ms/step, '
              f'watched {watched[-1]*1e3:.2f} ms/step, '
              f'submit wall {t:.2f}s ({b["status"]}); server CPU unwatched {cpu_un[-1]:.2f} s, '
              f'watched {cpu_w[-1]:.2f} s (+ CLI {cpu_cli[-1]:.2f} s); {events[-1]} events to curl', flush=True)
        time.sleep(0.5)
    print('per step, first -> last step / 99 (a build of 100 steps):')
    RES['watched'] = {'watched_s': fmt('watched by kiln submit', watched, 'ms', 1e3),
                      'unwatched_s': fmt('baseline: unwatched (API submit, polled)', unwatched, 'ms', 1e3),
                      'curl_follows_s': fmt('followed by curl (the server\'s share alone)', bycurl, 'ms', 1e3),
                      'submit_wall_s': fmt('kiln submit wall, whole 100-step build', late),
                      'server_cpu_unwatched_s': fmt('server CPU, unwatched build', cpu_un),
                      'server_cpu_watched_s': fmt('server CPU, build watched by kiln submit', cpu_w),
                      'cli_cpu_watched_s': fmt('kiln submit CPU (JVM start and upload included)', cpu_cli),
                      'events_to_curl': fmt('SSE events sent for the build followed by curl', events, '')}
    print(f"  watched / unwatched (medians): {RES['watched']['watched_s']['median'] / RES['watched']['unwatched_s']['median']:.3f}")
    ratios = sorted(w / u for w, u in zip(watched, unwatched))
    print(f"  watched / unwatched per run: {', '.join(f'{r:.2f}' for r in ratios)}; median {ratios[len(ratios) // 2]:.3f}")


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    check_jar_fresh()
    try:
        server, started = driver.start_server()
        print(f'server up in {started:.2f} s', flush=True)
        for _ in range(30):
            wait_build(submit(tgz({'build.yaml': config([{'args': ['true']}])})), poll=0.01)
        m_watched(n)
        if os.environ.get('KILN_BENCH_ONLY') != 'watched':
            m_log200(n)
    finally:
        driver.stop_all()


if __name__ == '__main__':
    main()
