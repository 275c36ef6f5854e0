/* The inspection tablet page: works in a kitchen without signal.
 *
 * Every inspection is kept in this device's IndexedDB under a UUID made here when it is started, and
 * sent to POST /api/inspections/sync whole whenever the network is there. The server upserts by that UUID
 * (and by each reading's, action's and photo's own), so a sync that is repeated, or sent from two tabs,
 * stores one inspection. Nothing is removed from the device until the server has it. A session or CSRF
 * token that expired while offline is answered 401/403: the data stays here and the page asks for a new
 * login, after which the same page sends it.
 *
 * No framework and no build step: the page must keep working from the service worker's cache, and the
 * city's tablets get updates by a page reload. Texts come from the server (translated with gettext).
 */
(() => {
  "use strict";

  const data = JSON.parse(document.getElementById("field-data").textContent);
  const urls = JSON.parse(document.getElementById("field-urls").textContent);
  const T = JSON.parse(document.getElementById("field-strings").textContent);
  let csrf = document.querySelector("meta[name=csrf-token]").content;

  const items = data.template.items;
  const facilities = new Map(data.facilities.map((f) => [f.id, f]));
  const instruments = new Map(data.instruments.map((i) => [i.id, i]));
  const surfaceLabels = Object.fromEntries(data.surfaces);

  // Storage -----------------------------------------------------------------------------------------
  const dbReady = new Promise((resolve, reject) => {
    const req = indexedDB.open("dolbom-inspections", 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains("docs")) db.createObjectStore("docs", { keyPath: "client_id" });
      if (!db.objectStoreNames.contains("photos")) db.createObjectStore("photos", { keyPath: "client_id" });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });

  async function store(name, mode, work) {
    const db = await dbReady;
    return new Promise((resolve, reject) => {
      const t = db.transaction(name, mode);
      const request = work(t.objectStore(name));
      t.oncomplete = () => resolve(request ? request.result : undefined);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  }
  const putRow = (name, value) => store(name, "readwrite", (s) => s.put(value));
  const allRows = (name) => store(name, "readonly", (s) => s.getAll());
  const deleteRow = (name, key) => store(name, "readwrite", (s) => s.delete(key));

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // State -------------------------------------------------------------------------------------------
  const docs = new Map();
  const photoCounts = new Map(); // "<inspection>|<item or action>" -> count
  let current = null;
  let retestOf = null;
  let syncing = false;
  let loginNeeded = false;
  let syncTimer = null;

  function localDate(offsetDays = 0) {
    const d = new Date();
    d.setDate(d.getDate() + offsetDays);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  }

  function newDoc(facilityId, plannedId, visitId) {
    return {
      client_id: uuid(), facility_id: facilityId, template_id: data.template.id, planned_id: plannedId || null,
      visit_id: visitId || null, visited_on: localDate(), started_at: new Date().toISOString(), answers: {},
      readings: [], actions: [], coaching: { client_id: uuid(), topics: [], materials: [], attendees: 0, note: "" },
      note: "", submit: false, _state: "pending", _rev: 1, _error: "", _server: null, _updated: Date.now(),
    };
  }

  function touch(doc) {
    doc._rev += 1;
    doc._updated = Date.now();
    if (doc._state !== "closed") doc._state = "pending";
    // Written at once, not debounced: a tablet put away right after a tap must not lose that tap.
    putRow("docs", doc).catch(() => showMessage(T.no_storage));
    clearTimeout(syncTimer);
    syncTimer = setTimeout(syncAll, 4000);
  }

  // Rules shown at once on the tablet (the server's result is the one that counts) --------------------
  function limitsFor(instrumentId, surface) {
    const ins = instruments.get(Number(instrumentId));
    if (!ins) return null;
    return ins.limits[surface] || ins.limits[""] || null;
  }

  function atpResult(rlu, limits) {
    if (!limits) return "";
    if (rlu <= limits[0]) return "pass";
    return rlu <= limits[1] ? "caution" : "fail";
  }

  function measuredMet(item, value) {
    if (value === "" || value == null || Number.isNaN(Number(value))) return null;
    const v = Number(value);
    const limit = Number(item.limit_value);
    return item.limit_op === "le" ? v <= limit : v >= limit;
  }

  function itemMet(item, a) {
    if (!a || !a.answer) return null;
    if (a.answer === "na") return "na";
    if (item.answer_kind === "measured") return measuredMet(item, a.value);
    return a.answer === "yes";
  }

  function failedItems(doc) {
    return items.filter((i) => itemMet(i, doc.answers[i.code]) === false);
  }

  function unresolvedFails(doc) {
    const retested = new Set(doc.readings.map((r) => r.retest_of).filter(Boolean));
    return doc.readings.filter((r) => resultOf(doc, r) === "fail" && !retested.has(r.client_id));
  }

  function resultOf(doc, r) {
    const server = doc._server && doc._server.readings ? doc._server.readings[r.client_id] : "";
    return server || atpResult(Number(r.rlu), limitsFor(r.instrument_id, r.surface));
  }

  // Sync --------------------------------------------------------------------------------------------
  function payload(doc) {
    const answers = [];
    for (const item of items) {
      const a = doc.answers[item.code];
      if (!a || !a.answer) continue;
      if (item.answer_kind === "measured" && a.answer !== "na" && (a.value === "" || a.value == null)) continue;
      answers.push({ item: item.code, answer: a.answer, value: a.answer === "value" ? String(a.value) : null,
        note: a.note || "" });
    }
    const coaching = doc.coaching.topics.length || doc.coaching.materials.length ? doc.coaching : null;
    return {
      client_id: doc.client_id, facility_id: doc.facility_id, template_id: doc.template_id, visited_on: doc.visited_on,
      started_at: doc.started_at, planned_id: doc.planned_id, visit_id: doc.visit_id, answers,
      readings: doc.readings.map((r) => ({ client_id: r.client_id, surface: r.surface, instrument_id: Number(r.instrument_id),
        rlu: Number(r.rlu), measured_at: r.measured_at, after_cleaning: r.after_cleaning, retest_of: r.retest_of || null,
        note: r.note || "" })),
      actions: doc.actions.map((a) => ({ client_id: a.client_id, description: a.description, owner: a.owner,
        due_on: a.due_on, item: a.item || null, reading: a.reading || null })),
      coaching, note: doc.note, submit: doc.submit,
    };
  }

  async function send(url, init) {
    const res = await fetch(url, { credentials: "same-origin", ...init });
    let body = {};
    try { body = await res.json(); } catch (e) { body = {}; }
    return { status: res.status, body };
  }

  async function refreshToken() {
    try {
      const r = await send(urls.token, { headers: { Accept: "application/json" } });
      if (r.status === 200 && r.body.csrf) { csrf = r.body.csrf; return true; }
    } catch (e) { /* offline again */ }
    return false;
  }

  function expired(r) {
    return r.status === 401 || (r.status === 403 && r.body.code === "csrf_failed");
  }

  async function authed(url, makeInit) {
    let r = await send(url, makeInit());
    if (r.status === 403 && r.body.code === "csrf_failed" && await refreshToken()) r = await send(url, makeInit());
    return r;
  }

  async function syncDoc(doc) {
    const sentRev = doc._rev;
    const body = JSON.stringify(payload(doc));
    let r;
    try {
      r = await authed(urls.sync, () => ({ method: "POST", body,
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf } }));
    } catch (e) {
      return "offline";
    }
    if (expired(r)) { loginNeeded = true; return "stop"; }
    if (r.status === 200 || r.status === 201) {
      doc._server = r.body;
      doc._error = (r.body.problems || []).join(" ");
      if (doc._rev === sentRev) doc._state = r.body.status === "closed" ? "closed" : "synced";
      await putRow("docs", doc);
      return "ok";
    }
    doc._state = "error";
    doc._error = r.body.message || T.sync_failed;
    doc.submit = false;
    await putRow("docs", doc);
    return "error";
  }

  async function uploadPhotos() {
    for (const p of await allRows("photos")) {
      if (p.uploaded) continue;
      const doc = docs.get(p.inspection);
      if (!doc || !doc._server || doc._state === "pending" || doc._state === "error") continue;
      const form = () => {
        const f = new FormData();
        f.append("client_id", p.client_id);
        f.append("inspection", p.inspection);
        if (p.item) f.append("item", p.item);
        if (p.action) f.append("action", p.action);
        f.append("file", p.blob, "photo.jpg");
        return f;
      };
      let r;
      try {
        r = await authed(urls.photo, () => ({ method: "POST", body: form(),
          headers: { Accept: "application/json", "X-CSRFToken": csrf } }));
      } catch (e) {
        return;
      }
      if (expired(r)) { loginNeeded = true; return; }
      if (r.status === 200 || r.status === 201) {
        p.uploaded = true;
        p.blob = null; // the server has it; free the tablet's space
        p.error = "";
      } else {
        p.error = r.body.message || T.sync_failed;
      }
      await putRow("photos", p);
    }
  }

  async function syncAll() {
    if (syncing || loginNeeded) { render(); return; }
    syncing = true;
    render();
    try {
      for (const doc of [...docs.values()]) {
        if (doc._state !== "pending") continue;
        const outcome = await syncDoc(doc);
        if (outcome === "stop" || outcome === "offline") break;
      }
      if (!loginNeeded) await uploadPhotos();
    } finally {
      syncing = false;
      render();
    }
  }

  // Rendering helpers -----------------------------------------------------------------------------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "class") el.className = v;
      else if (k === "value") el.value = v;
      else if (k === "checked") el.checked = Boolean(v);
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c == null || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  const stateText = (doc) => ({ pending: T.state_pending, synced: T.state_synced, closed: T.state_closed,
    error: T.state_error })[doc._state] || doc._state;

  function renderStatus() {
    const net = document.getElementById("net-status");
    net.textContent = navigator.onLine ? T.online : T.offline;
    net.className = `net ${navigator.onLine ? "online" : "offline"}`;
    const pending = [...docs.values()].filter((d) => d._state === "pending").length;
    document.getElementById("pending-count").textContent = syncing ? T.syncing : `${T.pending_count} ${pending}`;
    document.getElementById("login-banner").classList.toggle("hidden", !loginNeeded);
  }

  function renderHome() {
    const list = document.getElementById("local-list");
    list.replaceChildren();
    const rows = [...docs.values()].sort((a, b) => b._updated - a._updated);
    if (!rows.length) list.append(h("p", { class: "muted" }, T.no_local));
    for (const doc of rows) {
      const f = facilities.get(doc.facility_id);
      list.append(h("div", { class: "local", "data-testid": "local-inspection", "data-client-id": doc.client_id },
        h("div", {}, h("strong", {}, f ? f.name : `#${doc.facility_id}`), " ", h("span", { class: "muted small" }, doc.visited_on),
          h("div", { class: `small state-${doc._state}`, "data-testid": "local-state" }, stateText(doc),
            doc._server && doc._server.score != null ? ` · ${T.score} ${doc._server.score}` : "",
            doc._error ? ` · ${doc._error}` : "")),
        h("div", { class: "row" },
          h("button", { type: "button", class: "secondary", onclick: () => openDoc(doc.client_id) },
            doc._state === "closed" ? T.view : T.open),
          doc._server ? null : h("button", { type: "button", class: "secondary", onclick: () => removeDoc(doc) }, T.delete))));
    }
  }

  async function removeDoc(doc) {
    if (!window.confirm(T.confirm_delete)) return;
    docs.delete(doc.client_id);
    await deleteRow("docs", doc.client_id);
    for (const p of await allRows("photos")) if (p.inspection === doc.client_id) await deleteRow("photos", p.client_id);
    render();
  }

  function photoButton(doc, key, extra) {
    const count = photoCounts.get(`${doc.client_id}|${key}`) || 0;
    return h("label", { class: "button secondary file-button" }, T.photo,
      h("input", { type: "file", accept: "image/*", capture: "environment",
        onchange: (e) => addPhoto(doc, e.target.files[0], extra, key) }),
      count ? h("span", { class: "photo-count", "data-testid": "photo-count" }, ` ${count}`) : null);
  }

  async function shrink(file) {
    // Kitchen photos are evidence, not art: 1600 px JPEG keeps a label readable at a few hundred KB.
    try {
      const bitmap = await createImageBitmap(file);
      const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return await new Promise((resolve) => canvas.toBlob((b) => resolve(b || file), "image/jpeg", 0.85));
    } catch (e) {
      return file;
    }
  }

  async function addPhoto(doc, file, extra, key) {
    if (!file) return;
    const blob = await shrink(file);
    await putRow("photos", { client_id: uuid(), inspection: doc.client_id, item: extra.item || "",
      action: extra.action || "", blob, uploaded: false, taken_at: new Date().toISOString() });
    photoCounts.set(`${doc.client_id}|${key}`, (photoCounts.get(`${doc.client_id}|${key}`) || 0) + 1);
    touch(doc);
    renderEditor();
  }

  function renderItem(doc, item) {
    const a = doc.answers[item.code] || { answer: "", value: "", note: "" };
    const setAnswer = (patch) => { doc.answers[item.code] = { ...a, ...patch }; touch(doc); renderEditor(); };
    const met = itemMet(item, a);
    const head = h("div", { class: "q" }, `${item.number}. ${item.text} `,
      h("span", { class: `badge ${item.severity}` }, item.severity_label),
      item.limit_display ? h("span", { class: "muted" }, ` (${item.limit_display})`) : null);
    let control;
    if (item.answer_kind === "measured") {
      control = h("div", { class: "measured" },
        h("input", { type: "number", step: "0.1", inputmode: "decimal", value: a.answer === "value" ? a.value : "",
          "data-testid": `value-${item.code}`, "aria-label": item.text, disabled: a.answer === "na",
          onchange: (e) => setAnswer({ answer: e.target.value === "" ? "" : "value", value: e.target.value }) }),
        h("span", {}, item.unit),
        met === true ? h("span", { class: "verdict ok" }, T.met) : met === false ? h("span", { class: "verdict bad" }, T.not_met) : null,
        item.na_allowed ? h("label", { class: "row" }, h("input", { type: "checkbox", checked: a.answer === "na",
          "data-testid": `na-${item.code}`,
          onchange: (e) => setAnswer({ answer: e.target.checked ? "na" : "", value: "" }) }), T.na) : null);
    } else {
      const choice = (value, label) => h("label", { class: a.answer === value ? `on-${value}` : "" },
        h("input", { type: "radio", name: `ans-${item.code}`, value, checked: a.answer === value,
          "data-testid": `ans-${item.code}-${value}`, onchange: () => setAnswer({ answer: value }) }), label);
      control = h("div", { class: "choices" }, choice("yes", T.yes), choice("no", T.no),
        item.na_allowed ? choice("na", T.na) : null);
    }
    return h("div", { class: "item", "data-testid": `item-${item.code}` }, head,
      h("div", { class: "legal" }, item.legal_basis), item.guidance ? h("div", { class: "small muted" }, item.guidance) : null,
      control,
      h("div", { class: "row", style: "margin-top:.35rem" },
        h("input", { type: "text", placeholder: T.note, value: a.note || "", style: "max-width:28rem",
          onchange: (e) => setAnswer({ note: e.target.value }) }),
        photoButton(doc, item.code, { item: item.code })));
  }

  function renderAtp(doc) {
    const box = h("div", { class: "card", "data-testid": "atp" }, h("h2", {}, T.atp));
    const lastInstrument = doc.readings.length ? doc.readings[doc.readings.length - 1].instrument_id : data.instruments[0]?.id;
    const parent = retestOf ? doc.readings.find((r) => r.client_id === retestOf) : null;
    const insSel = h("select", { "data-testid": "atp-instrument", disabled: Boolean(parent) },
      data.instruments.map((i) => h("option", { value: i.id, selected: Number(parent ? parent.instrument_id : lastInstrument) === i.id }, i.model)));
    const surfSel = h("select", { "data-testid": "atp-surface", disabled: Boolean(parent) },
      data.surfaces.map(([v, l]) => h("option", { value: v, selected: parent && parent.surface === v }, l)));
    const rlu = h("input", { type: "number", min: "0", step: "1", inputmode: "numeric", placeholder: "RLU", "data-testid": "atp-rlu" });
    const cleaned = h("input", { type: "checkbox", checked: true, disabled: Boolean(parent), "data-testid": "atp-cleaned" });
    const add = () => {
      if (rlu.value === "" || Number(rlu.value) < 0) { rlu.focus(); return; }
      doc.readings.push({ client_id: uuid(), instrument_id: Number(insSel.value), surface: surfSel.value, rlu: Number(rlu.value),
        measured_at: new Date().toISOString(), after_cleaning: parent ? true : cleaned.checked, retest_of: parent ? parent.client_id : null, note: "" });
      retestOf = null;
      touch(doc);
      renderEditor();
    };
    box.append(h("div", { class: "grid-form" },
      h("div", {}, h("label", {}, T.instrument), insSel), h("div", {}, h("label", {}, T.surface), surfSel),
      h("div", {}, h("label", {}, "RLU"), rlu),
      h("label", { class: "row" }, cleaned, T.after_cleaning),
      h("div", {}, h("button", { type: "button", "data-testid": "atp-add", onclick: add }, parent ? T.add_retest : T.add_reading),
        parent ? h("button", { type: "button", class: "secondary", onclick: () => { retestOf = null; renderEditor(); } }, T.cancel) : null)));
    if (parent) box.append(h("p", { class: "alert alert-info" }, `${T.retest_for} ${surfaceLabels[parent.surface]} (${parent.rlu} RLU)`));
    const retested = new Set(doc.readings.map((r) => r.retest_of).filter(Boolean));
    for (const r of doc.readings) {
      const result = resultOf(doc, r);
      box.append(h("div", { class: "atp-row", "data-testid": "atp-row", "data-result": result },
        h("strong", {}, surfaceLabels[r.surface]), h("span", {}, `${r.rlu} RLU`),
        h("span", { class: `badge ${result}` }, T[`result_${result}`] || result),
        h("span", { class: "muted small" }, instruments.get(r.instrument_id)?.model || ""),
        r.retest_of ? h("span", { class: "small" }, T.is_retest) : null,
        result === "fail" && !retested.has(r.client_id) && doc._state !== "closed"
          ? h("button", { type: "button", class: "danger", "data-testid": "atp-retest",
            onclick: () => { retestOf = r.client_id; renderEditor(); } }, T.retest) : null));
    }
    return box;
  }

  function renderActions(doc) {
    const box = h("div", { class: "card", "data-testid": "actions" }, h("h2", {}, T.actions));
    const failed = failedItems(doc);
    const itemSel = h("select", { "data-testid": "action-item" }, h("option", { value: "" }, T.atp_or_other),
      failed.map((i) => h("option", { value: i.code, selected: failed[0] === i }, `${i.number}. ${i.text}`)));
    const desc = h("input", { type: "text", placeholder: T.action_description, "data-testid": "action-description" });
    const owner = h("input", { type: "text", placeholder: T.action_owner, "data-testid": "action-owner" });
    const due = h("input", { type: "date", value: localDate(7), "data-testid": "action-due" });
    const add = () => {
      if (!desc.value.trim() || !owner.value.trim() || !due.value) { (desc.value.trim() ? owner : desc).focus(); return; }
      doc.actions.push({ client_id: uuid(), item: itemSel.value || null, description: desc.value.trim(), owner: owner.value.trim(),
        due_on: due.value, reading: null });
      touch(doc);
      renderEditor();
    };
    box.append(h("div", { class: "grid-form" }, h("div", {}, h("label", {}, T.item), itemSel),
      h("div", {}, h("label", {}, T.action_description), desc), h("div", {}, h("label", {}, T.action_owner), owner),
      h("div", {}, h("label", {}, T.due_on), due),
      h("div", {}, h("button", { type: "button", "data-testid": "action-add", onclick: add }, T.add_action))));
    for (const a of doc.actions) {
      const item = items.find((i) => i.code === a.item);
      box.append(h("div", { class: "action-row", "data-testid": "action-row" },
        h("strong", {}, item ? `${item.number}.` : "ATP"), h("span", {}, a.description), h("span", { class: "muted" }, `${a.owner} · ${a.due_on}`),
        photoButton(doc, a.client_id, { action: a.client_id })));
    }
    return box;
  }

  function renderCoaching(doc) {
    const c = doc.coaching;
    const toggle = (list, value, on) => { const i = list.indexOf(value); if (on && i < 0) list.push(value); if (!on && i >= 0) list.splice(i, 1); touch(doc); };
    return h("div", { class: "card" }, h("h2", {}, T.coaching),
      h("div", { class: "choices" }, data.topics.map(([v, l]) => h("label", {}, h("input", { type: "checkbox", checked: c.topics.includes(v),
        onchange: (e) => toggle(c.topics, v, e.target.checked) }), l))),
      h("h3", {}, T.materials),
      h("div", { class: "choices" }, data.materials.map(([v, l]) => h("label", {}, h("input", { type: "checkbox", checked: c.materials.includes(v),
        onchange: (e) => toggle(c.materials, v, e.target.checked) }), l))),
      h("div", { class: "row", style: "margin-top:.5rem" }, h("label", {}, T.attendees),
        h("input", { type: "number", min: "0", max: "500", value: c.attendees, style: "max-width:7rem",
          onchange: (e) => { c.attendees = Number(e.target.value) || 0; touch(doc); } })));
  }

  function renderEditor() {
    const editor = document.getElementById("editor");
    const home = document.getElementById("home");
    if (!current) { editor.classList.add("hidden"); home.classList.remove("hidden"); return; }
    const doc = current;
    home.classList.add("hidden");
    editor.classList.remove("hidden");
    editor.replaceChildren();
    const f = facilities.get(doc.facility_id);
    const answered = items.filter((i) => itemMet(i, doc.answers[i.code]) !== null).length;
    const failed = failedItems(doc).length;
    const pendingRetests = unresolvedFails(doc).length;
    editor.append(h("div", { class: "card" },
      h("div", { class: "row heading" }, h("h2", {}, f ? f.name : ""), h("span", { class: "muted" }, f ? `${f.dong} · ${f.address}` : ""),
        h("span", { class: "spacer" }),
        h("button", { type: "button", class: "secondary", "data-testid": "back-button",
          onclick: () => { current = null; retestOf = null; render(); } }, T.back)),
      h("div", { class: "row" }, h("label", {}, T.visited_on),
        h("input", { type: "date", value: doc.visited_on, max: localDate(), onchange: (e) => { doc.visited_on = e.target.value; touch(doc); } }),
        h("span", { class: `small state-${doc._state}`, "data-testid": "editor-state" }, stateText(doc)),
        doc._server && doc._server.score != null ? h("span", { "data-testid": "server-score" }, `${T.score} ${doc._server.score}`) : null),
      doc._error ? h("div", { class: "alert alert-error", "data-testid": "editor-error" }, doc._error) : null));
    let section = "";
    let card = null;
    for (const item of items) {
      if (item.section !== section) {
        section = item.section;
        card = h("div", { class: "card checklist-section" }, h("h2", {}, section));
        editor.append(card);
      }
      card.append(renderItem(doc, item));
    }
    editor.append(renderAtp(doc), renderActions(doc), renderCoaching(doc));
    editor.append(h("div", { class: "card" }, h("label", {}, T.general_note),
      h("textarea", { rows: "3", onchange: (e) => { doc.note = e.target.value; touch(doc); } }, doc.note),
      h("p", { class: "small", "data-testid": "progress" }, `${T.answered} ${answered}/${items.length} · ${T.failed_items} ${failed}`
        + (pendingRetests ? ` · ${T.retests_needed} ${pendingRetests}` : "")),
      doc._state === "closed" ? h("p", { class: "state-synced" }, T.closed_note)
        : h("button", { type: "button", "data-testid": "submit-button",
          onclick: () => { doc.submit = true; touch(doc); syncAll(); renderEditor(); } }, T.submit),
      h("p", { class: "muted small" }, T.saved_locally)));
  }

  function showMessage(text) {
    const box = document.getElementById("field-message");
    box.textContent = text;
    box.classList.remove("hidden");
  }

  function render() {
    renderStatus();
    renderHome();
    if (current) renderEditor();
  }

  function openDoc(clientId) {
    current = docs.get(clientId) || null;
    retestOf = null;
    render();
    window.scrollTo(0, 0);
  }

  async function start(facilityId, plannedId, visitId) {
    const doc = newDoc(facilityId, plannedId, visitId);
    docs.set(doc.client_id, doc);
    await putRow("docs", doc);
    openDoc(doc.client_id);
  }

  function setupStart() {
    const sel = document.getElementById("start-facility");
    for (const f of data.facilities) sel.append(h("option", { value: f.id }, `${f.name} (${f.dong})`));
    document.getElementById("start-button").addEventListener("click", () => { if (sel.value) start(Number(sel.value)); });
    const planned = document.getElementById("planned-list");
    const work = [...data.visits.map((v) => ({ label: `${v.planned_start || ""} ${v.kind_label}`, facility: v.facility_id, visit: v.id })),
      ...data.planned.map((p) => ({ label: p.round || p.kind, facility: p.facility_id, planned: p.id }))];
    if (!work.length) planned.append(h("p", { class: "muted small" }, T.no_planned));
    for (const w of work.slice(0, 30)) {
      const f = facilities.get(w.facility);
      if (!f) continue;
      planned.append(h("div", { class: "local", "data-testid": "planned-item" },
        h("span", {}, h("strong", {}, f.name), " ", h("span", { class: "muted small" }, `${f.dong} · ${w.label}`)),
        h("button", { type: "button", class: "secondary", onclick: () => start(w.facility, w.planned, w.visit) }, T.start)));
    }
  }

  async function load() {
    for (const doc of await allRows("docs")) docs.set(doc.client_id, doc);
    for (const p of await allRows("photos")) {
      const key = `${p.inspection}|${p.item || p.action}`;
      photoCounts.set(key, (photoCounts.get(key) || 0) + 1);
    }
  }

  async function main() {
    setupStart();
    document.getElementById("sync-button").addEventListener("click", () => { loginNeeded = false; syncAll(); });
    window.addEventListener("online", () => { render(); syncAll(); });
    window.addEventListener("offline", render);
    try {
      await load();
    } catch (e) {
      showMessage(T.no_storage);
      return;
    }
    render();
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(urls.sw, { scope: urls.scope }).catch(() => {});
    }
    document.getElementById("field").dataset.ready = "1";
    syncAll();
    setInterval(syncAll, 30000);
  }

  main();
})();
