#!/usr/bin/env node
// run.mjs - the dashboard's tests in a real browser: playwright-core drives Debian's
// chromium (headless) against a real `yilian serve` on a small demo database made for the
// run. Each test is counted, and the last line is "N passed, N failed" like every test
// program of `make test` (scripts/run-tests.sh adds it to the totals). Screenshots of each
// page go to build/web-artifacts/.
//
// Without chromium the tests are skipped, except under CI=true, where they fail.
// Environment: YILIAN_BIN (default build/release/yilian), CHROMIUM (default
// /usr/bin/chromium), WEB_RESIDENTS (demo size, default 20000); `run.mjs NAME` runs the
// tests whose name contains NAME.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.resolve(root, process.env.YILIAN_BIN || 'build/release/yilian');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const artifacts = path.join(root, 'build/web-artifacts');
const residents = process.env.WEB_RESIDENTS || '20000';
const filter = process.argv[2] || '';
const USERS = ['admin', 'doctor', 'village', 'cdc', 'analyst', 'hospital'];
const password = (u) => `web-test-${u}-password`;

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

function finish(passed, failed, skipped = 0) {
    console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
    process.exitCode = failed > 0 ? 1 : 0;
}

class Check extends Error {}
function check(cond, what) {
    if (!cond) throw new Check(what);
}
function eq(a, b, what) {
    if (a !== b) throw new Check(`${what}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
}

// --- the server ------------------------------------------------------------------------

function run(args, input) {
    const r = spawnSync(bin, args, { cwd: root, input, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`yilian ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    return r.stdout;
}

async function startServer(dir) {
    const db = path.join(dir, 'web.db');
    run(['--db', db, 'demo', '--residents', residents]);
    for (const u of USERS) run(['--db', db, 'user', 'passwd', u, '--password-stdin'], `${password(u)}\n`);
    const proc = spawn(bin, ['--db', db, '--port', '0', '--web_root', 'web', '--log_requests', 'false', 'serve'],
        { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    proc.stderr.on('data', (d) => { err += d; });
    const base = await new Promise((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`the server did not start: ${out} ${err}`)), 90000);
        proc.stdout.on('data', (d) => {
            out += d;
            const m = out.match(/listening on (http:\/\/[\d.]+:\d+)/);
            if (m) { clearTimeout(timer); resolve(m[1]); }
        });
        proc.on('exit', (code) => reject(new Error(`the server exited (${code}): ${err}`)));
    });
    return { proc, base, stderr: () => err };
}

// --- helpers on a page -----------------------------------------------------------------

let base = '';
let lastPage = null;

async function newPage(browser, viewport = { width: 1366, height: 768 }) {
    const context = await browser.newContext({ viewport, acceptDownloads: true });
    const page = await context.newPage();
    lastPage = page;
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(e.message));
    // Refusals the pages show (4xx) are expected; anything else in the console is a fault.
    // A string missing from a dictionary warns "i18n: no …": a fault too.
    page.on('console', (m) => {
        if (m.type() === 'error' && !/status of (400|401|403|404|409)/.test(m.text())) page.errors.push(m.text());
        if (m.type() === 'warning' && m.text().startsWith('i18n:')) page.errors.push(m.text());
    });
    page.setDefaultTimeout(15000);
    return page;
}

async function login(page, user, pass = password(user)) {
    await page.goto(`${base}/#/login`);
    await page.locator('input[name=username]').fill(user);
    await page.locator('input[name=password]').fill(pass);
    await page.locator('form.login button[type=submit]').click();
}

async function loggedIn(page, user) {
    await login(page, user);
    await page.waitForSelector('#nav a');
}

// A call to the API with the page's own session, as the page makes it.
async function apiAs(page, p) {
    return page.evaluate(async (url) => {
        const r = await fetch(url, { headers: { Authorization: `Bearer ${sessionStorage.getItem('yilian.token')}` } });
        return { status: r.status, body: await r.json() };
    }, p);
}

