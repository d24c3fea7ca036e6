#!/usr/bin/env python3
"""Kiln beside Buildbot 3.7's GitPoller on the same git repos, in one session (a benchmark, not a test).

  latency   push to the loopback forge (a second `kiln server` hosting the repos over JGit's smart
            HTTP, as in bench/git.py) -> the first step's own `date +%s.%N`, for every way a push
            reaches a build: Buildbot's GitPoller and Kiln's poller, both every INTERVAL seconds
            (default 1) on the same forge repo, so one push is seen by both; Kiln's webhook (sent
            by hand once the push returned, as a post-receive hook would); a push to a repo Kiln
            hosts itself. Measured from when `git push` starts (the user's view) and returns.
  idle      100 unchanged repos on the forge, polled every 10 s by both at once: CPU (user + sys,
            with reaped children: Buildbot's `git ls-remote` processes) and threads over 60 s,
            beside the same processes with nothing polled.

Buildbot comes from Debian (`apt-get install buildbot buildbot-worker`, as
../shared/peers/buildbot/run.sh does); this script writes its master.cfg, starts one master and one
worker under KILN_BENCH_BASE and stops every process it started by PID. Nothing of Buildbot is
kept here. Usage: bench/git_buildbot.py [ROUNDS] [INTERVAL]
"""
import json, os, signal, subprocess, sys, time

os.environ.setdefault('KILN_BENCH_BASE', '/tmp/kiln-bench-gitbb')
os.environ.setdefault('KILN_BENCH_PORT', '18083')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import driver as d  # noqa: E402
import git as g  # noqa: E402

BB = d.BASE + '/buildbot'
PB_PORT = int(os.environ.get('KILN_BENCH_BB_PORT', '19989'))
BB_PROCS = {}
MASTER_CFG = '''# written by kiln's bench/git_buildbot.py
from buildbot.plugins import changes, schedulers, steps, util, worker
URLS = {urls!r}
c = BuildmasterConfig = {{}}
c['title'] = 'kiln-bench'
c['buildbotNetUsageData'] = None
c['db'] = {{'db_url': 'sqlite:///state.sqlite'}}
c['workers'] = [worker.Worker('w1', 'pw1')]
c['protocols'] = {{'pb': {{'port': 'tcp:{pb}:interface=127.0.0.1'}}}}
c['change_source'] = [changes.GitPoller(repourl=u, branches=['dev'], pollInterval={interval}, pollAtLaunch=True,
                                        workdir='{bb}/gitpoller-%d' % i) for i, u in enumerate(URLS)]
c['builders'] = [util.BuilderConfig(name='stamp', workernames=['w1'], factory=util.BuildFactory([
    steps.ShellCommand(name='stamp', command=util.Interpolate('date +%%s.%%N > {out}/bb-%(src::revision)s'))]))]
c['schedulers'] = [schedulers.SingleBranchScheduler(name='push', treeStableTimer=None, builderNames=['stamp'],
                                                    change_filter=util.ChangeFilter(branch='dev'))]
'''


def wait_log(path, needle, timeout=120):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with open(path, 'rb') as f:
                if needle in f.read():
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f'no {needle!r} in {path}')


