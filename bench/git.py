#!/usr/bin/env python3
"""Git figures of issue 10, each beside a raw baseline taken in the same run (a benchmark, not a test).

  push      git push to a hosted repo -> the first step's own `date +%s.%N`, measured from when
            `git push` returns (and from when it starts); baseline: the same build by POST /api/builds
  webhook   signed GitHub push webhook sent -> the first step's timestamp, the server's fetch from a
            loopback remote (git http-backend behind a tiny HTTP server here) included; same baseline
  idle      100 mirrored repos (file://) polled every 10 s: server CPU and threads over 60 s while
            nothing changes; baseline: the same server with no repo, same window
  branches  a remote with 5,000 branches polled over HTTP: requests per idle poll (one ls-remote), and
            per poll after one branch moved (ls-remote + one fetch)

Starts kiln server from server/target/kiln.jar on 127.0.0.1 (KILN_BENCH_PORT, default 18081), stops
everything it started by PID. Usage: bench/git.py [ROUNDS]
"""
import hashlib, hmac, http.server, json, os, subprocess, sys, threading, time, urllib.request

os.environ.setdefault('KILN_BENCH_BASE', '/tmp/kiln-bench-git')
os.environ.setdefault('KILN_BENCH_PORT', '18081')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import driver as d  # noqa: E402  (its server start, API calls and stats)

SECRET = 'bench-webhook-secret'
GIT_ENV = dict(os.environ, HOME=d.BASE + '/home', XDG_CONFIG_HOME=d.BASE + '/xdg', GIT_CONFIG_NOSYSTEM='1',
               GIT_AUTHOR_NAME='Bench', GIT_AUTHOR_EMAIL='b@example.com', GIT_COMMITTER_NAME='Bench',
               GIT_COMMITTER_EMAIL='b@example.com')
BUILD = "steps:\n  - args: [sh, -c, 'date +%s.%N > " + d.OUT + "/$SHORT_SHA']\n"
REQUESTS = []


def git(cwd, *args):
    return subprocess.run(['git', *args], cwd=cwd, env=GIT_ENV, check=True, capture_output=True, text=True).stdout


def post(path, body, headers):
    req = urllib.request.Request(d.URL + path, data=body, method='POST', headers=headers)
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def stamp(name, timeout=30):
    path = d.OUT + '/' + name
    end = time.time() + timeout
    while time.time() < end:
        try:
            with open(path) as f:
                text = f.read().strip()
            if text:
                return float(text)
        except FileNotFoundError:
            pass
        time.sleep(0.002)
    raise SystemExit('no step wrote ' + path)


class Backend(http.server.BaseHTTPRequestHandler):
    """Smart HTTP through `git http-backend` (CGI), counting requests: a forge on loopback."""
    root = None

    def log_message(self, *a):
        pass

    def handle_one(self):
        path, _, query = self.path.partition('?')
        REQUESTS.append((self.command, path))
        n = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(n) if n else b''
        env = dict(GIT_ENV, GIT_PROJECT_ROOT=self.root, GIT_HTTP_EXPORT_ALL='1', PATH_INFO=path, QUERY_STRING=query,
                   REQUEST_METHOD=self.command, CONTENT_TYPE=self.headers.get('Content-Type', ''),
                   CONTENT_LENGTH=str(len(body)), REMOTE_ADDR='127.0.0.1',
                   HTTP_CONTENT_ENCODING=self.headers.get('Content-Encoding', ''),
                   GIT_PROTOCOL=self.headers.get('Git-Protocol', ''))
        out = subprocess.run(['git', 'http-backend'], input=body, env=env, capture_output=True).stdout
        head, _, payload = out.partition(b'\r\n\r\n')
        status = 200
        headers = []
        for line in head.decode().split('\r\n'):
            k, _, v = line.partition(':')
            if k.lower() == 'status':
                status = int(v.strip().split()[0])
            elif k:
                headers.append((k, v.strip()))
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = handle_one


