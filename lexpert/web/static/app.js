// lexpert review UI: one-click decisions, recommendation editor, filters, keyboard navigation.
(function () {
  window.LEXPERT = window.LEXPERT || {csrf: null};   // here, not inline: the CSP allows no inline script
  async function csrf() {
    if (!window.LEXPERT.csrf) { window.LEXPERT.csrf = (await (await fetch('/csrf')).json()).csrf; }
    return window.LEXPERT.csrf;
  }
  async function api(method, url, body, isForm) {
    const headers = {'X-CSRF-Token': await csrf()};
    if (!isForm && body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(url, {method, headers, body: isForm ? body : (body === undefined ? undefined : JSON.stringify(body))});
    const data = await r.json().catch(() => ({}));
    if (!r.ok) { throw new Error(data.detail || data.error || ('HTTP ' + r.status)); }
    return data;
  }
  const logout = document.getElementById('logout-form');
  if (logout) logout.addEventListener('submit', async (e) => {
    e.preventDefault(); await fetch('/logout', {method: 'POST', headers: {'X-CSRF-Token': await csrf()}}); location.href = '/login';
  });

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
  function select(i) {
    const list = items(); if (!list.length) return;
    current = (i + list.length) % list.length;
    document.querySelectorAll('.current').forEach(el => el.classList.remove('current'));
    const li = list[current]; li.classList.add('current'); li.scrollIntoView({block: 'nearest'});
    const mark = document.querySelector('mark[data-finding="' + li.dataset.id + '"]');
    if (mark) { mark.classList.add('current'); mark.scrollIntoView({block: 'center'}); }
    document.getElementById('counter').textContent = (current + 1) + ' / ' + list.length;
  }
  function setState(li, f) {
    li.classList.remove('pending', 'confirmed', 'rejected'); li.classList.add(f.decision);
    li.dataset.status = f.decision;
    const labels = document.querySelector('.review').dataset;
    li.querySelector('.decision').textContent = labels['l' + f.decision.charAt(0).toUpperCase() + f.decision.slice(1)] || f.decision;
  }
  async function decide(id, decision) {
    const li = document.getElementById('finding-' + id);
    const reason = li.querySelector('.reason') ? li.querySelector('.reason').value : '';
    try {
      const f = await api('POST', '/api/findings/' + id + '/' + decision, decision === 'reject' ? {reason: reason || null} : undefined);
      setState(li, f);
    } catch (err) { alert(err.message); }
  }
  document.querySelectorAll('button.confirm').forEach(b => b.addEventListener('click', () => decide(b.dataset.id, 'confirm')));
  document.querySelectorAll('button.reject').forEach(b => b.addEventListener('click', () => decide(b.dataset.id, 'reject')));
  document.querySelectorAll('button.rec-save').forEach(b => b.addEventListener('click', async () => {
    const li = document.getElementById('finding-' + b.dataset.id);
    try {
      if (li.dataset.status !== 'confirmed') { setState(li, await api('POST', '/api/findings/' + b.dataset.id + '/confirm')); }
      const r = await api('POST', '/api/drafts/' + draftId + '/recommendations',
        {text: li.querySelector('.rec-text').value, kind: li.querySelector('.rec-kind').value, finding_ids: [Number(b.dataset.id)]});
      const item = document.createElement('li'); item.dataset.rec = r.id; item.textContent = r.text + ' (' + r.kind + ')';
      document.getElementById('rec-list').appendChild(item);
      li.querySelector('details').open = false;
    } catch (err) { alert(err.message); }
  }));
  document.querySelectorAll('mark[data-finding]').forEach(m => m.addEventListener('click', () => {
    const idx = items().findIndex(li => li.dataset.id === m.dataset.finding); if (idx >= 0) select(idx);
  }));
  function applyFilters() {
    const fam = document.getElementById('f-family').value, st = document.getElementById('f-status').value;
    document.querySelectorAll('#finding-list .finding').forEach(li => {
      li.classList.toggle('hidden', (fam && li.dataset.family !== fam) || (st && li.dataset.status !== st));
    });
    document.querySelectorAll('mark[data-finding]').forEach(m => {
      const li = document.getElementById('finding-' + m.dataset.finding);
      m.style.opacity = li.classList.contains('hidden') ? 0.25 : 1;
    });
  }
  document.getElementById('f-family').addEventListener('change', applyFilters);
  document.getElementById('f-status').addEventListener('change', applyFilters);
  document.addEventListener('keydown', (e) => {
    if (['INPUT', 'TEXTAREA', 'SELECT'].includes(document.activeElement.tagName)) return;
    const list = items(); if (!list.length) return;
    if (e.key === 'j') select(current + 1);
    else if (e.key === 'k') select(current - 1);
    else if (e.key === 'c' && current >= 0) decide(list[current].dataset.id, 'confirm');
    else if (e.key === 'x' && current >= 0) decide(list[current].dataset.id, 'reject');
  });
})();
