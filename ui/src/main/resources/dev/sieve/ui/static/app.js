// The quarantine view. Polls the JSON API every two seconds and updates the page in place, so an
// open action dialog or a half-typed reason survives the refresh. Every value from the server is
// put in the DOM as text (textContent, attributes), never parsed as HTML. Every API call, reads
// and thumbnails included, carries the token from the field at the top; without one the page asks
// for it and loads nothing.
'use strict';

const POLL_MS = 2000;
const TOKEN_KEY = 'sieve-ui-token';
const SVG_NS = 'http://www.w3.org/2000/svg';

const $ = (id) => document.getElementById(id);
const cards = new Map(); // sample id -> <article>
let classNames = [];
let pending = null; // {id, action} while the dialog is open
let timer = null;
let generation = 0; // the newest refresh; an older one that answers late is dropped
let tokenTimer = null;

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function className(label) {
  return label >= 0 && label < classNames.length ? label + ' ' + classNames[label] : 'class ' + label;
}

function token() {
  return $('token').value.trim();
}

function filterQuery() {
  const q = new URLSearchParams();
  const cls = $('filter-class').value;
  if (cls !== '') q.set('class', cls);
  const from = $('filter-from').value;
  if (from) q.set('from', String(new Date(from).getTime()));
  const to = $('filter-to').value;
  if (to) q.set('to', String(new Date(to).getTime()));
  q.set('limit', $('filter-limit').value);
  return q.toString();
}

function authorization() {
  return {'Authorization': 'Bearer ' + token()};
}

async function getJson(path) {
  const r = await fetch(path, {cache: 'no-store', headers: authorization()});
  const body = await r.json().catch(() => ({}));
  if (!r.ok) {
    const e = new Error(body.error || (path + ': HTTP ' + r.status));
    e.status = r.status;
    throw e;
  }
  return body;
}

// An <img src> cannot send the token, so the thumbnail is fetched with it and shown from memory.
// A failed one is tried again at the next refresh (see updateCard).
async function loadThumbnail(img, id) {
  img.dataset.thumb = 'loading';
  try {
    const r = await fetch('api/samples/' + encodeURIComponent(id) + '/thumbnail.png', {headers: authorization()});
    if (!r.ok) throw new Error('HTTP ' + r.status);
    const url = URL.createObjectURL(await r.blob());
    img.addEventListener('load', () => URL.revokeObjectURL(url), {once: true});
    img.src = url;
    img.dataset.thumb = 'loaded';
  } catch (e) {
    delete img.dataset.thumb;
  }
}

function statusText(a) {
  const at = new Date(a.at).toLocaleString();
  if (a.action === 'RELEASE') return 'released by ' + a.who + ' at ' + at + ': ' + a.why;
  if (a.action === 'RELABEL') return 'relabelled to ' + className(a.newLabel) + ' by ' + a.who + ' at ' + at + ': ' + a.why;
  return 'confirmed poisoned by ' + a.who + ' at ' + at + ': ' + a.why;
}

function newCard(s) {
  const card = el('article', 'sample');
  card.dataset.id = s.id;
  card.dataset.label = String(s.label);
  const img = el('img', 'thumb');
  img.alt = 'sample ' + s.id;
  img.width = 84;
  img.height = 84;
  const meta = el('div', 'meta');
  meta.append(
    el('div', 'title', className(s.label)),
    el('div', 'facts', 'entropy ' + s.entropy.toExponential(2) + ' · score ' + s.score.toFixed(3)
      + ' (threshold ' + s.threshold.toFixed(3) + ')'),
    el('div', 'facts', s.victimModelId + ' v' + s.victimVersion + ' · ' + new Date(s.scoredAt).toLocaleString()),
    el('p', 'reason', s.reason),
    el('div', 'id', s.id + ' · ' + s.origin + ' · ' + s.source),
    el('p', 'status', ''));
  const buttons = el('div', 'buttons');
  for (const [action, label] of [['release', 'Release'], ['confirm', 'Confirm'], ['relabel', 'Relabel']]) {
    const b = el('button', action, label);
    b.type = 'button';
    b.addEventListener('click', () => openDialog(s, action));
    buttons.append(b);
  }
  meta.append(buttons);
  card.append(img, meta);
  return card;
}

