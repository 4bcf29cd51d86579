/**
 * What a learner sees: the course gallery, a lesson played to the end (questions answered wrongly and rightly,
 * judged on the engine), a reload in the middle, their own SQL as a detour and the way back; hostile lesson files.
 */
import { test, expect, type Page } from '@playwright/test';
import { readdirSync } from 'node:fs';
import { watch, typeAndRun, shot } from './helpers';

/** Every lesson file in lessons/ (README.md, the format, is not one) is a card in the gallery. */
const LESSONS = readdirSync('lessons').filter((f) => f.endsWith('.md') && f !== 'README.md').length;

const openFile = (page: Page, name: string, content: string | Buffer) =>
  page.getByTestId('file-input').setInputFiles({ name, mimeType: 'text/markdown', buffer: Buffer.isBuffer(content) ? content : Buffer.from(content) });

async function newVisitor(page: Page) {
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
  await page.goto('/');
  await page.reload();
}
const title = (page: Page) => page.getByTestId('step-title');
const next = (page: Page) => page.getByTestId('lesson-next');
const ready = (page: Page) => expect(page.getByTestId('phase')).toHaveText('engine ready', { timeout: 20_000 });

test('a new visitor: gallery, a lesson to the end (a wrong and a right answer), a reload mid-lesson, a detour and back', async ({ page }) => {
  const w = watch(page);
  page.on('dialog', (d) => { w.errors.push(`a dialog opened: ${d.message()}`); void d.dismiss(); });
  await newVisitor(page);
  // the gallery, in course order, with what each lesson is about and the visitor's progress
  const gallery = page.getByTestId('gallery');
  await expect(gallery).toBeVisible();
  await expect(gallery.locator('.card')).toHaveCount(LESSONS);
  await expect(gallery.locator('.card h3').first()).toHaveText('Atomicity: all of the order or none of it');
  const card = page.getByTestId('lesson-card-row-versions');
  await expect(card).toContainText('beginner');
  await expect(card).toContainText('12 min');
  await expect(card).toContainText('xmin');
  await expect(card).toContainText('Take first: Atomicity');
  await expect(page.getByTestId('progress-row-versions')).toHaveText('not started');
  await shot(page, 'lesson-gallery-1280');
  await page.setViewportSize({ width: 768, height: 900 });
  await shot(page, 'lesson-gallery-768');
  await page.setViewportSize({ width: 1280, height: 800 });

  await card.getByRole('button', { name: /Start Row versions/ }).click();
  await ready(page);
  await expect(page.getByTestId('step-count')).toHaveText('Introduction');
  await expect(page.getByTestId('session-alice')).toContainText('pid 1002'); // the setup connection is 1001, as recorded
  await next(page).click();

  // step 1: it ran in alice's session; the narration's look: links point into the Heap view
  await expect(page.getByTestId('step-count')).toHaveText('Step 1 of 10');
  await expect(title(page)).toHaveText('One row, one version');
  await expect(page.getByTestId('lesson-sql-alice')).toContainText('SELECT ctid, xmin, xmax, stock FROM products');
  await expect(page.getByTestId('tuple-products-0-1')).toHaveClass(/touched-read/);
  await page.getByTestId('narration').getByRole('button', { name: 't_xmin' }).click();
  await expect(page.getByTestId('tuple-products-0-1')).toHaveClass(/looked/);
  await expect(page.getByTestId('tuple-products-0-1').locator('.looked-field')).toHaveText('xmin 724');
  await shot(page, 'lesson-step-look-1280');

  // step 2 asks first: "next" is held until the question is answered (keys too)
  await page.keyboard.press('ArrowRight');
  await expect(title(page)).toHaveText('Alice sells a copy');
  await expect(page.getByTestId('lesson-sql-alice')).toContainText('▶ the lesson runs this next');
  await expect(next(page)).toBeDisabled();
  await page.keyboard.press('ArrowRight');
  await expect(title(page)).toHaveText('Alice sells a copy');
  await expect(page.getByTestId('tuple-products-0-2')).toHaveCount(0); // not run yet
  await shot(page, 'lesson-predict-1280');
  await page.keyboard.press('1'); // "0": wrong
  const feedback = page.getByTestId('feedback');
  await expect(feedback).toContainText('✗ Not quite — the answer is “725”.');
  await expect(feedback).toContainText('What happened: products (0,1) t_xmax = 725');
  await expect(page.getByTestId('predict')).toHaveClass(/wrong/);
  await expect(page.getByTestId('tuple-products-0-2')).toBeVisible(); // revealed by running the step
  await expect(page.getByTestId('tuple-products-0-1')).toHaveClass(/touched-write/);
  await shot(page, 'lesson-wrong-answer-1280');

  await next(page).click();
  await expect(title(page)).toHaveText('A HOT update');
  await page.getByTestId('narration').getByRole('button', { name: 'Index view' }).click();
  await expect(page.getByRole('tab', { name: 'Index' })).toHaveAttribute('aria-selected', 'true');
  await next(page).click();
  await expect(title(page)).toHaveText('Bob reads the row');

  // a reload in the middle: the same step, its question still waiting for an answer
  await page.reload();
  await ready(page);
  await expect(title(page)).toHaveText('Bob reads the row');
  await expect(page.getByTestId('step-count')).toHaveText('Step 4 of 10');
  await expect(next(page)).toBeDisabled();
  await page.getByTestId('choice-0').click(); // "(724, 725, 5)": right
  await expect(page.getByTestId('feedback')).toContainText('✓ Right.');
  await expect(page.getByTestId('predict')).toHaveClass(/right/);
  await expect(page.getByTestId('session-bob').locator('table.grid tbody tr')).toHaveText(/724\s*725\s*5/);
  await shot(page, 'lesson-right-answer-1280');

  // what if: the learner's own SQL branches off; the lesson waits, and "back to the lesson" returns to it exactly
  await expect(page.getByTestId('page-products-0').locator('.tuple')).toHaveCount(2);
  await typeAndRun(page, 'bob', 'INSERT INTO products VALUES (200, 1);');
  await expect(page.getByTestId('detour')).toContainText('You are trying your own SQL');
  await expect(next(page)).toHaveText('↩ Back to the lesson');
  await expect(page.getByTestId('page-products-0').locator('.tuple')).toHaveCount(3);
  await shot(page, 'lesson-detour-1280');
  await next(page).click();
  await expect(page.getByTestId('detour')).toHaveCount(0);
  await expect(title(page)).toHaveText('Bob reads the row');
  await expect(page.getByTestId('session-bob').locator('table.grid tbody tr')).toHaveText(/724\s*725\s*5/);
  await expect(page.getByTestId('page-products-0').locator('.tuple')).toHaveCount(2);
  // the detour is kept: listed ahead of the step it left, then a branch of its own once the lesson moves on
  await expect(page.locator('.timeline h3')).toContainText('1 ahead');
  await expect(page.getByTestId('ahead-5')).toContainText('INSERT INTO products VALUES (200, 1)');

  // on to the end
  await next(page).click();
  await expect(title(page)).toHaveText('Alice updates again');
  await expect(page.locator('.timeline h3')).toContainText('1 other branch');
  await next(page).click();
  await expect(title(page)).toHaveText('Alice rolls back');
  await next(page).click();
  await expect(title(page)).toHaveText('Bob looks again');
  await page.getByTestId('choice-2').click(); // "(725, 725, 3)": wrong
  await expect(page.getByTestId('feedback')).toContainText('✗ Not quite');
  await next(page).click();
  await expect(title(page)).toHaveText('Your turn');
  await expect(page.getByTestId('lesson-sql-bob')).toContainText('your turn');
  await expect(page.getByTestId('task-status')).toHaveText('Nothing tried yet.');
  await typeAndRun(page, 'bob', 'SELECT 1;');
  await expect(page.getByTestId('task-status')).toContainText('Not yet');
  await typeAndRun(page, 'bob', 'UPDATE products SET stock = 4 WHERE product_id = 123;');
  await expect(page.getByTestId('task-status')).toContainText('✓ Goal reached');
  await shot(page, 'lesson-task-1280');
  await expect(next(page)).toHaveText('Continue ▶');
  await next(page).click();
  await expect(page.getByTestId('task-status')).toContainText('You reached the goal');
  await next(page).click();
  await expect(title(page)).toHaveText('Everyone sees stock 4');
  await page.getByTestId('choice-0').click();
  await expect(page.getByTestId('feedback')).toContainText('✓ Right.');
  await next(page).click();
  await expect(title(page)).toHaveText('What we saw');
  await expect(next(page)).toHaveText('Finish ▶');
  await next(page).click();
  const summary = page.getByTestId('lesson-summary');
  await expect(summary).toContainText('Lesson complete');
  await expect(page.getByTestId('score')).toHaveText('Questions: 2 of 4 answered right.');
  await expect(summary).toContainText('you did it');
  await shot(page, 'lesson-summary-1280');
  await page.setViewportSize({ width: 768, height: 1000 });
  await shot(page, 'lesson-summary-768');
  await summary.getByRole('button', { name: 'Back to the course' }).click();
  await expect(page.getByTestId('progress-row-versions')).toHaveText('done · 2 of 4 questions right');
  // the free workspace is one click away, and the course one click back
  await page.getByTestId('open-workspace').click();
  await ready(page);
  await expect(page.getByTestId('session-s1')).toBeVisible();
  await page.getByTestId('nav-course').click();
  await expect(page.getByTestId('gallery')).toBeVisible();
  expect(w.errors).toEqual([]);
  expect(w.external).toEqual([]);
});