def bb_start(urls, interval):
    """A fresh Buildbot master polling `urls` every `interval` seconds, and its worker."""
    bb_stop()
    subprocess.run(['rm', '-rf', BB])
    os.makedirs(BB)
    subprocess.run(['buildbot', 'create-master', '-q', BB + '/master'], check=True)
    with open(BB + '/master/master.cfg', 'w') as f:
        f.write(MASTER_CFG.format(urls=urls, interval=interval, pb=PB_PORT, bb=BB, out=d.OUT))
    subprocess.run(['buildbot-worker', 'create-worker', '-q', BB + '/w1', f'127.0.0.1:{PB_PORT}', 'w1', 'pw1'], check=True)
    env = dict(os.environ, HOME=d.BASE + '/home')
    BB_PROCS['master'] = subprocess.Popen(['buildbot', 'start', '--nodaemon', BB + '/master'], env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_log(BB + '/master/twistd.log', b'BuildMaster is running', 600)   # 100 pollers' first fetches: minutes
    BB_PROCS['w1'] = subprocess.Popen(['buildbot-worker', 'start', '--nodaemon', BB + '/w1'], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_log(BB + '/w1/twistd.log', b'worker is ready')


def bb_stop():
    for name in ('w1', 'master'):
        p = BB_PROCS.pop(name, None)
        if p and p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def cpu_threads(pid):
    """CPU seconds (user + sys, with reaped children) and threads of a process."""
    with open(f'/proc/{pid}/status') as f:
        threads = int([line for line in f if line.startswith('Threads:')][0].split()[1])
    return d.cpu_s(pid), threads


def window(pids, seconds):
    """CPU % of one core and threads (end, peak) of each named pid over `seconds`."""
    c0 = {k: cpu_threads(p)[0] for k, p in pids.items()}
    peak = dict.fromkeys(pids, 0)
    t0 = time.time()
    while time.time() < t0 + seconds:
        for k, p in pids.items():
            peak[k] = max(peak[k], cpu_threads(p)[1])
        time.sleep(1)
    wall = time.time() - t0
    out = {}
    for k, p in pids.items():
        c, t = cpu_threads(p)
        out[k] = {'cpu_pct': (c - c0[k]) / wall * 100, 'threads': t, 'peak_threads': peak[k]}
    return out


def latency(rounds, interval, forge):
    """One push to the forge, seen by both pollers; then Kiln's webhook and hosted paths."""
    w = g.work_tree('poll-work')
    g.commit(w, 0)
    url = forge.repo('polled', w)
    d.api('/api/repos', json.dumps({'name': 'polled', 'url': url, 'pollInterval': f'{interval}s'}).encode())
    d.api('/api/triggers', json.dumps({'name': 'pdev', 'repo': 'polled', 'branch': '^dev$'}).encode())
    bb_start([url], interval)
    time.sleep(2 * interval + 1)   # both have made their first poll
    res = {k: {'start': [], 'end': []} for k in ('buildbot_poll', 'kiln_poll', 'kiln_webhook', 'kiln_hosted')}

    def note(key, t0, t1, ts):
        res[key]['start'].append(ts - t0)
        res[key]['end'].append(ts - t1)

    for i in range(rounds + 1):
        sha = g.commit(w, i + 1)
        t0 = time.time()
        g.git(w, 'push', '-q', url, 'dev')
        t1 = time.time()
        kiln, bb = g.stamp(sha[:7], 60), g.stamp('bb-' + sha, 60)
        if i > 0:   # the first build of each loads code
            note('kiln_poll', t0, t1, kiln)
            note('buildbot_poll', t0, t1, bb)
        time.sleep(0.5 + (i % 4) * interval / 4)   # de-phased from both poll timers
    bb_stop()

    hw = g.work_tree('hook-work')
    g.commit(hw, 0)
    hurl = forge.repo('hooked', hw)
    d.api('/api/repos', json.dumps({'name': 'hooked', 'url': hurl, 'pollInterval': '1h',
                                    'webhookSecret': g.SECRET}).encode())
    d.api('/api/triggers', json.dumps({'name': 'hdev', 'repo': 'hooked', 'branch': '^dev$'}).encode())
    d.api('/api/repos', json.dumps({'name': 'hosted'}).encode())
    d.api('/api/triggers', json.dumps({'name': 'dev', 'repo': 'hosted', 'branch': '^dev$'}).encode())
    kw = g.work_tree('push-work')
    for i in range(rounds + 3):
        sha = g.commit(hw, i + 1)
        t0 = time.time()
        g.git(hw, 'push', '-q', hurl, 'dev')
        t1 = time.time()
        g.hook('hooked', sha)
        ts = g.stamp(sha[:7])
        sha2 = g.commit(kw, i)
        t2 = time.time()
        g.git(kw, 'push', '-q', g.hosted_url(), 'dev')
        t3 = time.time()
        ts2 = g.stamp(sha2[:7])
        if i >= 3:
            note('kiln_webhook', t0, t1, ts)
            note('kiln_hosted', t2, t3, ts2)
    for k, v in res.items():
        d.fmt(f'{k}: git push starts -> first step', v['start'], 'ms', 1000)
        d.fmt(f'{k}: git push returns -> first step', v['end'], 'ms', 1000)
    return {k: {'from_push_start': d.stats(v['start']), 'from_push_return': d.stats(v['end'])} for k, v in res.items()}


def idle(old, forge, seconds=60, repos=100):
    """Both servers fresh; a window with nothing polled, then with `repos` unchanged repos every 10 s."""
    old.send_signal(signal.SIGTERM)
    old.wait(30)
    kiln, _ = d.start_server()
    bb_start([], 10)
    time.sleep(5)
    none = window({'kiln': kiln.pid, 'buildbot': BB_PROCS['master'].pid}, seconds)
    w = d.BASE + '/hook-work'
    urls = [forge.repo(f'idle{i:03}', w) for i in range(repos)]
    for i, u in enumerate(urls):
        d.api('/api/repos', json.dumps({'name': f'idle{i:03}', 'url': u, 'pollInterval': '10s'}).encode())
    bb_start(urls, 10)
    time.sleep(15)   # every repo polled once by both
    busy = window({'kiln': kiln.pid, 'buildbot': BB_PROCS['master'].pid}, seconds)
    for k in ('kiln', 'buildbot'):
        print(f'  {k:<8}: nothing polled: CPU {none[k]["cpu_pct"]:6.2f} %, threads {none[k]["threads"]};'
              f' {repos} repos every 10 s: CPU {busy[k]["cpu_pct"]:6.2f} %, threads {busy[k]["threads"]}'
              f' (peak {busy[k]["peak_threads"]})', flush=True)
    return {'nothing_polled': none, f'{repos}_repos_every_10s': busy}


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    interval = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    subprocess.run(['rm', '-rf', d.BASE])
    os.makedirs(d.BASE + '/home')
    res = {'interval_s': interval, 'load_before': os.getloadavg()}
    print('load average before: %.1f %.1f %.1f' % os.getloadavg(), flush=True)
    try:
        kiln, _ = d.start_server()
        forge = g.Forge(d.PORT + 1)
        res['latency'] = latency(rounds, interval, forge)
        if os.environ.get('KILN_BENCH_IDLE', '1') == '1':
            res['idle'] = idle(kiln, forge)
    finally:
        bb_stop()
        d.stop_all()
    res['load_after'] = os.getloadavg()
    print('load average after: %.1f %.1f %.1f' % os.getloadavg(), flush=True)
    with open(d.BASE + '/results.json', 'w') as f:
        json.dump(res, f, indent=1)


if __name__ == '__main__':
    main()
