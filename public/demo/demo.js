// The demo page's own script (no inline script: the page has a Content-Security-Policy): it drives the write-skew
// embed through the element's methods and logs every event the embeds send back.
(() => {
  const log = document.getElementById('api-log');
  const target = document.getElementById('write-skew-demo');
  const line = (text, kind) => {
    const li = document.createElement('li');
    li.textContent = text; // text, never markup
    if (kind) li.className = kind;
    log.append(li);
    while (log.children.length > 12) log.firstElementChild.remove();
  };
  // the state as a reader would say it: a lesson's step shown (-1 is its introduction), a scenario's steps run
  const describe = (s) => {
    if (s.kind === 'lesson') return `lesson “${s.title}”: ${s.position < 0 ? 'the introduction' : s.position >= s.of ? 'the summary' : `step ${s.position + 1} of ${s.of}`}`;
    if (s.kind === 'scenario') return `scenario “${s.title}”: ${s.position} of ${s.of} steps run`;
    return 'nothing loaded';
  };
  for (const el of document.querySelectorAll('heapscope-embed')) {
    const who = el.id || 'embed';
    el.addEventListener('heapscope-ready', (e) => line(`${who}: ready — ${describe(e.detail.state)}`, 'ready'));
    el.addEventListener('heapscope-step', (e) => line(`${who}: step — ${describe(e.detail.state)}`, 'step'));
    el.addEventListener('heapscope-answered', (e) => line(`${who}: answered step ${e.detail.step + 1}: ${e.detail.right ? 'right' : 'wrong'}`, 'answered'));
    el.addEventListener('heapscope-error', (e) => line(`${who}: error — ${e.detail.message}`, 'error'));
  }
  for (const b of document.querySelectorAll('#api-demo button[data-command]')) {
    b.addEventListener('click', async () => {
      const c = b.dataset.command;
      try {
        const s = c === 'seek' ? await target.seek(Number(b.dataset.to)) : await target.command({ type: c });
        line(`reply to ${c}: ${describe(s)}`, 'reply');
      } catch (err) {
        line(`reply to ${c}: refused — ${err.message}`, 'error');
      }
    });
  }
})();
