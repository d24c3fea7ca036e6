#!/usr/bin/env python3
"""`docker build` through Kiln against `docker build` by hand, on the same context and engine.

The context: a busybox base (built locally once, as the tests do: no image can be pulled here),
a 16 MB data file, a small app directory, two RUN steps and a LABEL; every build uses --no-cache
so each does the same work. Raw: `DOCKER_BUILDKIT=0 docker build --no-cache -t IMG ctx` (the
engine's legacy builder, the one Kiln's native builder drives), output to /dev/null. Kiln: the same
context submitted to a fresh `kiln server` as a build whose one step is
`name: gcr.io/cloud-builders/docker, args: [build, --no-cache, -t, IMG, .]`; timed from the POST
(upload included) to the build's end, and the step alone (its start to finish in the API).
Rounds alternate raw and Kiln. Usage: bench/docker_build.py [ROUNDS] (default 5).
"""
import os, shutil, subprocess, sys, tempfile, time
import driver as d

BASE_IMAGE = 'kiln-test/busybox:1'
DOCKERFILE = f"""FROM {BASE_IMAGE}
COPY data.txt /data/data.txt
COPY app/ /app/
RUN sha256sum /data/data.txt > /data/sum && ls /app > /app/list
RUN for i in $(seq 1 2000); do echo "$i"; done > /n
LABEL bench=kiln
"""


def ensure_base():
    if subprocess.run(['docker', 'image', 'inspect', BASE_IMAGE], capture_output=True).returncode == 0:
        return
    ctx = tempfile.mkdtemp()
    shutil.copy('/bin/busybox', ctx + '/busybox')
    with open(ctx + '/Dockerfile', 'w') as f:
        f.write('FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nCMD ["sh"]\n')
    subprocess.run(['docker', 'build', '-q', '-t', BASE_IMAGE, ctx], check=True, env=dict(os.environ, DOCKER_BUILDKIT='0'))


def context_files():
    files = {'Dockerfile': DOCKERFILE, 'data.txt': os.urandom(8 << 20).hex()}
    for i in range(20):
        files[f'app/module{i}.py'] = f'def f{i}(x):\n    return x * {i}\n' * 50
    return files


def raw(ctx, tag):
    t0 = time.time()
    subprocess.run(['docker', 'build', '--no-cache', '-t', tag, ctx], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env=dict(os.environ, DOCKER_BUILDKIT='0'))
    return time.time() - t0


def through_kiln(files, tag):
    build = d.config([{'name': 'gcr.io/cloud-builders/docker', 'args': ['build', '--no-cache', '-t', tag, '.']}])
    archive = d.tgz(dict(files, **{'build.yaml': build}))
    t0 = time.time()
    bid = d.submit(archive)
    t1 = d.wait_build(bid, poll=0.02)
    step = d.api('/api/builds/' + bid)['steps'][0]
    from datetime import datetime
    ts = lambda s: datetime.fromisoformat(s.replace('Z', '+00:00')).timestamp()
    return t1 - t0, ts(step['finishTime']) - ts(step['startTime'])


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    ensure_base()
    files = context_files()
    ctx = tempfile.mkdtemp(prefix='kiln-bench-ctx-')
    for name, text in files.items():
        os.makedirs(os.path.dirname(os.path.join(ctx, name)), exist_ok=True)
        with open(os.path.join(ctx, name), 'w') as f:
            f.write(text)
    d.start_server()
    raws, kilns, steps, tags = [], [], [], []
    try:
        # One of each first, not counted: the engine's and the JVM's first runs are slower.
        raw(ctx, 'kiln-bench/raw:warm')
        through_kiln(files, 'kiln-bench/kiln:warm')
        tags += ['kiln-bench/raw:warm', 'kiln-bench/kiln:warm']
        for i in range(rounds):
            raws.append(raw(ctx, f'kiln-bench/raw:{i}'))
            whole, step = through_kiln(files, f'kiln-bench/kiln:{i}')
            kilns.append(whole)
            steps.append(step)
            tags += [f'kiln-bench/raw:{i}', f'kiln-bench/kiln:{i}']
    finally:
        d.stop_all()
        subprocess.run(['docker', 'rmi', '-f', *tags], capture_output=True)
        shutil.rmtree(ctx, ignore_errors=True)
    print(f'docker build, {rounds} rounds, --no-cache, 16 MB context')
    r = d.fmt('raw: docker build by hand (legacy builder)', raws)
    k = d.fmt('Kiln: POST (upload) -> build done', kilns)
    s = d.fmt('Kiln: the docker build step alone', steps)
    print(f"  ratio Kiln whole / raw: {k['median'] / r['median']:.2f}x; step alone / raw: {s['median'] / r['median']:.2f}x")


if __name__ == '__main__':
    main()
