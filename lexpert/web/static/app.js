// lexpert review UI: one-click decisions, recommendation editor, filters, keyboard navigation.
(function () {
  window.LEXPERT = window.LEXPERT || {csrf: null};   // here, not inline: the CSP allows no inline script
  async function csrf() {
    if (!window.LEXPERT.csrf) { window.LEXPERT.csrf = (await (await fetch('/csrf')).json()).csrf; }
    return window.LEXPERT.csrf;
  }
  const T = JSON.parse(document.body.dataset.i18n || '{}');   // the page's words (ui.yaml, ru or kk)
  const tr = (key, fallback) => T[key] || fallback || key;
  // the API's errors are English sentences: each known one is said in the UI language, the rest by its HTTP status
  const ERRORS = [[/still pending/, 'err_pending'], [/already completed/, 'err_completed'], [/read-only/, 'err_readonly'],
    [/rejecting a finding needs a reason/, 'err_reject_reason'], [/not adopted needs a reason/, 'err_status_reason'],
    [/recommendations remove confirmed/, 'err_rec_confirmed'], [/needs a text/, 'err_rec_text']];
  const BY_STATUS = {401: 'err_session', 403: 'err_forbidden', 404: 'err_not_found', 413: 'err_too_large', 415: 'err_file'};
  function errorText(status, data) {
    const detail = typeof data.detail === 'string' ? data.detail : '';
    for (const [re, key] of ERRORS) { if (re.test(detail) && T[key]) return T[key]; }
    if (BY_STATUS[status] && T[BY_STATUS[status]]) return T[BY_STATUS[status]];
    if (data.error && data.error !== 'record' && status === 422 && T.err_file) return T.err_file;
    return tr('err_generic', 'HTTP {status}').replace('{status}', status);
  }
  async function api(method, url, body, isForm) {
    const headers = {'X-CSRF-Token': await csrf()};
    if (!isForm && body !== undefined) headers['Content-Type'] = 'application/json';
    let r;
    try {
      r = await fetch(url, {method, headers, body: isForm ? body : (body === undefined ? undefined : JSON.stringify(body))});
    } catch (e) { throw new Error(tr('err_network', 'network error')); }
    const data = await r.json().catch(() => ({}));
    if (!r.ok) { throw new Error(errorText(r.status, data)); }
    return data;
  }
  const logout = document.getElementById('logout-form');
  if (logout) logout.addEventListener('submit', async (e) => {
    e.preventDefault(); await fetch('/logout', {method: 'POST', headers: {'X-CSRF-Token': await csrf()}}); location.href = '/login';
  });

  // ---- file fields: the browser's own button speaks the browser's language, so it is hidden behind one of ours
  document.querySelectorAll('input.file-input').forEach(input => input.addEventListener('change', () => {
    const name = input.parentElement.querySelector('.file-name');
    if (name && input.files.length) name.textContent = input.files[0].name;
  }));

  // ---- upload
  const up = document.getElementById('upload-form');
  if (up) up.addEventListener('submit', async (e) => {
    e.preventDefault();
    const status = document.getElementById('upload-status');
    status.textContent = '…';
    try {
      const res = await api('POST', '/api/drafts', new FormData(up), true);
      location.href = '/drafts/' + res.draft_id;
    } catch (err) { status.textContent = err.message; status.classList.add('error'); }
  });

  // ---- review
  const review = document.querySelector('.review');
  if (!review) return;
  const draftId = review.dataset.draft;
  const items = () => Array.from(document.querySelectorAll('#finding-list .finding')).filter(li => !li.classList.contains('hidden'));
  let current = -1;
  function select(i, fromMark) {
    const list = items(); if (!list.length) return;
    current = (i + list.length) % list.length;
    document.querySelectorAll('.current').forEach(el => el.classList.remove('current'));
    const li = list[current]; li.classList.add('current'); li.scrollIntoView({block: 'nearest'});
    const mark = document.querySelector('mark[data-finding="' + li.dataset.id + '"]');
    if (mark) { mark.classList.add('current'); if (!fromMark) mark.scrollIntoView({block: 'center'}); }
    if (fromMark) li.scrollIntoView({block: 'nearest'});      // a tap on the text shows its finding (below it on a phone)
    document.getElementById('counter').textContent = (current + 1) + ' / ' + list.length;
  }
  function setState(li, f) {
    li.classList.remove('pending', 'confirmed', 'rejected'); li.classList.add(f.decision);
    li.dataset.status = f.decision;
    li.querySelector('.decision').textContent = tr(f.decision);
    const msg = li.querySelector('.msg'); if (msg) msg.textContent = '';
    const reason = li.querySelector('.reason'); if (reason) reason.classList.remove('needed');
  }
  function say(li, text) { const msg = li.querySelector('.msg'); if (msg) msg.textContent = text; else alert(text); }
  async function decide(id, decision, ask) {
    const li = document.getElementById('finding-' + id);
    const field = li.querySelector('.reason');
    let reason = field ? field.value.trim() : '';
    if (decision === 'reject' && !reason) {
      // a rejection needs a reason: the keyboard asks for it; an empty answer (or the button) points at the field
      const given = ask ? window.prompt(tr('reject_prompt')) : null;
      if (given && given.trim()) { reason = given.trim(); if (field) field.value = reason; }
      else {
        say(li, tr('reason_needed'));
        if (field) { field.classList.add('needed'); field.focus(); }
        return;
      }
    }
    try {
      const f = await api('POST', '/api/findings/' + id + '/' + decision, decision === 'reject' ? {reason} : undefined);
      setState(li, f);
    } catch (err) { say(li, err.message); }
  }
  function recItem(r) {
    const item = document.createElement('li'); item.dataset.rec = r.id;
    const meta = document.createElement('span'); meta.className = 'muted small';
    const inc = document.createElement('span'); inc.className = 'inc'; inc.textContent = tr('inc_' + (r.incorporation || 'none'));
    meta.append(' (' + tr('kind_' + r.kind, r.kind) + '; ' + tr('incorporation') + ': ', inc, ')');
    const text = document.createElement('span'); text.translate = false; text.textContent = r.text;   // the expert's words
    item.append(text, ' ', meta);
    return item;
  }
  document.querySelectorAll('button.confirm').forEach(b => b.addEventListener('click', () => decide(b.dataset.id, 'confirm')));
  document.querySelectorAll('button.reject').forEach(b => b.addEventListener('click', () => decide(b.dataset.id, 'reject')));
  document.querySelectorAll('button.rec-save').forEach(b => b.addEventListener('click', async () => {
    const li = document.getElementById('finding-' + b.dataset.id);
    try {
      if (li.dataset.status !== 'confirmed') { setState(li, await api('POST', '/api/findings/' + b.dataset.id + '/confirm')); }
      const r = await api('POST', '/api/drafts/' + draftId + '/recommendations',
        {text: li.querySelector('.rec-text').value, kind: li.querySelector('.rec-kind').value, finding_ids: [Number(b.dataset.id)]});
      document.getElementById('rec-list').appendChild(recItem(r));
      li.querySelector('details').open = false;
    } catch (err) { say(li, err.message); }
  }));
  document.querySelectorAll('mark[data-finding]').forEach(m => {
    const show = () => { const idx = items().findIndex(li => li.dataset.id === m.dataset.finding); if (idx >= 0) select(idx, true); };
    m.addEventListener('click', show);
    m.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); show(); } });   // focusable: the keyboard too
  });
  function applyFilters() {
    const fam = document.getElementById('f-family').value, st = document.getElementById('f-status').value;
    document.querySelectorAll('#finding-list .finding').forEach(li => {
      li.classList.toggle('hidden', (fam && li.dataset.family !== fam) || (st && li.dataset.status !== st));
    });
    document.querySelectorAll('mark[data-finding]').forEach(m => {
      const li = document.getElementById('finding-' + m.dataset.finding);
      m.classList.toggle('dim', li.classList.contains('hidden'));   // unhighlighted, the text as readable as the rest
    });
  }
  document.getElementById('f-family').addEventListener('change', applyFilters);
  document.getElementById('f-status').addEventListener('change', applyFilters);
  // ---- the end of the work: complete, status, adopted text
  const msg = document.getElementById('workflow-msg');
  function report(text, ok) { msg.textContent = text; msg.classList.toggle('ok', !!ok); msg.classList.toggle('error', !ok); }
  function showDraft(d) {
    document.getElementById('draft-status').textContent = tr(d.status, d.status);
    document.getElementById('draft-examined').textContent = d.expertise_completed_at ? ' · ' + tr('examined') : '';
    document.getElementById('complete-button').disabled = !!d.expertise_completed_at;
    review.classList.toggle('done', !!d.expertise_completed_at);       // a completed expertise is read-only
    document.getElementById('status-select').value = d.status;
    reasonShown();
  }
  function reasonShown() {
    document.getElementById('status-reason-label').classList.toggle('hidden', document.getElementById('status-select').value !== 'not_adopted');
  }
  if (msg) {
    document.getElementById('complete-button').addEventListener('click', async () => {
      report(tr('working'), true);
      try { showDraft(await api('POST', '/api/drafts/' + draftId + '/complete')); report(tr('complete_done'), true); }
      catch (err) { report(err.message, false); }
    });
    document.getElementById('status-select').addEventListener('change', reasonShown);
    document.getElementById('status-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const status = document.getElementById('status-select').value;
      const body = {status, reason: status === 'not_adopted' ? document.getElementById('status-reason').value : null,
        note: document.getElementById('status-note').value || null};
      try { showDraft(await api('POST', '/api/drafts/' + draftId + '/status', body)); report(tr('saved'), true); }
      catch (err) { report(err.message, false); }
    });
    const adopted = document.getElementById('adopted-form');
    adopted.addEventListener('submit', async (e) => {
      e.preventDefault();
      report(tr('working'), true);
      try {
        const res = await api('POST', '/api/drafts/' + draftId + '/adopted', new FormData(adopted), true);
        const list = document.getElementById('rec-list'); list.replaceChildren(...res.recommendations.map(recItem));
        document.getElementById('status-select').value = 'adopted'; reasonShown();
        document.getElementById('draft-status').textContent = tr('adopted');
        report(tr('adopted_done').replace('{v}', res.version), true);
      } catch (err) { report(err.message, false); }
    });
  }
  document.addEventListener('keydown', (e) => {
    if (['INPUT', 'TEXTAREA', 'SELECT'].includes(document.activeElement.tagName)) return;
    const list = items(); if (!list.length) return;
    if ((e.key === 'c' || e.key === 'x') && review.classList.contains('done')) return;
    if (e.key === 'j') select(current + 1);
    else if (e.key === 'k') select(current - 1);
    else if (e.key === 'c' && current >= 0) decide(list[current].dataset.id, 'confirm');
    else if (e.key === 'x' && current >= 0) decide(list[current].dataset.id, 'reject', true);
  });
})();
