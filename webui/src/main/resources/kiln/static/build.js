// A build page: streams each open step's log (rendered and escaped on the server), follows the
// tail until the reader scrolls up, nests group markers, and keeps status, title and favicon current.
'use strict';
(function () {
  const root = document.getElementById('build');
  if (!root) return;
  const buildId = root.dataset.id;
  const feeds = {};

  function rowsOf(htmls) {
    const t = document.createElement('template');
    t.innerHTML = htmls.join('');
    return Array.from(t.content.children);
  }

  function Feed(details) {
    this.details = details;
    this.box = details.querySelector('.log');
    this.final = details.querySelector('.final');
    this.pending = details.querySelector('.pending');
    this.follow = details.querySelector('.follow');
    this.stack = [this.final];
    this.first = 0;
    const self = this;
    this.box.addEventListener('scroll', function () {
      const atEnd = self.box.scrollHeight - self.box.scrollTop - self.box.clientHeight < 8;
      if (self.autoScrolling) { self.autoScrolling = false; return; }
      self.follow.checked = atEnd;
    });
    details.querySelector('.load-earlier').addEventListener('click', function () { self.loadEarlier(); });
    this.es = new EventSource(details.dataset.live);
    this.es.addEventListener('lines', function (e) { self.onLines(JSON.parse(e.data)); });
    this.es.addEventListener('end', function (e) { self.es.close(); self.onLines(JSON.parse(e.data)); });
  }

  Feed.prototype.onLines = function (d) {
    if (d.skipped > 0) {
      this.first = d.skipped;
      const p = this.details.querySelector('.earlier');
      p.hidden = false;
      p.querySelector('.skipcount').textContent = d.skipped + ' earlier lines not shown';
    }
    const frag = document.createDocumentFragment();
    let top = this.stack[this.stack.length - 1];
    const self = this;
    rowsOf(d.f).forEach(function (row) {
      const ev = row.dataset.ev || '';
      let placed = false;
      for (const c of ev) {
        if (c === 'e') {
          if (self.stack.length > 1) self.stack.pop();
        } else {
          const g = document.createElement('details');
          g.className = 'grp';
          g.open = c === 'o';
          const s = document.createElement('summary');
          s.append(row);
          g.append(s);
          const inner = document.createElement('div');
          g.append(inner);
          (self.stack.length === 1 ? frag : self.stack[self.stack.length - 1]).append(g);
          self.stack.push(inner);
          placed = true;
        }
      }
      if (!placed) (self.stack.length === 1 ? frag : self.stack[self.stack.length - 1]).append(row);
    });
    this.final.append(frag);
    this.pending.replaceChildren.apply(this.pending, rowsOf(d.p));
    if (this.follow.checked) {
      this.autoScrolling = true;
      this.box.scrollTop = this.box.scrollHeight;
    }
    if (location.hash && !this.jumped) {
      const target = document.getElementById(location.hash.substring(1));
      if (target && this.details.contains(target)) { target.scrollIntoView(); this.jumped = true; }
    }
  };

  Feed.prototype.loadEarlier = function () {
    const self = this;
    const from = Math.max(1, this.first - 1999);
    fetch(this.details.dataset.live.replace(/\/live$/, '/lines') + '?from=' + from + '&to=' + this.first)
      .then(function (r) { return r.json(); })
      .then(function (d) {
        self.final.prepend.apply(self.final, rowsOf(d.rows));
        self.first = from - 1;
        const p = self.details.querySelector('.earlier');
        if (self.first <= 0) p.hidden = true;
        else p.querySelector('.skipcount').textContent = self.first + ' earlier lines not shown';
      });
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
