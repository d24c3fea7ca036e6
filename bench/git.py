#!/usr/bin/env python3
"""Git figures of issue 10, each beside a raw baseline taken in the same run (a benchmark, not a test).

  push      git push to a hosted repo -> the first step's own `date +%s.%N`, measured from when
            `git push` returns (and from when it starts); baseline: the same build by POST /api/builds
  webhook   signed GitHub push webhook sent -> the first step's timestamp, the server's fetch from the
            loopback forge included. The forge is a second `kiln server` (no agent) hosting the repo
            over JGit's smart HTTP (/git/up.git): a persistent git server, as a forge is. Raw
            baselines, same forge, same kind of commit: `git fetch` (CLI) and a warm JGit fetch
            (bench/JGitFetch.java, Kiln's own fetch call in a JVM of its own), and POST /api/builds
  branches  a remote with 5,000 branches polled over HTTP: requests per idle poll (one ls-remote), and
            per poll after one branch moved. This remote is `git http-backend` behind a small Python
            server that counts requests (a process per request: fine for counting, slow for timing)

Polling latency and idle CPU, beside Buildbot's GitPoller: bench/git_buildbot.py.
Starts kiln servers from server/target/kiln.jar (or KILN_BENCH_JAR) on 127.0.0.1 (KILN_BENCH_PORT, default 18081, and
the forge on the next port), stops everything it started by PID. Usage: bench/git.py [ROUNDS]
"""
import hashlib, hmac, http.server, json, os, subprocess, sys, threading, time, urllib.request

os.environ.setdefault('KILN_BENCH_BASE', '/tmp/kiln-bench-git')
os.environ.setdefault('KILN_BENCH_PORT', '18081')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import driver as d  # noqa: E402  (its server start, API calls and stats)

# KILN_BENCH_JAR: measure another build of Kiln (e.g. the commit before a change) with the same script.
d.JAR = os.environ.get('KILN_BENCH_JAR', d.JAR)

SECRET = 'bench-webhook-secret'
GIT_ENV = dict(os.environ, HOME=d.BASE + '/home', XDG_CONFIG_HOME=d.BASE + '/xdg', GIT_CONFIG_NOSYSTEM='1',
               GIT_AUTHOR_NAME='Bench', GIT_AUTHOR_EMAIL='b@example.com', GIT_COMMITTER_NAME='Bench',
               GIT_COMMITTER_EMAIL='b@example.com')
BUILD = "steps:\n  - args: [sh, -c, 'date +%s.%N > " + d.OUT + "/$SHORT_SHA']\n"
REQUESTS = []
SENT = {}   # path -> bytes the remote sent


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
        SENT[path] = SENT.get(path, 0)
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
        SENT[path] += len(payload)

    do_GET = do_POST = handle_one


def serve(root):
    Backend.root = root
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Backend)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f'http://127.0.0.1:{srv.server_address[1]}'


class Forge:
    """A second `kiln server`, no agent, hosting repos over JGit's smart HTTP: the loopback forge."""

    def __init__(self, port):
        self.port, self.url, self.data = port, f'http://127.0.0.1:{port}', d.BASE + '/forge-data'
        subprocess.run(['rm', '-rf', self.data])
        log = open(d.BASE + '/forge.log', 'w')
        self.proc = subprocess.Popen(['java', '-Xmx256m', '-jar', d.JAR, 'server', '--port', str(port), '--data-dir',
                                      self.data, '--no-local-agent'], stdout=log, stderr=subprocess.STDOUT,
                                     env=dict(os.environ, XDG_CONFIG_HOME=d.BASE + '/xdg'))
        d.PROCS.append(self.proc)
        while True:
            try:
                urllib.request.urlopen(self.url + '/api/health', timeout=5).read()
                break
            except OSError:
                if self.proc.poll() is not None:
                    raise SystemExit('forge died; see ' + d.BASE + '/forge.log')
                time.sleep(0.02)
        with open(self.data + '/admin.token') as f:
            self.token = f.read().strip()

    def repo(self, name, work=None, branch='dev'):
        """A hosted repo on the forge, with `work`'s branch pushed to it; its clone URL."""
        req = urllib.request.Request(self.url + '/api/repos', data=json.dumps({'name': name}).encode(), method='POST',
                                     headers={'Content-Type': 'application/json', 'Authorization': 'Bearer ' + self.token})
        urllib.request.urlopen(req, timeout=30).read()
        # Git over HTTP needs a user and token (basic auth): in the URL, for git, Kiln's mirror and Buildbot alike.
        url = f'http://admin:{self.token}@127.0.0.1:{self.port}/git/{name}.git'
        if work:
            git(work, 'push', '-q', url, branch)
        return url