function updateCard(card, s) {
  const img = card.querySelector('img.thumb');
  if (!img.dataset.thumb) loadThumbnail(img, s.id);
  const state = s.action ? s.action.action : '';
  if (card.dataset.state !== state) {
    card.dataset.state = state;
    card.querySelector('.status').textContent = s.action ? statusText(s.action) : '';
  }
  const final = state === 'RELEASE' || state === 'RELABEL';
  card.querySelector('button.release').disabled = final;
  card.querySelector('button.relabel').disabled = final;
  card.querySelector('button.confirm').disabled = final || state === 'CONFIRM';
}

function renderSamples(page) {
  const container = $('samples');
  const keep = new Set(page.samples.map((s) => s.id));
  for (const [id, card] of cards) {
    if (!keep.has(id)) {
      card.remove();
      cards.delete(id);
    }
  }
  let previous = null;
  for (const s of page.samples) {
    let card = cards.get(s.id);
    if (!card) {
      card = newCard(s);
      cards.set(s.id, card);
    }
    updateCard(card, s);
    // Move only what is out of place: moving a node is cheap, but needless moves make the grid flicker.
    const expectedNext = previous ? previous.nextSibling : container.firstChild;
    if (expectedNext !== card) {
      container.insertBefore(card, expectedNext);
    }
    previous = card;
  }
  $('matched').textContent = page.samples.length + ' shown of ' + page.matched + ' matching';
  $('empty').hidden = page.samples.length > 0;
}