async function shot(page, name) {
    await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

const menu = (page) => page.locator('#nav a').evaluateAll((as) => as.map((a) => a.dataset.page));
const pct = (lang, v) => new Intl.NumberFormat(lang, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v / 100);

// --- the tests -------------------------------------------------------------------------

test('login refuses a wrong password, then lands on the overview', async (browser) => {
    const page = await newPage(browser);
    await login(page, 'admin', 'not-the-password');
    const alert = page.locator('[role=alert]');
    await alert.waitFor();
    check((await alert.textContent()).length > 0, 'a refusal is shown');
    check(!(await page.evaluate(() => sessionStorage.getItem('yilian.token'))), 'no token kept after a refusal');
    await shot(page, 'login');
    await loggedIn(page, 'admin');
    await page.waitForSelector('#headline');
    check(page.url().includes('#/overview'), `landed on ${page.url()}`);
    const pages = await menu(page);
    eq(pages.join(','), 'overview,drill,map,referrals,alerts,admin', 'the admin menu');
    return page;
});

test('the overview shows the numbers the API returns', async (browser) => {
    const page = await newPage(browser);
    await loggedIn(page, 'admin');
    await page.waitForSelector('#headline [data-indicator=record_coverage]');
    await page.waitForSelector('#trend svg');
    const year = new Date().getFullYear();
    const api = await apiAs(page, `/api/indicators?ou=222404&period=${year}`);
    eq(api.status, 200, 'indicators answer');
    for (const id of ['record_coverage', 'signing_rate', 'signing_rate_key', 'elderly_health_management']) {
        const v = api.body.values.find((x) => x.id === id);
        const card = page.locator(`#headline [data-indicator=${id}]`);
        eq(Number(await card.getAttribute('data-value')), v.value, `${id} value`);
        eq((await card.locator('.figure').textContent()).trim(), pct('zh-CN', v.value), `${id} as shown`);
        check((await card.textContent()).includes(new Intl.NumberFormat('zh-CN').format(v.numerator)), `${id} numerator shown`);
    }
    const cons = await apiAs(page, `/api/consortium/indicators?ou=222404&period=${year}`);
    const share = cons.body.grassroots_visit_share.value * 100;
    eq((await page.locator('#headline [data-indicator=grassroots_visit_share] .figure').textContent()).trim(),
        pct('zh-CN', share), 'grassroots visit share');
    const acc = await apiAs(page, '/api/access/indicators?ou=222404');
    const circle = acc.body.indicators.find((x) => x.code === 'primary_care_15min').value * 100;
    eq((await page.locator('#headline [data-indicator=primary_care_15min] .figure').textContent()).trim(),
        pct('zh-CN', circle), '15-minute coverage');
    await shot(page, 'overview');
    return page;
});

test('drill down from the county to a village, sort, export CSV', async (browser) => {
    const page = await newPage(browser);
    await loggedIn(page, 'admin');
    await page.goto(`${base}/#/drill?ind=signing_rate`);
    await page.waitForSelector('table.data tbody tr[data-ou]');
    const townships = await page.locator('table.data tbody tr[data-ou]').evaluateAll((rs) => rs.map((r) => r.dataset.ou));
    check(townships.length > 1 && townships.every((c) => c.length === 9), `township rows: ${townships}`);
    // Sorted by value, highest first.
    const values = await page.locator('table.data tbody tr td:nth-child(3)').allTextContents();
    const nums = values.map((s) => parseFloat(s));
    check(nums.every((v, i) => i === 0 || Number.isNaN(v) || v <= nums[i - 1] || Number.isNaN(nums[i - 1])), `sorted: ${values}`);
    // Sort by denominator with the keyboard.
    await page.locator('button.sort[data-key=denominator]').focus();
    await page.keyboard.press('Enter');
    eq(await page.locator('th:has(button[data-key=denominator])').getAttribute('aria-sort'), 'descending', 'aria-sort');
    await shot(page, 'drill-county');
    const township = townships[0];
    await page.locator(`table.data tbody tr[data-ou="${township}"]`).click();
    await page.waitForFunction((c) => location.hash.includes(`ou=${c}`), township);
    await page.waitForFunction(() => {
        const rows = [...document.querySelectorAll('table.data tbody tr[data-ou]')];
        return rows.length > 0 && rows.every((r) => r.dataset.ou.length === 12);
    });
    const villages = await page.locator('table.data tbody tr[data-ou]').evaluateAll((rs) => rs.map((r) => r.dataset.ou));
    check(villages.length > 0 && villages.every((c) => c.length === 12 && c.startsWith(township)), `village rows: ${villages}`);
    const api = await apiAs(page, `/api/indicators?ou=${township}&period=${new Date().getFullYear()}&level=children`);
    eq(villages.length, api.body.children.length, 'one row per village');
    check(await page.locator('.crumbs a').count() >= 1, 'a way back up');
    await page.waitForSelector('#bars svg');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export').click()]);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    const lines = csv.trim().split(/\r\n/);
    eq(lines.length, villages.length + 1, 'CSV rows');
    check(lines.slice(1).every((l) => /^\d{12},/.test(l)), 'CSV rows start with the village code');
    await shot(page, 'drill-village');
    // A village is the lowest level: no rows below it.
    await page.goto(`${base}/#/drill?ind=signing_rate&ou=${villages[0]}`);
    await page.waitForSelector('#unit-total');
    eq(await page.locator('table.data').count(), 0, 'no table below a village');
    eq(await page.locator('#export').count(), 0, 'nothing to export');
    return page;
});

test('the map shows the underserved villages', async (browser) => {
    const page = await newPage(browser);
    await loggedIn(page, 'analyst');
    await page.goto(`${base}/#/map`);
    await page.waitForSelector('#underserved-list li');
    const api = await apiAs(page, '/api/access/underserved?limit=1000');
    eq(api.status, 200, 'underserved answers');
    const first = api.body.villages[0];
    const items = await page.locator('#underserved-list li').allTextContents();
    check(items.some((s) => s.includes(first.name)), `${first.name} is listed`);
    eq(await page.locator('#map path.yl-underserved').count(), api.body.villages.length, 'one marker per underserved village');
    const allFacilities = await page.locator('#map path.yl-facility').count();
    check(allFacilities > 100, `facilities drawn: ${allFacilities}`);
    // Facilities by type: one type shown alone, then all again.
    await page.locator('#facility-type').selectOption('township_center');
    const townshipCentres = (await apiAs(page, '/api/facilities?type=township_center&limit=1000')).body.items.length;
    eq(await page.locator('#map path.yl-facility').count(), townshipCentres, 'only township centres drawn');
    await page.locator('#facility-type').selectOption('');
    eq(await page.locator('#map path.yl-facility').count(), allFacilities, 'all facilities again');
    check(await page.locator('#map .yl-proposal').count() > 0, 'proposals drawn');
    // The open alerts at their places, the first ten listed beside the map.
    const open = (await apiAs(page, '/api/alerts?state=open&limit=200')).body.items;
    const drawn = await page.locator('#map .yl-alert').count();
    check(open.length > 0 && drawn > 0 && drawn <= open.length, `alerts drawn: ${drawn} of ${open.length}`);
    eq(await page.locator('#alert-list li').count(), Math.min(10, open.length), 'open alerts listed');
    await shot(page, 'map');
    // Clicking a listed village opens its popup on the map.
    await page.locator('#underserved-list li button').first().click();
    await page.waitForSelector('.leaflet-popup-content');
    check((await page.locator('.leaflet-popup-content').textContent()).includes(first.name), 'popup names the village');
    await page.waitForTimeout(400);
    await shot(page, 'map-village');
    // Isochrones arrive when their layer is switched on.
    eq(await page.locator('#map path.yl-isochrone').count(), 0, 'no isochrones before asked');
    await page.locator('.leaflet-control-layers-overlays label').last().click();
    await page.waitForSelector('#map path.yl-isochrone');
    return page;
});

test('a family doctor records a service from the worklist and the row leaves the list', async (browser) => {
    const page = await newPage(browser);
    await loggedIn(page, 'doctor');
    const pages = await menu(page);
    check(pages.includes('worklist') && !pages.includes('admin') && !pages.includes('map'), `doctor menu: ${pages}`);
    await page.goto(`${base}/#/worklist?state=due`);
    await page.waitForSelector('#worklist-panel tbody tr[data-resident]');
    await shot(page, 'worklist');
    const row = page.locator('#worklist-panel tbody tr[data-resident]').first();
    const resident = await row.getAttribute('data-resident');
    const item = await row.getAttribute('data-item');
    const before = await page.locator('#tab-due').textContent();
    await row.locator('button[data-record]').click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    // Fill every required measurement with a value inside its range.
    for (const input of await dialog.locator('input[required]:not([type=date])').all()) {
        const type = await input.getAttribute('type');
        if (type === 'number') {
            const min = Number(await input.getAttribute('min') || 0), max = Number(await input.getAttribute('max') || 100);
            await input.fill(String(Math.round((min + max) / 2)));
        } else {
            await input.fill('LOT2026');
        }
    }
    await shot(page, 'worklist-record');
    await dialog.locator('button[type=submit]').click();
    await page.waitForSelector('.msg-ok');
    eq(await page.locator(`#worklist-panel tr[data-resident="${resident}"][data-item="${item}"]`).count(), 0, 'the row left the list');
    check((await page.locator('#tab-due').textContent()) !== before, 'the count changed');
    // The server agrees: the item is done for the resident.
    const plan = await apiAs(page, `/api/residents/${resident}/care-plan`);
    const entry = plan.body.items.find((x) => x.item === item);
    check(entry && entry.done_this_year >= 1 && entry.state !== 'due', `care plan after recording: ${JSON.stringify(entry)}`);
    // The resident's record opens from the list, unmasked for the doctor who cares for them.
    await page.goto(`${base}/#/resident/${resident}`);
    await page.waitForSelector('dl.facts');
    const facts = await page.locator('dl.facts').textContent();
    check(!facts.includes('****'), 'the family doctor sees the record unmasked');
    await shot(page, 'resident');
    return page;
});

test('an analyst cannot open a resident', async (browser) => {
    const page = await newPage(browser);
    await loggedIn(page, 'analyst');
    const pages = await menu(page);
    eq(pages.join(','), 'overview,drill,map,alerts', 'the analyst menu');
    await page.goto(`${base}/#/resident/1`);
    const alert = page.locator('main [role=alert]');
    await alert.waitFor();
    check((await alert.textContent()).includes('不能打开个人档案'), `refusal shown: ${await alert.textContent()}`);
    eq(await page.locator('dl.facts').count(), 0, 'no record shown');
    const direct = await apiAs(page, '/api/residents/1');
    eq(direct.status, 403, 'the API refuses too');
    await page.goto(`${base}/#/worklist`);
    await page.locator('main [role=alert]').waitFor();
    await shot(page, 'analyst-refused');
    return page;
});

test('a hospital accepts, completes and rejects referrals in its inbox', async (browser) => {
    const page = await newPage(browser);
    await loggedIn(page, 'hospital');
    const pages = await menu(page);
    check(pages.includes('referrals') && !pages.includes('admin'), `hospital menu: ${pages}`);
    await page.goto(`${base}/#/referrals?box=inbox&status=requested`);
    await page.waitForSelector('#ref-panel tbody tr[data-referral]');
    const api = await apiAs(page, '/api/referrals/inbox?facility=HOSP-001&status=requested&limit=100');
    const ids = await page.locator('#ref-panel tbody tr[data-referral]').evaluateAll((rs) => rs.map((r) => Number(r.dataset.referral)));
    eq(ids.length, api.body.items.length, 'one row per waiting request');
    const overdue = api.body.items.filter((x) => x.overdue).length;
    eq(await page.locator('#ref-panel tbody tr[data-overdue="1"]').count(), overdue, 'overdue flags as the API says');
    check(ids.length >= 3, `at least three waiting requests (${ids.length})`);
    await shot(page, 'referrals-inbox');
    // A patient referred: accepted, arrived, completed. A remote consultation (sent now by
    // the commission's admin for the same patient and township): accepted, then completed by
    // its report. Each read back from the server.
    const patient = ids.find((id) => api.body.items.find((x) => x.id === id).kind === 'referral');
    check(patient !== undefined, 'a referral waits');
    const p = api.body.items.find((x) => x.id === patient);
    const sent = await page.evaluate(async ({ p, pw }) => {
        const login = await (await fetch('/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ username: 'admin', password: pw }) })).json();
        const r = await fetch('/api/referrals', { method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${login.token}` },
            body: JSON.stringify({ kind: 'consultation', direction: 'up', resident_id: p.resident_id,
                from_facility: p.from_facility, to_facility: p.to_facility, reason: 'web test consultation' }) });
        return { status: r.status, body: await r.json() };
    }, { p, pw: password('admin') });
    eq(sent.status, 201, `the consultation is sent: ${JSON.stringify(sent.body)}`);
    const remote = sent.body.id;
    await page.reload();
    await page.waitForSelector(`tr[data-referral="${remote}"]`);
    ids.push(remote);
    for (const id of [patient, remote]) {
        await page.locator(`button[data-accept="${id}"]`).click();
        await page.waitForSelector(`tr[data-referral="${id}"][data-status=accepted]`);
    }
    await page.locator(`button[data-arrive="${patient}"]`).click();
    await page.waitForSelector(`tr[data-referral="${patient}"][data-status=arrived]`);
    await page.locator(`button[data-complete="${patient}"]`).click();
    await page.waitForSelector(`tr[data-referral="${patient}"][data-status=completed]`);
    await page.locator(`button[data-complete="${remote}"]`).click();
    const report = page.locator(`tr[data-referral="${remote}"] input`);
    await report.fill('右下肺炎，建议抗感染治疗');
    await report.press('Enter');
    await page.waitForSelector(`tr[data-referral="${remote}"][data-status=completed]`);
    eq((await apiAs(page, `/api/referrals/${patient}`)).body.status, 'completed', 'the patient completed');
    eq((await apiAs(page, `/api/referrals/${remote}`)).body.report, '右下肺炎，建议抗感染治疗', 'the report kept');
    const rejected = ids.find((id) => id !== patient && id !== remote);
    check(rejected !== undefined, 'a third request to reject');
    await page.locator(`button[data-reject="${rejected}"]`).click();
    const reason = page.locator(`tr[data-referral="${rejected}"] input`);
    await reason.fill('no bed free today');
    await reason.press('Enter');
    await page.waitForSelector(`tr[data-referral="${rejected}"][data-status=rejected]`);
    const after = await apiAs(page, `/api/referrals/${rejected}`);
    eq(after.body.status, 'rejected', 'the server holds the rejection');
    eq(after.body.reject_reason, 'no bed free today', 'with its reason');
    await page.locator('#tab-outbox').click();
    await page.waitForFunction(() => location.hash.includes('box=outbox'));
    await page.waitForSelector('#ref-panel table');
    await shot(page, 'referrals-outbox');
    return page;
});

test('the admin lists users, creates one, and searches the audit log', async (browser) => {
    const page = await newPage(browser);
    await loggedIn(page, 'admin');
    await page.goto(`${base}/#/admin`);
    await page.waitForSelector('#users tbody tr[data-user]');
    eq(await page.locator('#users tbody tr[data-user]').count(), USERS.length, 'the demo users');
    const form = page.locator('#new-user');
    await form.locator('[name=username]').fill('webtest');
    await form.locator('[name=role]').selectOption('analyst');
    await form.locator('[name=password]').fill('short');
    await form.locator('button[type=submit]').click();
    // The server refuses it and names the field; the form puts the cursor there.
    await page.locator('#users [role=alert]').waitFor();
    eq(await page.evaluate(() => document.activeElement.name), 'password', 'focus on the refused field');
    await form.locator('[name=password]').fill('webtest-password-1');
    await form.locator('button[type=submit]').click();
    await page.waitForSelector('#users tbody tr[data-user=webtest]');
    // Disable the new user, then give them another role and scope; a scope that does not fit
    // the role is refused.
    await page.locator('button[data-toggle=webtest]').click();
    await page.waitForSelector('#users tbody tr[data-user=webtest][data-disabled="1"]');
    const edit = page.locator('#edit-user-form');
    await edit.locator('[name=user]').selectOption('webtest');
    await edit.locator('[name=role]').selectOption('epidemiologist');
    await edit.locator('[name=scope]').fill('team:1');
    await edit.locator('button[type=submit]').click();
    await page.locator('#users [role=alert]').waitFor();
    await edit.locator('[name=scope]').fill('ou:222404');
    await edit.locator('button[type=submit]').click();
    await page.waitForFunction(() => document.querySelector('#users tr[data-user=webtest]')?.textContent.includes('ou:222404'));
    const users = (await apiAs(page, '/api/users?limit=100')).body.items;
    const made = users.find((u) => u.username === 'webtest');
    eq(made.role, 'epidemiologist', 'the role changed');
    eq(made.disabled, true, 'still disabled');
    await page.locator('#audit-search [name=user]').fill('admin');
    await page.locator('#audit-search button[type=submit]').click();
    await page.waitForFunction(() => {
        const rows = [...document.querySelectorAll('#audit-results tbody tr[data-seq]')];
        return rows.length > 0 && rows.every((r) => r.children[2].textContent === 'admin');
    });
    await shot(page, 'admin');
    return page;
});

test('an epidemiologist confirms the school outbreak, dismisses another alert, and a new one arrives live', async (browser) => {
    const page = await newPage(browser);
    await loggedIn(page, 'cdc');
    const pages = await menu(page);
    check(pages.includes('alerts'), `cdc menu: ${pages}`);
    await page.goto(`${base}/#/alerts?state=open`);
    await page.waitForSelector('#alert-board tbody tr[data-alert]');
    const open = await apiAs(page, '/api/alerts?state=open&limit=200');
    const ids = await page.locator('#alert-board tbody tr[data-alert]').evaluateAll((rs) => rs.map((r) => Number(r.dataset.alert)));
    eq(ids.length, open.body.items.length, 'one row per open alert');
    check(ids.length >= 1, 'the demo raised alerts');
    await shot(page, 'alerts-board');
    // The demo's injected school outbreak is on the board; its alert shows the disease's
    // series charted with the detector's bound, is verified and confirmed as an event (the
    // confirmation refused first without its responders and actions).
    const school = open.body.items.find((x) => x.rule === 'school-cluster');
    check(school !== undefined, 'the school outbreak is an open alert');
    await page.locator(`#alert-board a[href="#/alerts/${school.id}"]`).click();
    await page.waitForSelector(`#alert-detail[data-alert="${school.id}"][data-state=open]`);
    await page.waitForSelector('#alert-series .chart[data-points] svg');
    await shot(page, 'alerts-detail');
    await page.locator('#alert-verify').click();
    await page.waitForSelector(`#alert-detail[data-alert="${school.id}"][data-state=verifying]`);
    await page.locator('#alert-confirm button[type=submit]').click();
    await page.locator('#alert-actions [role=alert]').waitFor();
    await page.locator('#alert-responders').fill('county CDC team 2');
    await page.locator('#alert-done').fill('stool samples, class suspended, disinfection');
    await page.locator('#alert-confirm button[type=submit]').click();
    await page.waitForSelector(`#alert-detail[data-alert="${school.id}"][data-state=confirmed]`);
    const confirmed = await apiAs(page, `/api/alerts/${school.id}`);
    eq(confirmed.body.state, 'confirmed', 'the server holds the confirmation');
    eq(confirmed.body.responders, 'county CDC team 2', 'with its responders');
    // Another alert dismissed, with its reason (refused without one).
    const other = ids.find((x) => x !== school.id);
    check(other !== undefined, 'a second open alert');
    await page.goto(`${base}/#/alerts/${other}`);
    await page.waitForSelector(`#alert-detail[data-alert="${other}"][data-state=open]`);
    await page.locator('#alert-dismiss button[type=submit]').click();
    await page.locator('#alert-actions [role=alert]').waitFor();
    await page.locator('#alert-reason').fill('seasonal influenza, no cluster on verification');
    await page.locator('#alert-dismiss button[type=submit]').click();
    await page.waitForSelector(`#alert-detail[data-alert="${other}"][data-state=dismissed]`);
    const after = await apiAs(page, `/api/alerts/${other}`);
    eq(after.body.state, 'dismissed', 'the server holds the dismissal');
    eq(after.body.dismiss_reason, 'seasonal influenza, no cluster on verification', 'with its reason');
    // A cholera case reported now raises a red alert, which the open board shows live.
    await page.goto(`${base}/#/alerts?state=open`);
    await page.waitForSelector('#alert-board tbody tr[data-alert]');
    await page.waitForTimeout(500);
    const reported = await page.evaluate(async () => {
        const now = Date.now(), day = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 10);
        const body = { external_id: `web-test-${now}`, disease: 'cholera', classification: 'confirmed',
            onset_date: day(now - 86400e3), diagnosed_at: new Date(now - 2 * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z'),
            reported_at: new Date(now - 3600e3).toISOString().replace(/\.\d+Z$/, 'Z'), facility: 'HOSP-001',
            ou: '222404', age_years: 40, sex: 1 };
        const r = await fetch('/api/cases', { method: 'POST', body: JSON.stringify(body),
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sessionStorage.getItem('yilian.token')}` } });
        return { status: r.status, text: await r.text() };
    });
    eq(reported.status, 201, `the case is reported: ${reported.text}`);
    await page.waitForSelector('#alert-board tbody tr[data-level=red]', { timeout: 15000 });
    check((await page.locator('#alert-live').textContent()).length > 0, 'the new alert is announced');
    await shot(page, 'alerts-live');
    return page;
});

test('switch to English, remembered after a reload', async (browser) => {
    const page = await newPage(browser);
    await loggedIn(page, 'admin');
    await page.waitForSelector('#headline [data-indicator=record_coverage]');
    await page.locator('#lang').selectOption('en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await page.waitForSelector('#headline [data-indicator=record_coverage]');
    eq((await page.locator('#nav a[data-page=overview]').textContent()).trim(), 'Overview', 'menu in English');
    check((await page.locator('main h1').textContent()).startsWith('Regional health overview'), 'title in English');
    const v = Number(await page.locator('#headline [data-indicator=record_coverage]').getAttribute('data-value'));
    eq((await page.locator('#headline [data-indicator=record_coverage] .figure').textContent()).trim(), pct('en', v), 'number in English');
    check((await page.locator('#headline [data-indicator=record_coverage] h2').textContent()).includes('health record coverage'), 'indicator name in English');
    await page.reload();
    await page.waitForSelector('#nav a');
    eq((await page.locator('#nav a[data-page=drill]').textContent()).trim(), 'Drill-down', 'English kept after reload');
    await page.waitForSelector('#trend svg');
    await shot(page, 'overview-en');
    return page;
});

test('both dictionaries hold the same keys, and every key the code names', async (browser) => {
    const used = new Set();
    const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.js')) for (const m of fs.readFileSync(p, 'utf8').matchAll(/\bt\(\s*'([a-z_]+\.[a-z0-9_.]+)'/g)) used.add(m[1]);
    });
    walk(path.join(root, 'web/js'));
    for (const m of fs.readFileSync(path.join(root, 'web/index.html'), 'utf8').matchAll(/data-i18n(?:-aria)?="([^"]+)"/g)) used.add(m[1]);
    check(used.size > 100, `keys found in the code: ${used.size}`);
    const page = await newPage(browser);
    await page.goto(`${base}/#/login`);
    const [zh, en] = await page.evaluate(async () => {
        const m = await import('/js/i18n.js');
        return [m.dictionaryKeys('zh-CN'), m.dictionaryKeys('en')];
    });
    const onlyZh = zh.filter((k) => !en.includes(k)), onlyEn = en.filter((k) => !zh.includes(k));
    check(onlyZh.length === 0 && onlyEn.length === 0, `only in zh-CN: ${onlyZh}; only in en: ${onlyEn}`);
    const missing = [...used].filter((k) => !zh.includes(k));
    check(missing.length === 0, `used but in no dictionary: ${missing}`);
    return page;
});

test('keyboard only: log in, reach a page from the menu, focus is visible', async (browser) => {
    const page = await newPage(browser);
    await page.goto(`${base}/#/login`);
    await page.waitForSelector('input[name=username]:focus');
    await page.keyboard.type('analyst');
    await page.keyboard.press('Tab');
    await page.keyboard.type(password('analyst'));
    await page.keyboard.press('Enter');
    await page.waitForSelector('#headline');
    // Tab from the top of a freshly loaded page to the drill-down link of the menu.
    await page.reload();
    await page.waitForSelector('#headline');
    let found = false;
    for (let i = 0; i < 12 && !found; i++) {
        await page.keyboard.press('Tab');
        found = await page.evaluate(() => document.activeElement.dataset && document.activeElement.dataset.page === 'drill');
    }
    check(found, 'the menu is reachable by Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    check(outline !== 'none', `focus is visible (outline ${outline})`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('table.data tbody tr[data-ou]');
    eq(await page.evaluate(() => document.activeElement.id), 'main', 'focus moves to the new page');
    return page;
});

test('a session the server ended returns to the login page', async (browser) => {
    const page = await newPage(browser);
    await loggedIn(page, 'admin');
    await page.waitForSelector('#headline');
    await page.evaluate(async () => {
        await fetch('/api/logout', { method: 'POST', headers: { Authorization: `Bearer ${sessionStorage.getItem('yilian.token')}` } });
    });
    await page.locator('#nav a[data-page=drill]').click();
    await page.waitForSelector('form.login');
    check(page.url().includes('expired=1'), `back at login: ${page.url()}`);
    check(!(await page.evaluate(() => sessionStorage.getItem('yilian.token'))), 'token dropped');
    // Past the token's lifetime (expires_at of the login) the page ends the session itself.
    await loggedIn(page, 'admin');
    await page.waitForSelector('#headline');
    await page.evaluate(() => sessionStorage.setItem('yilian.expires_at', '2000-01-01T00:00:00Z'));
    await page.locator('#nav a[data-page=drill]').click();
    await page.waitForSelector('form.login');
    check(page.url().includes('expired=1'), `back at login after the lifetime: ${page.url()}`);
    return page;
});

// WCAG 2.1 contrast of every visible piece of text against the background it sits on
// (the nearest ancestor with one): 4.5:1, or 3:1 for large text. Chart and map internals
// (svg, Leaflet panes) are left out: their colours are data, not text.
async function lowContrast(page) {
    return page.evaluate(() => {
        const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
        const lum = ([r, g, b]) => {
            const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
        };
        const background = (el) => {
            for (let e = el; e; e = e.parentElement) {
                const c = rgb(getComputedStyle(e).backgroundColor);
                if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
            }
            return [255, 255, 255];
        };
        const bad = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const el = n.parentElement;
            if (!n.textContent.trim() || !el || el.closest('svg, .leaflet-pane, .leaflet-control-attribution, [hidden]')) continue;
            const st = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            if (st.visibility === 'hidden' || st.display === 'none' || box.width === 0 || box.height === 0) continue;
            const fg = rgb(st.color).slice(0, 3), bg = background(el);
            const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
            const ratio = (hi + 0.05) / (lo + 0.05);
            const size = parseFloat(st.fontSize), bold = Number(st.fontWeight) >= 700;
            const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
            if (ratio < need) bad.push(`"${n.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}:1`);
        }
        return bad;
    });
}

test('text is readable: contrast of every page at least WCAG AA', async (browser) => {
    const page = await newPage(browser);
    const wait = { overview: '#headline', drill: '#unit-total', map: '#underserved-list li',
        alerts: '#alert-board tbody tr', admin: '#audit-results tbody tr', worklist: '#worklist-panel tbody tr',
        referrals: '#ref-panel table' };
    for (const [user, routes] of [['admin', ['overview', 'drill', 'map', 'alerts', 'admin']], ['doctor', ['worklist', 'referrals']]]) {
        await loggedIn(page, user);
        for (const route of routes) {
            await page.goto(`${base}/#/${route}`);
            await page.waitForSelector(wait[route]);
            const bad = await lowContrast(page);
            check(bad.length === 0, `${route}: ${bad.length} pieces of text below AA: ${bad.slice(0, 5).join('; ')}`);
        }
        await page.locator('#logout').click();
        await page.waitForSelector('form.login');
    }
    const bad = await lowContrast(page);
    check(bad.length === 0, `login: ${bad.slice(0, 5).join('; ')}`);
    return page;
});

test('phone width: no horizontal scrolling', async (browser) => {
    const page = await newPage(browser, { width: 375, height: 740 });
    const wait = { overview: '#headline', drill: '#unit-total', worklist: '#worklist-panel tbody tr',
        referrals: '#ref-panel table', map: '#underserved-list li', admin: '#audit-results tbody tr',
        alerts: '#alert-board tbody tr' };
    for (const [user, routes] of [['doctor', ['overview', 'drill', 'worklist', 'referrals']], ['admin', ['map', 'admin']],
        ['cdc', ['alerts']]]) {
        await loggedIn(page, user);
        for (const route of routes) {
            await page.goto(`${base}/#/${route}`);
            await page.waitForSelector(wait[route]);
            const [sw, cw] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
            check(sw <= cw, `${route}: page is ${sw}px wide in a ${cw}px screen`);
            await shot(page, `phone-${route}`);
        }
        await page.locator('#logout').click();
        await page.waitForSelector('form.login');
    }
    return page;
});

// --- the run ---------------------------------------------------------------------------

async function main() {
    const chosen = tests.filter((x) => x.name.includes(filter));
    if (!fs.existsSync(chromiumPath)) {
        if (process.env.CI === 'true') {
            console.log(`FAIL browser tests: ${chromiumPath} is missing (scripts/deps.sh installs chromium)`);
            finish(0, chosen.length);
        } else {
            console.log(`skip browser tests: ${chromiumPath} is missing (scripts/deps.sh installs chromium)`);
            finish(0, 0, chosen.length);
        }
        return;
    }
    let chromium;
    try {
        ({ chromium } = await import('playwright-core'));
    } catch (e) {
        console.log(`FAIL browser tests: playwright-core is missing (make web runs npm ci): ${e.message}`);
        finish(0, chosen.length);
        return;
    }
    fs.mkdirSync(artifacts, { recursive: true });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yilian-web-'));
    let server = null, browser = null, passed = 0, failed = 0;
    try {
        const t0 = Date.now();
        server = await startServer(dir);
        base = server.base;
        console.log(`server ${base} on a demo of ${residents} residents, ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        browser = await chromium.launch({
            executablePath: chromiumPath, headless: true,
            args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
        });
        for (const { name, fn } of chosen) {
            const t1 = Date.now();
            let page = null;
            lastPage = null;
            try {
                page = await fn(browser);
                if (page && page.errors.length) throw new Check(`errors in the page: ${page.errors.join(' | ')}`);
                passed++;
                console.log(`ok   ${name} (${((Date.now() - t1) / 1000).toFixed(1)} s)`);
            } catch (e) {
                failed++;
                console.log(`FAIL ${name}\n    ${e instanceof Check ? e.message : e.stack || e}`);
                if (lastPage) await shot(lastPage, `failed-${name.replace(/\W+/g, '-').slice(0, 40)}`).catch(() => {});
            } finally {
                if (lastPage) await lastPage.context().close().catch(() => {});
            }
        }
    } catch (e) {
        console.log(`FAIL browser tests could not start: ${e.message}`);
        failed = chosen.length - passed;
    } finally {
        if (browser) await browser.close().catch(() => {});
        if (server) {
            const exited = new Promise((resolve) => { server.proc.on('exit', resolve); setTimeout(resolve, 10000); });
            server.proc.kill('SIGTERM');
            await exited;
        }
        fs.rmSync(dir, { recursive: true, force: true });
    }
    finish(passed, failed);
}

main();
