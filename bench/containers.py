#!/usr/bin/python3
"""Container steps against raw `docker run`, one after the other on the same engine and image.

  per step   a build of K container steps running `true` (each waits for the one before):
             (POST -> build complete) / K, and (build of K - build of 1) / (K - 1), which leaves out
             what a build costs once; against K x `docker run --rm --init IMAGE true` / K
  log        one container step writing 200 MB to stdout: 200 MB / (POST -> build complete), the
             whole log stored, against the same command through `docker run --rm --init` to /dev/null
             (the engine also writes it to its json-file log, as by default) and with --log-driver none
             (as Kiln runs step containers)

Usage: bench/containers.py [ROUNDS] [IMAGE]  (defaults: 3, kiln-test/busybox:1, which the agent's
tests build from Debian's busybox-static: `docker build` FROM scratch + /bin/busybox).
Starts `kiln server` from server/target/kiln.jar on port KILN_BENCH_PORT (default 18160).
"""
import os, subprocess, sys, tempfile, time

os.environ.setdefault('KILN_BENCH_PORT', '18160')
os.environ.setdefault('KILN_BENCH_BASE', '/tmp/kiln-bench-containers')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import driver as d  # noqa: E402

K = 10
LOG_BYTES = 200_000_000
LOG_CMD = f"yes 'line of ml training log 0123456789' | head -c {LOG_BYTES}"


def ensure_image(image):
    if subprocess.run(['docker', 'image', 'inspect', image], capture_output=True).returncode == 0:
        return
    ctx = '/tmp/kiln-bench-busybox'
    os.makedirs(ctx, exist_ok=True)
    subprocess.run(['cp', '/bin/busybox', ctx + '/busybox'], check=True)
    with open(ctx + '/Dockerfile', 'w') as f:
        f.write('FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nCMD ["sh"]\n')
    subprocess.run(['docker', 'build', '-q', '-t', image, ctx], check=True, capture_output=True)


def kiln_build(steps):
    t0 = time.time()
    bid = d.submit(d.tgz({'build.yaml': d.config(steps)}))
    return d.wait_build(bid, poll=0.02) - t0, bid


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
        kiln_step, kiln_marginal, raw_step, kiln_log, raw_log, raw_log_none = [], [], [], [], [], []
        # What Kiln asks of the engine for every step: the build's own network (reachable as
        # cloudbuild) and the workspace bind-mounted at /workspace; by hand, the same engine work.
        same, ws = [], tempfile.mkdtemp(prefix='kiln-bench-ws-')
        net = 'kiln-bench-' + str(os.getpid())
        subprocess.run(['docker', 'network', 'create', net], check=True, capture_output=True)
        for _ in range(rounds):
            t, _ = kiln_build(steps)
            t1, _ = kiln_build(steps[:1])
            kiln_step.append(t / K)
            # Without what a build costs once (POST, lease, its network and volume made and removed):
            kiln_marginal.append((t - t1) / (K - 1))
            raw_step.append(sum(raw(['docker', 'run', '--rm', '--init', image, 'true']) for _ in range(K)) / K)
            same.append(sum(raw(['docker', 'run', '--rm', '--init', '--network', net, '--log-driver', 'none',
                                 '-v', ws + ':/workspace', '-w', '/workspace', image, 'true']) for _ in range(K)) / K)
            t, bid = kiln_build([{'name': image, 'args': ['sh', '-c', LOG_CMD]}])
            size = d.api('/api/builds/' + bid)['steps'][0]['logSize']
            if size != LOG_BYTES:
                raise SystemExit(f'stored log is {size} bytes, not {LOG_BYTES}')
            kiln_log.append(LOG_BYTES / t / 1e6)
            raw_log.append(LOG_BYTES / raw(['docker', 'run', '--rm', '--init', image, 'sh', '-c', LOG_CMD]) / 1e6)
            raw_log_none.append(LOG_BYTES / raw(['docker', 'run', '--rm', '--init', '--log-driver', 'none', image,
                                                 'sh', '-c', LOG_CMD]) / 1e6)
        print(f'container steps, {rounds} rounds, image {image}, {os.cpu_count()} cores, '
              f'load {os.getloadavg()[0]:.1f}:')
        ks = d.fmt('per step, kiln (POST -> done) / 10', kiln_step, 'ms', 1000)
        km = d.fmt('per step, kiln (build of 10 - build of 1) / 9', kiln_marginal, 'ms', 1000)
        rs = d.fmt('per step, docker run --rm --init IMAGE true', raw_step, 'ms', 1000)
        print(f"  ratio kiln / docker run: {ks['median'] / rs['median']:.2f} (whole build), "
              f"{km['median'] / rs['median']:.2f} (per added step)")
        ss = d.fmt('per step, docker run as Kiln runs it (network, /workspace)', same, 'ms', 1000)
        print(f"  ratio kiln / that: {ks['median'] / ss['median']:.2f} (whole build), "
              f"{km['median'] / ss['median']:.2f} (per added step)")
        kl, rl = d.fmt('log 200 MB, kiln (stored)', kiln_log, 'MB/s'), \
            d.fmt('log 200 MB, docker run > /dev/null', raw_log, 'MB/s')
        rn = d.fmt('log 200 MB, docker run --log-driver none > /dev/null', raw_log_none, 'MB/s')
        print(f"  ratio kiln / docker run: {kl['median'] / rl['median']:.2f}; "
              f"kiln / docker run --log-driver none: {kl['median'] / rn['median']:.2f}")
    finally:
        subprocess.run(['docker', 'network', 'rm', net], capture_output=True)
        d.stop_all()


if __name__ == '__main__':
    main()
