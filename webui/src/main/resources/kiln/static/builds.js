// Keeps the builds list live: the server sends the rows that changed (rendered and escaped on the server).
'use strict';
(function () {
  const table = document.getElementById('builds');
  if (!table || !window.EventSource) return;
  const body = document.getElementById('rows');
  const es = new EventSource(table.dataset.liveUrl);
  function rowOf(html) {
    const t = document.createElement('template');
    t.innerHTML = html.trim();
    return t.content.firstElementChild;
  }
  es.addEventListener('rows', function (e) {
    const d = JSON.parse(e.data);
    d.changed.forEach(function (html) {
      const row = rowOf(html);
      const old = document.getElementById(row.id);
      if (old) old.replaceWith(row);
    });
    for (let i = d.added.length - 1; i >= 0; i--) {
      const row = rowOf(d.added[i]);
      if (!document.getElementById(row.id)) body.prepend(row);
    }
  });
})();