function renderRates(classes) {
  const svg = $('rates-chart');
  while (svg.firstChild) svg.firstChild.remove();
  const width = 640, height = 180, left = 40, bottom = 30, top = 16;
  const plotHeight = height - bottom - top;
  const maxRate = Math.max(0.05, ...classes.map((c) => c.rate));
  const scaleTop = Math.min(1, Math.ceil(maxRate * 1.1 * 20) / 20);
  const slot = (width - left - 10) / Math.max(1, classes.length);
  const selected = $('filter-class').value;
  const add = (tag, attrs, text) => {
    const e = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  add('line', {class: 'axis', x1: left, y1: top + plotHeight, x2: width - 5, y2: top + plotHeight});
  add('line', {class: 'axis', x1: left, y1: top, x2: left, y2: top + plotHeight});
  add('text', {x: left - 4, y: top + 4, 'text-anchor': 'end'}, Math.round(scaleTop * 100) + '%');
  add('text', {x: left - 4, y: top + plotHeight, 'text-anchor': 'end'}, '0%');
  classes.forEach((c, i) => {
    const h = Math.max(c.quarantined > 0 ? 1 : 0, plotHeight * c.rate / scaleTop);
    const x = left + i * slot + slot * 0.15;
    const bar = add('rect', {
      class: 'bar' + (String(c.classLabel) === selected ? ' selected' : ''),
      'data-class': c.classLabel, x, y: top + plotHeight - h, width: slot * 0.7, height: h});
    const title = document.createElementNS(SVG_NS, 'title');
    title.textContent = className(c.classLabel) + ': ' + (c.rate * 100).toFixed(1) + '% quarantined ('
      + c.quarantined + ' quarantined, ' + c.credible + ' credible, ' + c.released + ' released by people)';
    bar.append(title);
    add('text', {x: x + slot * 0.35, y: top + plotHeight - h - 3, 'text-anchor': 'middle'},
      (c.rate * 100).toFixed(1) + '%');
    add('text', {x: x + slot * 0.35, y: height - 12, 'text-anchor': 'middle'}, String(c.classLabel));
  });
}

// What the page shows while it has no token, or a refused one: nothing from the server.
function clearData(message) {
  for (const card of cards.values()) card.remove();
  cards.clear();
  const svg = $('rates-chart');
  while (svg.firstChild) svg.firstChild.remove();
  $('matched').textContent = '';
  $('empty').hidden = true;
  $('status').textContent = message;
  $('status').className = 'error';
}

function renderStatus(status) {
  const s = $('status');
  if (status.followerError) {
    s.textContent = 'stopped reading Kafka: ' + status.followerError;
    s.className = 'error';
    return;
  }
  s.className = '';
  s.textContent = (status.caughtUp ? 'live' : 'catching up…') + ' · ' + status.indexed + ' quarantined samples held (of at most '
    + status.capacity + ') · ' + status.topics.quarantine;
}

function fillClassSelects() {
  const filter = $('filter-class');
  const relabel = $('action-label');
  if (filter.options.length > 1) return;
  classNames.forEach((name, i) => {
    filter.append(new Option(i + ' ' + name, String(i)));
    relabel.append(new Option(i + ' ' + name, String(i)));
  });
}

async function refresh() {
  clearTimeout(timer);
  const mine = ++generation;
  if (!token()) {
    // Nothing to poll: typing a token starts the refresh again.
    clearData('Enter the access token at the top of the page to see the quarantine.');
    return;
  }
  try {
    const [status, page, rates] = await Promise.all([
      getJson('api/status'), getJson('api/quarantine?' + filterQuery()), getJson('api/rates')]);
    if (mine !== generation) return;
    classNames = status.classNames;
    fillClassSelects();
    renderStatus(status);
    renderSamples(page);
    renderRates(rates.classes);
  } catch (e) {
    if (mine !== generation) return;
    if (e.status === 401) {
      clearData('The token was refused; enter the right one at the top of the page.');
    } else {
      $('status').textContent = 'cannot reach the view: ' + e.message;
      $('status').className = 'error';
    }
  } finally {
    if (mine === generation) timer = setTimeout(refresh, POLL_MS);
  }
}

const EXPLAIN = {
  release: 'The sample goes to the credible topic with its claimed label; the Beneficiary trains on it.',
  confirm: 'The sample stays quarantined, marked as poisoned.',
  relabel: 'The sample goes to the credible topic with the new label.',
};

function openDialog(s, action) {
  pending = {id: s.id, action};
  $('action-title').textContent = action.charAt(0).toUpperCase() + action.slice(1) + ' sample';
  $('action-sample').textContent = s.id + ' — claimed ' + className(s.label);
  $('action-explain').textContent = EXPLAIN[action];
  $('action-label-row').hidden = action !== 'relabel';
  $('action-error').textContent = '';
  $('action-reason').value = '';
  $('action-submit').textContent = action.charAt(0).toUpperCase() + action.slice(1);
  $('action-dialog').showModal();
  $('action-reason').focus();
}

async function submitAction(event) {
  event.preventDefault();
  if (!pending) return;
  const error = $('action-error');
  if (!token()) {
    error.textContent = 'Enter the access token at the top of the page first.';
    return;
  }
  const body = {reason: $('action-reason').value};
  if (pending.action === 'relabel') body.label = Number($('action-label').value);
  $('action-submit').disabled = true;
  try {
    const r = await fetch('api/samples/' + encodeURIComponent(pending.id) + '/' + pending.action, {
      method: 'POST',
      headers: {'Content-Type': 'application/json', ...authorization()},
      body: JSON.stringify(body),
    });
    const answer = await r.json().catch(() => ({}));
    if (!r.ok) {
      error.textContent = r.status === 401 ? 'The token was refused.' : (answer.error || 'HTTP ' + r.status);
      return;
    }
    pending = null;
    $('action-dialog').close();
    refresh();
  } catch (e) {
    error.textContent = 'cannot reach the view: ' + e.message;
  } finally {
    $('action-submit').disabled = false;
  }
}

function init() {
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) $('token').value = saved;
  $('token').addEventListener('input', () => {
    sessionStorage.setItem(TOKEN_KEY, token());
    // Once typing pauses, not at every key.
    clearTimeout(tokenTimer);
    tokenTimer = setTimeout(refresh, 300);
  });
  for (const id of ['filter-class', 'filter-from', 'filter-to', 'filter-limit']) {
    $(id).addEventListener('change', refresh);
  }
  $('filter-clear').addEventListener('click', () => {
    $('filter-class').value = '';
    $('filter-from').value = '';
    $('filter-to').value = '';
    refresh();
  });
  $('action-form').addEventListener('submit', submitAction);
  $('action-cancel').addEventListener('click', () => {
    pending = null;
    $('action-dialog').close();
  });
  refresh();
}

document.addEventListener('DOMContentLoaded', init);