def hosted_url():
    """The benched server's hosted repo, with the admin's user and token for git's basic auth."""
    return d.URL.replace('http://', 'http://admin:' + d.admin_token() + '@') + '/git/hosted.git'


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
        tag = f'base{time.time_ns()}'
        t0 = time.time()
        d.submit(d.tgz({'build.yaml': BUILD.replace('$SHORT_SHA', tag)}))
        xs.append(stamp(tag) - t0)
    return xs


def push_bench(rounds):
    d.api('/api/repos', json.dumps({'name': 'hosted'}).encode())
    d.api('/api/triggers', json.dumps({'name': 'dev', 'repo': 'hosted', 'branch': '^dev$'}).encode())
    w = work_tree('push-work')
    git(w, 'remote', 'add', 'kiln', hosted_url())
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


def hook(name, sha):
    body = json.dumps({'ref': 'refs/heads/dev', 'after': sha}).encode()
    sig = 'sha256=' + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return post('/hooks/' + name, body, {'Content-Type': 'application/json', 'X-GitHub-Event': 'push',
                                         'X-Hub-Signature-256': sig})


def webhook_bench(rounds, forge):
    """Push to the forge, then its webhook by hand (as a post-receive hook sends it): sent -> first step."""
    w = work_tree('hook-work')
    commit(w, 0)
    url = forge.repo('up', w)
    d.api('/api/repos', json.dumps({'name': 'mirror', 'url': url, 'pollInterval': '1h',
                                    'webhookSecret': SECRET}).encode())
    d.api('/api/triggers', json.dumps({'name': 'mdev', 'repo': 'mirror', 'branch': '^dev$'}).encode())
    xs = []
    for i in range(1, rounds + 4):
        sha = commit(w, i)
        git(w, 'push', '-q', url, 'dev')
        t0 = time.time()
        hook('mirror', sha)
        ts = stamp(sha[:7])
        if i > 3:   # warm-up
            xs.append(ts - t0)
    return xs, url


def raw_fetch(rounds, url):
    """One new commit fetched from the same forge by the git CLI and by a warm JGit: the floor under the webhook."""
    w = d.BASE + '/hook-work'
    cli, jgit = d.BASE + '/raw-cli.git', d.BASE + '/raw-jgit.git'
    for r in (cli, jgit):
        git(d.BASE, 'clone', '-q', '--bare', url, r)
    fetcher = subprocess.Popen(['java', '-cp', d.JAR, os.path.join(d.HERE, 'JGitFetch.java'), jgit, url],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=GIT_ENV)
    d.PROCS.append(fetcher)
    xs, ys = [], []
    try:
        for i in range(rounds + 3):
            commit(w, f'raw{i}')
            git(w, 'push', '-q', url, 'dev')
            t0 = time.time()
            git(cli, 'fetch', '-q', url, '+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*')
            t1 = time.time()
            fetcher.stdin.write('fetch\n')
            fetcher.stdin.flush()
            ms = float(fetcher.stdout.readline().split()[0])
            if i >= 3:   # warm-up: JGit's first fetches load and compile its classes
                xs.append(t1 - t0)
                ys.append(ms / 1000)
    finally:
        fetcher.stdin.close()
        fetcher.wait(10)
    return xs, ys


