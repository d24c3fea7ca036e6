#!/usr/bin/python3
"""Container steps against raw `docker run`, one after the other on the same engine and image.

  per step   a build of K container steps running `true` (each waits for the one before):
             (POST -> build complete) / K, and (build of K - build of 1) / (K - 1), which leaves out
             what a build costs once; against K x `docker run --rm --init IMAGE true` / K
  log        one container step writing 200 MB to stdout: 200 MB / (POST -> build complete), the
             whole log stored, and 200 MB / the step's own time (its start -> finish as the API shows
             it: creating, attaching, starting, streaming, storing, waiting, as the raw reader below), against the same command through `docker run --rm --init` to /dev/null
             (the engine also writes it to its json-file log, as by default) and with --log-driver none
             (as Kiln runs step containers), and against the engine's own attach stream read by a minimal
             reader (Python on the socket: create, attach, start, read to the end, no docker CLI), the
             most any client can get out of this engine's stream, and `docker run` writing into a named
             pipe that a minimal reader drains, the path Kiln's output takes now; twice: as `yes | head` writes it (small
             writes) and through `dd bs=65536` (64 KiB writes, with which the engine itself is faster)

Usage: bench/containers.py [ROUNDS] [IMAGE]  (defaults: 3, kiln-test/busybox:1, which the agent's
tests build from Debian's busybox-static: `docker build` FROM scratch + /bin/busybox).
Starts `kiln server` from server/target/kiln.jar on port KILN_BENCH_PORT (default 18160).
"""
import datetime, http.client, json, os, socket, subprocess, sys, tempfile, time, urllib.request

os.environ.setdefault('KILN_BENCH_PORT', '18160')
os.environ.setdefault('KILN_BENCH_BASE', '/tmp/kiln-bench-containers')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import driver as d  # noqa: E402

K = 10
LOG_BYTES = 200_000_000
LOG_CMD = f"yes 'line of ml training log 0123456789' | head -c {LOG_BYTES}"
# The same bytes in 64 KiB writes (a program that buffers its output): the engine itself goes faster.
LOG_CMD_LARGE = LOG_CMD + ' | dd bs=65536 iflag=fullblock 2>/dev/null'
LOG_WORKLOADS = (('small writes', LOG_CMD), ('64 KiB writes', LOG_CMD_LARGE))


def ensure_image(image):
    if subprocess.run(['docker', 'image', 'inspect', image], capture_output=True).returncode == 0:
        return
    ctx = '/tmp/kiln-bench-busybox'
    os.makedirs(ctx, exist_ok=True)
    subprocess.run(['cp', '/bin/busybox', ctx + '/busybox'], check=True)
    with open(ctx + '/Dockerfile', 'w') as f:
        f.write('FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nCMD ["sh"]\n')
    subprocess.run(['docker', 'build', '-q', '-t', image, ctx], check=True, capture_output=True)


