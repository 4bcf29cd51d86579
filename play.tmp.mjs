import { chromium } from '@playwright/test';
const [,, id, width = '1280', maxSteps = '40'] = process.argv;
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--disable-gpu'] });
const p = await b.newPage({ viewport: { width: Number(width), height: 900 } });
const errors = [];
p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
p.on('pageerror', (e) => errors.push(e.message));
await p.goto(`http://127.0.0.1:4173/#/lesson/${id}`);
await p.waitForSelector('[data-testid=narration]', { timeout: 20000 });
for (let k = 0; k < Number(maxSteps); k++) {
  await p.waitForSelector('[data-testid=phase]:has-text("engine ready")');
  await p.waitForTimeout(300);
  const t = await p.getByTestId('step-count').innerText();
  await p.screenshot({ path: `/tmp/pshots/${id}-${width}-${String(k).padStart(2, '0')}.png` });
  if (t === 'Complete') break;
  if (await p.getByTestId('answer-first').count()) { await p.getByTestId('choice-0').click(); await p.waitForTimeout(300); await p.screenshot({ path: `/tmp/pshots/${id}-${width}-${String(k).padStart(2, '0')}b.png` }); }
  await p.getByTestId('lesson-next').click();
}
console.log('errors:', JSON.stringify(errors));
await b.close();