def serve(root):
    Backend.root = root
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Backend)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f'http://127.0.0.1:{srv.server_address[1]}'


def work_tree(name, branch='dev'):
    w = d.BASE + '/' + name
    subprocess.run(['rm', '-rf', w])
    os.makedirs(w)
    git(w, 'init', '-q', '-b', branch)
    with open(w + '/build.yaml', 'w') as f:
        f.write(BUILD)
    return w


def commit(w, i):
    with open(w + '/n.txt', 'w') as f:
        f.write(f'{i} {time.time()}\n')
    git(w, 'add', '-A')
    git(w, 'commit', '-q', '-m', f'c{i}')
    return git(w, 'rev-parse', 'HEAD').strip()


def baseline(rounds):
    xs = []
    for i in range(rounds):
        tag = f'base{i}'
        t0 = time.time()
        d.submit(d.tgz({'build.yaml': BUILD.replace('$SHORT_SHA', tag)}))
        xs.append(stamp(tag) - t0)
    return xs


def push_bench(rounds):
    d.api('/api/repos', json.dumps({'name': 'hosted'}).encode())
    d.api('/api/triggers', json.dumps({'name': 'dev', 'repo': 'hosted', 'branch': '^dev$'}).encode())
    w = work_tree('push-work')
    git(w, 'remote', 'add', 'kiln', d.URL + '/git/hosted.git')
    after, whole = [], []
    for i in range(rounds + 3):
        sha = commit(w, i)
        t0 = time.time()
        git(w, 'push', '-q', 'kiln', 'dev')
        t1 = time.time()
        ts = stamp(sha[:7])
        if i >= 3:   # warm-up: the first pushes load JGit's receive path
            after.append(ts - t1)
            whole.append(ts - t0)
    return after, whole


def webhook_bench(rounds, url):
    git(d.BASE, 'init', '-q', '--bare', '-b', 'main', d.BASE + '/remotes/up.git')
    w = work_tree('hook-work')
    commit(w, 0)
    git(w, 'push', '-q', d.BASE + '/remotes/up.git', 'dev')
    d.api('/api/repos', json.dumps({'name': 'mirror', 'url': url + '/up.git', 'pollInterval': '1h',
                                    'webhookSecret': SECRET}).encode())
    d.api('/api/triggers', json.dumps({'name': 'mdev', 'repo': 'mirror', 'branch': '^dev$'}).encode())
    xs = []
    for i in range(1, rounds + 4):
        sha = commit(w, i)
        git(w, 'push', '-q', d.BASE + '/remotes/up.git', 'dev')
        body = json.dumps({'ref': 'refs/heads/dev', 'after': sha}).encode()
        sig = 'sha256=' + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        t0 = time.time()
        post('/hooks/mirror', body, {'Content-Type': 'application/json', 'X-GitHub-Event': 'push',
                                     'X-Hub-Signature-256': sig})
        ts = stamp(sha[:7])
        if i > 3:
            xs.append(ts - t0)
    return xs


def raw_fetch(rounds, url):
    """The git CLI fetching one new commit from the same loopback HTTP remote: the floor under the webhook figure."""
    clone = d.BASE + '/raw-clone'
    git(d.BASE, 'clone', '-q', '--bare', url + '/up.git', clone)
    w = d.BASE + '/hook-work'
    xs = []
    for i in range(rounds):
        commit(w, f'raw{i}')
        git(w, 'push', '-q', d.BASE + '/remotes/up.git', 'dev')
        t0 = time.time()
        git(clone, 'fetch', '-q', url + '/up.git', '+refs/heads/*:refs/heads/*')
        xs.append(time.time() - t0)
    return xs


def proc_cpu_threads(pid):
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    with open(f'/proc/{pid}/status') as f:
        threads = int([l for l in f if l.startswith('Threads:')][0].split()[1])
    return ticks / os.sysconf('SC_CLK_TCK'), threads