class _Engine(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect('/var/run/docker.sock')


def _engine(method, path, body=None):
    c = _Engine('localhost')
    c.request(method, path, body=json.dumps(body) if body is not None else None,
              headers={'Content-Type': 'application/json'})
    r = c.getresponse()
    data = r.read()
    c.close()
    if r.status >= 300:
        raise SystemExit(f'{method} {path}: {r.status} {data!r}')
    return json.loads(data) if data else None


def raw_pipe(image, cmd):
    """Seconds of `docker run` whose command writes into a named pipe (mounted at /kiln/output, as Kiln
    mounts one) that a minimal reader drains in 1 MiB reads: the path Kiln's output takes, by hand."""
    import threading
    fifo = tempfile.mktemp(prefix='kiln-bench-pipe-')
    os.mkfifo(fifo, 0o622)
    got = []

    def drain():
        n = 0
        with open(fifo, 'rb', buffering=0) as f:
            buf = bytearray(1 << 20)
            while (k := f.readinto(buf)):
                n += k
        got.append(n)

    reader = threading.Thread(target=drain)
    reader.start()
    t0 = time.time()
    subprocess.run(['docker', 'run', '--rm', '--init', '--log-driver', 'none', '-v', fifo + ':/kiln/output', image,
                    'sh', '-c', f'exec sh -c "$0" > /kiln/output 2>&1', cmd], check=True)
    reader.join()
    t = time.time() - t0
    os.unlink(fifo)
    if got != [LOG_BYTES]:
        raise SystemExit(f'the pipe carried {got} bytes, not {LOG_BYTES}')
    return t


def raw_attach(image, cmd):
    """Seconds from create to the end of the attach stream, the payload read and thrown away in 1 MiB reads."""
    t0 = time.time()
    cid = _engine('POST', '/containers/create', {
        'Image': image, 'Cmd': ['sh', '-c', cmd], 'AttachStdout': True, 'AttachStderr': True,
        'HostConfig': {'Init': True, 'LogConfig': {'Type': 'none'}}})['Id']
    s = socket.socket(socket.AF_UNIX)
    s.connect('/var/run/docker.sock')
    s.sendall(f'POST /containers/{cid}/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: x\r\n\r\n'.encode())
    head = b''
    while b'\r\n\r\n' not in head:
        head += s.recv(1)
    _engine('POST', f'/containers/{cid}/start')
    buf = bytearray(1 << 20)
    while s.recv_into(buf):
        pass
    t = time.time() - t0
    s.close()
    _engine('DELETE', f'/containers/{cid}?force=1')
    return t


def check_log(bid):
    """The stored log's first and last MiB are what `yes` wrote (a right size alone once hid a garbled log)."""
    line = b'line of ml training log 0123456789\n'
    whole = line * (LOG_BYTES // len(line) + 1)
    for offset in (0, LOG_BYTES - (1 << 20)):
        req = urllib.request.Request(f'{d.URL}/api/builds/{bid}/steps/0/log?offset={offset}',
                                     headers={'Authorization': 'Bearer ' + d.admin_token()})
        with urllib.request.urlopen(req, timeout=120) as r:
            got = r.read(1 << 20)
        if got != whole[offset:offset + (1 << 20)]:
            raise SystemExit(f'stored log of build {bid} differs from what the step wrote near byte {offset}')


def _seconds(iso):
    return datetime.datetime.fromisoformat(iso.replace('Z', '+00:00')).timestamp()


def kiln_build(steps):
    """Seconds from the POST to the build's end as a follower of its events (the dashboard's stream) sees it."""
    t0 = time.time()
    bid = d.submit(d.tgz({'build.yaml': d.config(steps)}))
    req = urllib.request.Request(f'{d.URL}/api/builds/{bid}/events?log=size', headers={
        'Accept': 'text/event-stream', 'Authorization': 'Bearer ' + d.admin_token()})
    with urllib.request.urlopen(req, timeout=1800) as r:
        while r.read1(1 << 16):
            pass   # the stream ends when the build does
    t = time.time() - t0
    d.wait_build(bid)   # SUCCESS, or says why not
    return t, bid


def raw(cmd, out=subprocess.DEVNULL):
    t0 = time.time()
    subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=True)
    return time.time() - t0


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    image = sys.argv[2] if len(sys.argv) > 2 else 'kiln-test/busybox:1'
    ensure_image(image)
    server, _ = d.start_server(['--max-builds', '1'])
    try:
        steps = [{'name': image, 'args': ['true']} for _ in range(K)]
        kiln_build(steps[:1])   # warm-up: first lease, first container, JIT
        kiln_step, kiln_marginal, raw_step = [], [], []
        # kiln (POST -> done), kiln (the step's start -> finish), docker run, --log-driver none, attach, pipe
        logs = {name: ([], [], [], [], [], []) for name, _ in LOG_WORKLOADS}
        # What Kiln asks of the engine for every step: the build's own network (reachable as
        # cloudbuild) and the workspace bind-mounted at /workspace; by hand, the same engine work:
        # a step of its own on the network (`same`), as Kiln runs steps that may run side by side,
        # and one joining the namespace of a holder on it (`joined`), as Kiln runs steps one after another.
        same, joined, ws = [], [], tempfile.mkdtemp(prefix='kiln-bench-ws-')
        net = 'kiln-bench-' + str(os.getpid())
        subprocess.run(['docker', 'network', 'create', net], check=True, capture_output=True)
        holder = subprocess.run(['docker', 'run', '-d', '--network', net, '--log-driver', 'none', '--entrypoint',
                                 '/kiln-network-holder', 'kiln/network-holder:1'],
                                check=True, capture_output=True, text=True).stdout.strip()
        for _ in range(rounds):
            t, _ = kiln_build(steps)
            t1, _ = kiln_build(steps[:1])
            kiln_step.append(t / K)
            # Without what a build costs once (POST, lease, its network and volume made and removed):
            kiln_marginal.append((t - t1) / (K - 1))
            raw_step.append(sum(raw(['docker', 'run', '--rm', '--init', image, 'true']) for _ in range(K)) / K)
            same.append(sum(raw(['docker', 'run', '--rm', '--init', '--network', net, '--log-driver', 'none',
                                 '-v', ws + ':/workspace', '-w', '/workspace', image, 'true']) for _ in range(K)) / K)
            joined.append(sum(raw(['docker', 'run', '--rm', '--init', '--network', 'container:' + holder, '--log-driver',
                                   'none', '-v', ws + ':/workspace', '-w', '/workspace', image, 'true']) for _ in range(K)) / K)
            for name, cmd in LOG_WORKLOADS:
                kiln_log, kiln_log_step, raw_log, raw_log_none, raw_log_attach, raw_log_pipe = logs[name]
                t, bid = kiln_build([{'name': image, 'args': ['sh', '-c', cmd]}])
                step = d.api('/api/builds/' + bid)['steps'][0]
                size = step['logSize']
                if size != LOG_BYTES:
                    raise SystemExit(f'stored log is {size} bytes, not {LOG_BYTES}')
                check_log(bid)
                kiln_log.append(LOG_BYTES / t / 1e6)
                kiln_log_step.append(LOG_BYTES / (_seconds(step['finishTime']) - _seconds(step['startTime'])) / 1e6)
                raw_log.append(LOG_BYTES / raw(['docker', 'run', '--rm', '--init', image, 'sh', '-c', cmd]) / 1e6)
                raw_log_none.append(LOG_BYTES / raw(['docker', 'run', '--rm', '--init', '--log-driver', 'none', image,
                                                     'sh', '-c', cmd]) / 1e6)
                raw_log_attach.append(LOG_BYTES / raw_attach(image, cmd) / 1e6)
                raw_log_pipe.append(LOG_BYTES / raw_pipe(image, cmd) / 1e6)
        print(f'container steps, {rounds} rounds, image {image}, {os.cpu_count()} cores, '
              f'load {os.getloadavg()[0]:.1f}:')
        ks = d.fmt('per step, kiln (POST -> done) / 10', kiln_step, 'ms', 1000)
        km = d.fmt('per step, kiln (build of 10 - build of 1) / 9', kiln_marginal, 'ms', 1000)
        rs = d.fmt('per step, docker run --rm --init IMAGE true', raw_step, 'ms', 1000)
        print(f"  ratio kiln / docker run: {ks['median'] / rs['median']:.2f} (whole build), "
              f"{km['median'] / rs['median']:.2f} (per added step)")
        ss = d.fmt('per step, docker run on the network, /workspace', same, 'ms', 1000)
        print(f"  ratio kiln / that: {ks['median'] / ss['median']:.2f} (whole build), "
              f"{km['median'] / ss['median']:.2f} (per added step)")
        js = d.fmt('per step, docker run joining a holder, /workspace (as Kiln runs these)', joined, 'ms', 1000)
        print(f"  ratio kiln / that: {ks['median'] / js['median']:.2f} (whole build), "
              f"{km['median'] / js['median']:.2f} (per added step)")
        for name, _ in LOG_WORKLOADS:
            kiln_log, kiln_log_step, raw_log, raw_log_none, raw_log_attach, raw_log_pipe = logs[name]
            kl = d.fmt(f'log 200 MB, {name}, kiln (stored), POST -> build done', kiln_log, 'MB/s')
            kt = d.fmt(f'log 200 MB, {name}, kiln (stored), the step start -> finish', kiln_log_step, 'MB/s')
            rl = d.fmt(f'log 200 MB, {name}, docker run > /dev/null', raw_log, 'MB/s')
            rn = d.fmt(f'log 200 MB, {name}, docker run --log-driver none', raw_log_none, 'MB/s')
            ra = d.fmt(f'log 200 MB, {name}, engine attach, minimal reader', raw_log_attach, 'MB/s')
            rp = d.fmt(f'log 200 MB, {name}, docker run into a named pipe, minimal reader', raw_log_pipe, 'MB/s')
            print(f"  ratio kiln / docker run: {kl['median'] / rl['median']:.2f}; "
                  f"kiln / docker run --log-driver none: {kl['median'] / rn['median']:.2f}; "
                  f"kiln / engine attach stream: {kl['median'] / ra['median']:.2f}; "
                  f"kiln's step / engine attach stream: {kt['median'] / ra['median']:.2f}; "
                  f"kiln / docker run into a pipe: {kl['median'] / rp['median']:.2f}")
        print(f'  load average at the end: {" ".join(f"{x:.2f}" for x in os.getloadavg())}')
    finally:
        if 'holder' in locals():
            subprocess.run(['docker', 'rm', '-f', holder], capture_output=True)
        subprocess.run(['docker', 'network', 'rm', net], capture_output=True)
        d.stop_all()


if __name__ == '__main__':
    main()
