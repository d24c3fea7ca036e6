// A build page: streams each open step's log (rendered and escaped on the server), follows the
// tail until the reader scrolls up, nests group markers, and keeps status, title and favicon current.
'use strict';
(function () {
  const root = document.getElementById('build');
  if (!root) return;
  const buildId = root.dataset.id;
  const feeds = {};
  const MAX_SHOWN = 5000;

  function rowsOf(htmls) {
    const t = document.createElement('template');
    t.innerHTML = htmls.join('');
    return Array.from(t.content.children);
  }

  // Nests rows into their groups (data-ev: 'o'/'c' a group starts with this row as its title, 'e' the
  // open one ends before it) under the stack's top; returns what belongs at the stack's bottom.
  function nest(rows, stack) {
    const frag = document.createDocumentFragment();
    function parent() { return stack.length === 1 ? frag : stack[stack.length - 1]; }
    rows.forEach(function (row) {
      const ev = row.dataset.ev || '';
      let placed = false;
      for (const c of ev) {
        if (c === 'e') {
          if (stack.length > 1) stack.pop();
        } else {
          const g = document.createElement('details');
          g.className = 'grp';
          g.open = c === 'o';
          const s = document.createElement('summary');
          s.append(row);
          g.append(s);
          const inner = document.createElement('div');
          g.append(inner);
          parent().append(g);
          stack.push(inner);
          placed = true;
        }
      }
      if (!placed) parent().append(row);
    });
    return frag;
  }

  function pad(n) { return (n < 10 ? '0' : '') + n; }
  // Each row's time (data-t, when the agent read its first character) in the reader's time zone.
  function stamp(rows) {
    rows.forEach(function (row) {
      if (row.querySelector('.ts')) return;
      const ts = document.createElement('span');
      ts.className = 'ts';
      if (row.dataset.t) {
        const d = new Date(Number(row.dataset.t));
        ts.textContent = pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
        ts.title = d.toISOString();
      }
      row.querySelector('.no').after(ts);
    });
  }

  function Feed(details) {
    this.details = details;
    this.step = details.dataset.step;
    this.base = details.dataset.live.replace(/\/live$/, '');
    this.box = details.querySelector('.log');
    this.window = details.querySelector('.window');
    this.final = details.querySelector('.final');
    this.pending = details.querySelector('.pending');
    this.follow = details.querySelector('.follow');
    this.tsToggle = details.querySelector('.ts-toggle');
    this.stack = [this.final];
    this.first = 0;
    this.shown = 0;
    this.hits = [];
    this.hit = -1;
    const self = this;
    this.box.addEventListener('scroll', function () {
      const atEnd = self.box.scrollHeight - self.box.scrollTop - self.box.clientHeight < 8;
      if (self.autoScrolling) { self.autoScrolling = false; return; }
      self.follow.checked = atEnd;
    });
    details.querySelector('.load-earlier').addEventListener('click', function () { self.loadEarlier(); });
    this.tsToggle.addEventListener('change', function () { self.showTimes(); });
    const form = details.querySelector('form.search');
    form.addEventListener('submit', function (e) { e.preventDefault(); self.search(form.querySelector('.q').value); });
    form.querySelector('.next').addEventListener('click', function () { self.step1(1); });
    form.querySelector('.prev').addEventListener('click', function () { self.step1(-1); });
    this.es = new EventSource(details.dataset.live);
    this.es.addEventListener('lines', function (e) { self.onLines(JSON.parse(e.data)); });
    this.es.addEventListener('end', function (e) { self.es.close(); self.onLines(JSON.parse(e.data)); });
  }

  Feed.prototype.rows = function (htmls) {
    const rows = rowsOf(htmls);
    if (this.tsToggle.checked) stamp(rows);
    return rows;
  };

  Feed.prototype.showTimes = function () {
    if (this.tsToggle.checked) stamp(Array.from(this.box.querySelectorAll('.ln')));
    this.box.classList.toggle('show-ts', this.tsToggle.checked);
  };

  Feed.prototype.onLines = function (d) {
    const rows = this.rows(d.f);
    if (d.skipped > 0) {
      if (this.jumped && rows.length) {
        // A burst the server skipped through: start the view again from its newest rows.
        this.final.replaceChildren();
        this.stack = [this.final];
        this.shown = 0;
        this.first = Number(rows[0].id.replace(/^s\d+-L/, '')) - 1;
      } else {
        this.first = d.skipped;
      }
      this.showEarlier();
    }
    this.final.append(nest(rows, this.stack));
    this.shown += rows.length;
    if (this.follow.checked && this.shown > MAX_SHOWN) this.trim();
    this.pending.replaceChildren.apply(this.pending, this.rows(d.p));
    if (this.follow.checked) {
      this.autoScrolling = true;
      this.box.scrollTop = this.box.scrollHeight;
    }
    if (!this.jumped) {
      this.jumped = true;
      this.goToHash();
    } else if (this.waitingFor) {
      const el = document.getElementById('s' + this.step + '-L' + this.waitingFor);
      if (el) { this.waitingFor = 0; this.reveal(el); }
    }
  };

  // Following a long log: the oldest rows leave the page (they are one "load earlier" away), so the
  // page's memory stays bounded however long the log grows.
  Feed.prototype.trim = function () {
    while (this.shown > MAX_SHOWN / 2 && this.final.firstElementChild && this.final.childElementCount > 1) {
      const el = this.final.firstElementChild;
      if (this.stack.length > 1 && el.contains(this.stack[1])) break;   // the open group takes new rows
      const lns = el.classList.contains('ln') ? [el] : el.querySelectorAll('.ln');
      const n = lns.length;
      const last = n ? lns[n - 1] : el;
      el.remove();
      this.shown -= n;
      const m = /-L(\d+)$/.exec(last.id || '');
      if (m) this.first = Math.max(this.first, Number(m[1]));
    }
    this.showEarlier();
  };

  Feed.prototype.showEarlier = function () {
    const p = this.details.querySelector('.earlier');
    p.hidden = this.first <= 0;
    p.querySelector('.skipcount').textContent = this.first + ' earlier lines not shown';
  };

  // A permalink (#s2-L57) to a line of this log: shown, loading its window if it is not loaded.
  Feed.prototype.goToHash = function () {
    const m = /^#s(\d+)-L(\d+)$/.exec(location.hash);
    if (m && m[1] === this.step) this.jump(Number(m[2]));
  };

  Feed.prototype.loadEarlier = function () {
    const self = this;
    const from = Math.max(1, this.first - 1999);
    fetch(this.base + '/lines?from=' + from + '&to=' + this.first)
      .then(function (r) { return r.json(); })
      .then(function (d) {
        self.final.prepend(nest(self.rows(d.rows), [self.final]));
        self.shown += d.rows.length;
        self.first = from - 1;
        self.showEarlier();
        if (self.window.dataset.to && Number(self.window.dataset.to) >= self.first) self.clearWindow();
      });
  };

  Feed.prototype.clearWindow = function () {
    this.window.replaceChildren();
    this.window.hidden = true;
    delete this.window.dataset.to;
  };

  // Shows line n: in place if loaded, else the rows around it fetched from the server, above the tail.
  Feed.prototype.jump = function (n) {
    const self = this;
    const id = 's' + this.step + '-L' + n;
    const el = document.getElementById(id);
    if (el) { this.reveal(el); return Promise.resolve(); }
    if (n > this.first) {
      // In the tail but not streamed yet: the feed shows it when it comes.
      this.waitingFor = n;
      return Promise.resolve();
    }
    const from = Math.max(1, n - 100);
    const to = Math.min(n + 100, this.first);
    return fetch(this.base + '/lines?from=' + from + '&to=' + to)
      .then(function (r) { return r.json(); })
      .then(function (d) {
        const rows = self.rows(d.rows);
        const gap = document.createElement('div');
        gap.className = 'gap';
        gap.textContent = 'Lines ' + from + '–' + (from + rows.length - 1) + ' (search or permalink); '
          + (self.first - from - rows.length + 1) + ' lines not loaded between them and the rows below';
        self.window.replaceChildren(nest(rows, [self.window]), gap);
        self.window.dataset.to = String(from + rows.length - 1);
        self.window.hidden = false;
        const target = document.getElementById(id);
        if (target) self.reveal(target);
      });
  };

  Feed.prototype.reveal = function (el) {
    for (let p = el.parentElement; p && p !== this.box; p = p.parentElement) {
      if (p.tagName === 'DETAILS') p.open = true;
    }
    this.box.querySelectorAll('.ln.hit').forEach(function (h) { h.classList.remove('hit'); });
    el.classList.add('hit');
    this.follow.checked = false;
    this.autoScrolling = false;
    this.box.scrollTop += el.getBoundingClientRect().top - this.box.getBoundingClientRect().top - this.box.clientHeight / 3;
    el.scrollIntoView({block: 'nearest'});
  };

  Feed.prototype.search = function (q) {
    const self = this;
    const form = this.details.querySelector('form.search');
    const out = form.querySelector('.hits');
    if (!q) { out.textContent = ''; return; }
    if (q === this.query && this.hits.length) { this.step1(1); return; }
    out.textContent = 'Searching…';
    fetch(this.base + '/search?q=' + encodeURIComponent(q))
      .then(function (r) { return r.ok ? r.json() : r.text().then(function (t) { throw new Error(t); }); })
      .then(function (d) {
        self.query = q;
        self.hits = d.hits;
        self.complete = d.complete;
        self.capped = d.capped;
        form.querySelector('.next').disabled = form.querySelector('.prev').disabled = d.hits.length === 0;
        if (d.hits.length === 0) { self.hit = -1; self.count(); return; }
        self.hit = -1;
        self.step1(1);
      })
      .catch(function (e) { out.textContent = 'Search failed: ' + e.message; });
  };

  Feed.prototype.count = function () {
    const out = this.details.querySelector('form.search .hits');
    const total = this.hits.length + (this.capped ? '+' : '');
    let t = this.hits.length === 0 ? 'No match' : (this.hit + 1) + ' of ' + total + ' (line ' + this.hits[this.hit] + ')';
    if (!this.complete && !this.capped) t += '; the search stopped early, not the whole log was searched';
    out.textContent = t;
  };

  Feed.prototype.step1 = function (dir) {
    if (!this.hits.length) return;
    this.hit = (this.hit + dir + this.hits.length) % this.hits.length;
    this.count();
    this.jump(this.hits[this.hit]);
  };

  function start(details) {
    const i = details.dataset.step;
    if (!feeds[i] && details.open) feeds[i] = new Feed(details);
  }

  document.querySelectorAll('details.step').forEach(function (d) {
    if (location.hash.indexOf('#' + d.id + '-') === 0 || location.hash === '#' + d.id) d.open = true;
    start(d);
    d.addEventListener('toggle', function () { start(d); });
  });
  window.addEventListener('hashchange', function () {
    const m = /^#s(\d+)-L\d+$/.exec(location.hash);
    if (!m) return;
    const d = document.getElementById('s' + m[1]);
    if (!d) return;
    d.open = true;
    start(d);
    if (feeds[m[1]] && feeds[m[1]].jumped) feeds[m[1]].goToHash();
  });

  // Status, title and favicon: a small poll of the build's JSON while it runs.
  const kinds = {SUCCESS: 'ok', FAILURE: 'bad', INTERNAL_ERROR: 'bad', TIMEOUT: 'bad', WORKING: 'run', PENDING: 'wait', QUEUED: 'wait'};
  function kind(s) { return kinds[s] || 'off'; }
  function setBadge(el, status) {
    if (!el) return;
    el.textContent = status;
    el.className = 'badge ' + kind(status);
  }
  function poll() {
    fetch('/api/builds/' + encodeURIComponent(buildId)).then(function (r) { return r.json(); }).then(function (b) {
      setBadge(document.getElementById('status'), b.status);
      document.title = document.title.replace(/^[A-Z_]+ /, b.status + ' ');
      document.getElementById('favicon').href = '/static/favicon-' + kind(b.status) + '.svg';
      b.steps.forEach(function (s) {
        const d = document.getElementById('s' + s.index);
        if (!d) return;
        setBadge(d.querySelector('summary .badge'), s.status);
        d.className = 'step st-' + kind(s.status);
        if ((s.status === 'WORKING' || kind(s.status) === 'bad') && !d.dataset.touched && !d.open) { d.open = true; }
      });
      // Decided elsewhere (the CLI, another page): the buttons no longer apply.
      const approval = document.getElementById('approval');
      if (approval && b.status !== 'PENDING') approval.remove();
      if (['PENDING', 'QUEUED', 'WORKING'].indexOf(b.status) >= 0) setTimeout(poll, 1000);
      else {
        const c = document.getElementById('cancel');
        if (c) c.closest('form').remove();
      }
    }).catch(function () { setTimeout(poll, 3000); });
  }
  if (['PENDING', 'QUEUED', 'WORKING'].indexOf(root.dataset.status) >= 0) poll();
})();