def idle(pid, seconds):
    c0, _ = proc_cpu_threads(pid)
    peak = 0
    end = time.time() + seconds
    while time.time() < end:
        peak = max(peak, proc_cpu_threads(pid)[1])
        time.sleep(1)
    c1, t = proc_cpu_threads(pid)
    return (c1 - c0) / seconds * 100, t, peak


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    subprocess.run(['rm', '-rf', d.BASE])
    os.makedirs(d.BASE + '/remotes')
    srv, url = serve(d.BASE + '/remotes')
    res = {}
    try:
        p, _ = d.start_server()
        base = baseline(rounds + 3)[3:]
        d.fmt('baseline: POST /api/builds -> first step', base, 'ms', 1000)
        after, whole = push_bench(rounds)
        d.fmt('git push returns -> first step', after, 'ms', 1000)
        d.fmt('git push starts -> first step', whole, 'ms', 1000)
        hook = webhook_bench(rounds, url)
        d.fmt('webhook sent -> first step (fetch over HTTP included)', hook, 'ms', 1000)
        raw = raw_fetch(rounds, url)
        d.fmt('raw: git fetch of one new commit, same HTTP remote', raw, 'ms', 1000)
        res.update(baseline=d.stats(base), push_after=d.stats(after), push_whole=d.stats(whole), webhook=d.stats(hook),
                   raw_fetch=d.stats(raw))

        cpu0, th0, _ = idle(p.pid, 60)
        print(f'  idle, no mirrors polled:      CPU {cpu0:.2f} %  threads {th0}', flush=True)
        for i in range(100):
            r = d.BASE + f'/remotes/idle{i:03}.git'
            git(d.BASE, 'clone', '-q', '--bare', d.BASE + '/remotes/up.git', r)
            d.api('/api/repos', json.dumps({'name': f'idle{i:03}', 'url': 'file://' + r, 'pollInterval': '10s'}).encode())
        time.sleep(12)   # every repo due once
        cpu1, th1, peak = idle(p.pid, 60)
        print(f'  idle, 100 mirrors every 10 s: CPU {cpu1:.2f} %  threads {th1} (peak {peak})', flush=True)
        res.update(idle_none={'cpu_pct': cpu0, 'threads': th0}, idle_100={'cpu_pct': cpu1, 'threads': th1, 'peak': peak})

        big = d.BASE + '/remotes/big.git'
        git(d.BASE, 'clone', '-q', '--bare', d.BASE + '/remotes/up.git', big)
        head = git(big, 'rev-parse', 'dev').strip()
        subprocess.run(['git', 'update-ref', '--stdin'], cwd=big, env=GIT_ENV, check=True, text=True,
                       input=''.join(f'create refs/heads/b{i:04} {head}\n' for i in range(5000)))
        d.api('/api/repos', json.dumps({'name': 'big', 'url': url + '/big.git', 'pollInterval': '10s'}).encode())
        REQUESTS.clear()
        time.sleep(31)
        idle_reqs = [r for r in REQUESTS if '/big.git' in r[1]]
        REQUESTS.clear()
        w = d.BASE + '/hook-work'
        commit(w, 'moved')
        git(w, 'push', '-q', big, 'dev:b0042')
        time.sleep(11)
        moved_reqs = [r for r in REQUESTS if '/big.git' in r[1]]
        print(f'  5,000 branches, ~3 idle polls in 31 s: {len(idle_reqs)} requests {sorted(set(idle_reqs))}', flush=True)
        print(f'  5,000 branches, one poll after b0042 moved: {len(moved_reqs)} requests {moved_reqs}', flush=True)
        res.update(branches={'idle_requests_31s': len(idle_reqs), 'moved_poll_requests': len(moved_reqs)})
    finally:
        d.stop_all()
        srv.shutdown()
    with open(d.BASE + '/results.json', 'w') as f:
        json.dump(res, f, indent=1)


if __name__ == '__main__':
    main()