def branches(url_cgi):
    """A remote with 5,000 branches over HTTP (the counting CGI remote): requests per idle poll and per moved branch."""
    git(d.BASE, 'init', '-q', '--bare', '-b', 'main', d.BASE + '/remotes/up.git')
    git(d.BASE + '/hook-work', 'push', '-q', d.BASE + '/remotes/up.git', 'dev')
    big = d.BASE + '/remotes/big.git'
    git(d.BASE, 'clone', '-q', '--bare', d.BASE + '/remotes/up.git', big)
    head = git(big, 'rev-parse', 'dev').strip()
    subprocess.run(['git', 'update-ref', '--stdin'], cwd=big, env=GIT_ENV, check=True, text=True,
                   input=''.join(f'create refs/heads/b{i:04} {head}\n' for i in range(5000)))
    d.api('/api/repos', json.dumps({'name': 'big', 'url': url_cgi + '/big.git', 'pollInterval': '10s'}).encode())
    REQUESTS.clear()
    time.sleep(31)
    idle_reqs = [r for r in REQUESTS if '/big.git' in r[1]]
    REQUESTS.clear()
    w = d.BASE + '/hook-work'
    commit(w, 'moved')
    git(w, 'push', '-q', big, 'dev:b0042')
    SENT.clear()
    time.sleep(11)
    moved_reqs = [r for r in REQUESTS if '/big.git' in r[1]]
    moved_bytes = sum(SENT.values())
    print(f'  5,000 branches, ~3 idle polls in 31 s: {len(idle_reqs)} requests {sorted(set(idle_reqs))}', flush=True)
    print(f'  5,000 branches, one poll after b0042 moved: {len(moved_reqs)} requests {moved_reqs},'
          f' {moved_bytes} bytes from the remote', flush=True)
    return {'idle_requests_31s': len(idle_reqs), 'moved_poll_requests': len(moved_reqs), 'moved_poll_bytes': moved_bytes}


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    subprocess.run(['rm', '-rf', d.BASE])
    os.makedirs(d.BASE + '/remotes')
    srv, url_cgi = serve(d.BASE + '/remotes')
    res = {'load_before': os.getloadavg()}
    print('load average before: %.1f %.1f %.1f' % os.getloadavg(), flush=True)
    try:
        d.start_server()
        forge = Forge(d.PORT + 1)
        base = baseline(rounds + 3)[3:]
        d.fmt('baseline: POST /api/builds -> first step', base, 'ms', 1000)
        after, whole = push_bench(rounds)
        d.fmt('git push returns -> first step', after, 'ms', 1000)
        d.fmt('git push starts -> first step', whole, 'ms', 1000)
        hooked, url = webhook_bench(rounds, forge)
        d.fmt('webhook sent -> first step (fetch from forge included)', hooked, 'ms', 1000)
        cli, jgit = raw_fetch(rounds, url)
        d.fmt('raw: git fetch (CLI) of one new commit, same forge', cli, 'ms', 1000)
        d.fmt('raw: JGit fetch (warm JVM) of one new commit', jgit, 'ms', 1000)
        base2 = baseline(rounds)
        d.fmt('baseline again: POST /api/builds -> first step', base2, 'ms', 1000)
        res.update(baseline=d.stats(base), baseline_again=d.stats(base2), push_after=d.stats(after),
                   push_whole=d.stats(whole), webhook=d.stats(hooked), raw_fetch_cli=d.stats(cli),
                   raw_fetch_jgit=d.stats(jgit))
        if os.environ.get('KILN_BENCH_BRANCHES', '1') == '1':
            res['branches'] = branches(url_cgi)
    finally:
        d.stop_all()
        srv.shutdown()
    res['load_after'] = os.getloadavg()
    print('load average after: %.1f %.1f %.1f' % os.getloadavg(), flush=True)
    with open(d.BASE + '/results.json', 'w') as f:
        json.dump(res, f, indent=1)


if __name__ == '__main__':
    main()