test('at 768 px the narration sits above the sessions and the views follow the step', async ({ page }) => {
  await page.setViewportSize({ width: 768, height: 1000 });
  await newVisitor(page);
  await page.getByTestId('lesson-card-deadlocks').getByRole('button', { name: /^Start/ }).click();
  await ready(page);
  for (let i = 0; i < 12 && !(await page.getByTestId('predict').count()); i++) await next(page).click();
  await shot(page, 'lesson-deadlocks-768');
  const panel = await page.getByTestId('narration').boundingBox();
  const sessions = await page.locator('.sessions').boundingBox();
  expect(panel!.y + panel!.height).toBeLessThanOrEqual(sessions!.y + 1);
});

test('the deadlock lesson\'s victim gets the DETAIL PostgreSQL 15 gave, with its pids', async ({ page }) => {
  await newVisitor(page);
  await page.goto('/#/lesson/deadlocks');
  await ready(page);
  for (let i = 0; i < 30 && (await title(page).innerText()) !== 'One more second: the victim'; i++) {
    if (await page.getByTestId('answer-first').count()) {
      await page.getByTestId('choice-0').click();
      await expect(page.getByTestId('feedback')).toBeVisible(); // answered: the question no longer holds the lesson
      await expect(page.getByTestId('answer-first')).toHaveCount(0);
    } else await next(page).click();
  }
  await page.getByTestId('choice-0').click(); // alice
  await expect(page.getByTestId('feedback')).toContainText('✓ Right.');
  await expect(page.getByRole('tab', { name: 'Waits' })).toHaveAttribute('aria-selected', 'true'); // the view followed the step
  // as recorded in tests/scenarios/deadlock/deadlock-detail.out (alice is backend 1002, bob 1003)
  await expect(page.getByTestId('session-alice').getByRole('alert')).toContainText('DETAIL: Process 1002 waits for ShareLock on transaction 726; blocked by process 1003.');
  await shot(page, 'lesson-deadlock-detail-1280');
  await next(page).click();
  await expect(title(page)).toHaveText('The error Alice gets');
  await expect(page.getByTestId('narration')).toContainText('Process 1002 waits for ShareLock on transaction 726; blocked by process 1003.');
});

