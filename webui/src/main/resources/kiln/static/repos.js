// The repos pages: Copy buttons for the clone and webhook URLs, and each Run form's suggestions
// following what it builds (branch names for a branch, tag names for a tag, none for a SHA).
'use strict';
(function () {
  const status = document.getElementById('copy-status');

  function done(button, ok) {
    const label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    button.textContent = ok ? 'Copied' : 'Copy failed: select the text';
    if (status) status.textContent = ok ? 'Copied ' + button.dataset.copy : 'Could not copy; select the text instead';
    clearTimeout(button.timer);
    button.timer = setTimeout(function () { button.textContent = label; }, 2000);
  }

  // Without the clipboard API (a page not served from localhost or HTTPS), a selected textarea and execCommand.
  function fallback(button, text) {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'offscreen';
    document.body.append(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    area.remove();
    button.focus();
    done(button, ok);
  }

  document.querySelectorAll('button.copy').forEach(function (button) {
    button.addEventListener('click', function () {
      const text = button.dataset.copy;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { done(button, true); },
          function () { fallback(button, text); });
      } else {
        fallback(button, text);
      }
    });
  });

  document.querySelectorAll('form.run').forEach(function (form) {
    const kind = form.querySelector('.run-kind');
    const ref = form.querySelector('.run-ref');
    kind.addEventListener('change', function () {
      if (kind.value === 'sha') ref.removeAttribute('list');
      else ref.setAttribute('list', kind.value === 'tag' ? 'tags' : 'branches');
    });
  });
})();