test('a malformed lesson opened with Open… shows its errors with file and line; the app keeps working', async ({ page }) => {
  const w = watch(page);
  await newVisitor(page);
  const good = `---
id: my-lesson
title: My own lesson
summary: A lesson opened from a file.
level: beginner
concepts: [testing]
minutes: 3
prerequisites: []
---

A lesson of my own.

\`\`\`sql setup
CREATE TABLE kv (k int PRIMARY KEY, v int);
\`\`\`

## Insert a row

\`\`\`predict
kind: rows
question: What does the INSERT return?
choices: ["(1, 10)", no rows]
answer: "(1, 10)"
explain: RETURNING gives the new row.
\`\`\`

\`\`\`sql s1
INSERT INTO kv VALUES (1, 10) RETURNING *;
\`\`\`
`;
  await openFile(page, 'expert.md', good.replace('level: beginner', 'level: expert'));
  await expect(page.getByTestId('notice')).toContainText('expert.md is not a lesson Heapscope can play:');
  await expect(page.getByTestId('notice')).toContainText('expert.md:5: front matter: level:');
  await openFile(page, 'script.md', good.replace('A lesson of my own.', 'A lesson <script>window.__pwned = 1</script> of my own.'));
  await expect(page.getByTestId('notice')).toContainText('script.md:11: raw HTML is not allowed in a lesson');
  await openFile(page, 'nobody.md', good.replace('answer: "(1, 10)"', 'answer: "(2, 20)"'));
  await expect(page.getByTestId('notice')).toContainText('nobody.md:19: predict: answer "(2, 20)" must be exactly one of the choices');
  await openFile(page, 'carol.md', good.replace('```sql s1', '```expect\nwaits: carol\n```\n\n```sql s1'));
  await expect(page.getByTestId('notice')).toContainText('unknown session "carol"');
  await openFile(page, 'huge.md', Buffer.alloc(10_000_000, 32));
  await expect(page.getByTestId('notice')).toHaveText(/huge\.md is 10\.0 MB; Heapscope opens files up to 5 MB\. Your current workspace is unchanged\./);
  await openFile(page, 'big.md', Buffer.alloc(300_000, 32));
  await expect(page.getByTestId('notice')).toContainText('big.md:1: the file is 300000 bytes; a lesson may have at most 200000');
  await shot(page, 'lesson-file-refused-1280');
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  // still working: the gallery, a lesson of the course, then the good file, which plays and survives a reload
  await expect(page.getByTestId('gallery').locator('.card')).toHaveCount(LESSONS);
  await openFile(page, 'mine.md', good);
  await ready(page);
  await expect(page).toHaveURL(/#\/lesson-file$/);
  await expect(title(page)).toHaveText('My own lesson');
  await next(page).click();
  await page.getByTestId('choice-0').click();
  await expect(page.getByTestId('feedback')).toContainText('✓ Right.');
  await page.reload();
  await ready(page);
  await expect(title(page)).toHaveText('Insert a row');
  await expect(page.getByTestId('feedback')).toContainText('✓ Right.');
  // a .spec opened from a lesson goes to the free workspace, as before
  await page.getByTestId('file-input').setInputFiles({ name: 'x.spec', mimeType: 'text/plain', buffer: Buffer.from('setup { CREATE TABLE t(id int); }\nsession s1\nstep a { INSERT INTO t VALUES (1); }\n') });
  await expect(page).toHaveURL(/#\/workspace$/);
  await expect(page.getByTestId('notice')).toContainText('Loaded x.spec: 2 steps queued');
  await page.getByTestId('next-step').click();
  await page.getByTestId('next-step').click();
  await expect(page.getByTestId('session-s1').getByTestId('result')).toContainText('INSERT 0 1');
  await expect(page.getByTestId('session-s1')).toContainText('pid 1002');
  expect(w.errors).toEqual([]);
});

test('narration never runs script: entities stay text, code stays code, links open safely', async ({ page }) => {
  const w = watch(page);
  page.on('dialog', (d) => { w.errors.push(`a dialog opened: ${d.message()}`); void d.dismiss(); });
  await newVisitor(page);
  const lesson = `---
id: tricky
title: Tricky narration
summary: Narration that looks like HTML but is not.
level: beginner
concepts: [testing]
minutes: 1
prerequisites: []
---

Intro.

## Text that looks like markup

This is &lt;script&gt;window.__pwned = 1&lt;/script&gt; as text, and \`<img src=x onerror="window.__pwned = 2">\` as code.
A [link](https://www.postgresql.org/docs/15/mvcc.html "a title with \\"quotes\\"") and ![a picture](https://example.com/tracker.png).

\`\`\`text
<script>window.__pwned = 3</script>
\`\`\`

\`\`\`sql s1
SELECT 1;
\`\`\`
`;
  await openFile(page, 'tricky.md', lesson);
  await ready(page);
  await next(page).click();
  const narration = page.getByTestId('narration');
  await expect(narration).toContainText('This is <script>window.__pwned = 1</script> as text');
  await expect(narration.locator('code').first()).toHaveText('<img src=x onerror="window.__pwned = 2">');
  await expect(narration).toContainText('[image: a picture]');
  expect(await narration.locator('script, img, iframe, [onerror], [onclick]').count()).toBe(0);
  const link = narration.getByRole('link', { name: 'link' });
  await expect(link).toHaveAttribute('href', 'https://www.postgresql.org/docs/15/mvcc.html');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(link).toHaveAttribute('target', '_blank');
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(w.errors).toEqual([]);
  expect(w.external).toEqual([]); // the picture is not loaded
});
