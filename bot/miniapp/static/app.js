"use strict";
// The coordinators' dashboard. Text goes in with textContent only (never innerHTML): school
// names, findings and comments are typed by people.
(function () {
  const tg = window.Telegram && window.Telegram.WebApp;
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("tgWebAppData") || "";
  const initData = (tg && tg.initData) || fromHash;
  const STATUS = { not_started: "не начато", in_progress: "в работе", done: "выполнено",
    not_done: "не выполнено" };
  const ROLES = { school_staff: "школа", curator: "куратор", municipal_coordinator: "координатор",
    regional_coordinator: "рег. координатор", admin: "администратор" };
  const SVG = "http://www.w3.org/2000/svg";
  const state = { schools: [], sort: "overdue", desc: true, today: null };

  function applyTheme() {
    const theme = (tg && tg.themeParams) || {};
    const names = { bg_color: "bg", text_color: "text", hint_color: "hint", link_color: "link",
      button_color: "button", button_text_color: "button-text",
      secondary_bg_color: "secondary-bg", destructive_text_color: "destructive" };
    for (const [key, name] of Object.entries(names)) {
      if (theme[key]) document.documentElement.style.setProperty("--tg-" + name, theme[key]);
    }
  }

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  // replaceChildren does not flatten arrays nor skip nulls; el does.
  function fill(section, ...children) {
    section.replaceChildren(el("div", {}, ...children));
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const ruDate = (iso) => iso ? iso.slice(0, 10).split("-").reverse().join(".") : "—";

  async function api(path, options) {
    const response = await fetch("api/" + path, Object.assign({}, options, {
      headers: Object.assign({ Authorization: "tma " + initData,
        "Content-Type": "application/json" }, (options || {}).headers),
    }));
    if (response.status === 401) throw new Error("Откройте панель из Telegram: подпись устарела или отсутствует.");
    if (response.status === 403) throw new Error("Нет доступа.");
    if (response.status === 409) {
      const body = await response.json();
      throw new Error(body.error === "roadmap_return_needs_comment"
        ? "Чтобы вернуть отчёт, напишите комментарий." : "Действие недоступно: " + body.error);
    }
    if (!response.ok) throw new Error("Ошибка сервера, попробуйте позже.");
    return response.json();
  }

  function showError(error) {
    const box = document.getElementById("error");
    box.textContent = error.message;
    box.hidden = false;
  }

  function show(page) {
    document.getElementById("error").hidden = true;
    for (const section of document.querySelectorAll(".page")) section.hidden = section.id !== page;
    for (const button of document.querySelectorAll("#tabs button")) {
      button.classList.toggle("active", button.dataset.tab === page ||
        (page === "school" && button.dataset.tab === "table"));
    }
    window.scrollTo(0, 0);
  }

  // -- table -------------------------------------------------------------------------------
  function filtered() {
    const only = (id) => document.getElementById(id).checked;
    return state.schools.filter((s) =>
      (!only("f-overdue") || s.overdue > 0) &&
      (!only("f-novisit") || s.days_since_visit === null || s.days_since_visit > 30) &&
      (!only("f-shnor") || s.shnor) && (!only("f-shnsu") || s.shnsu));
  }

  function renderTable() {
    const rows = filtered().sort((a, b) => {
      let x = a[state.sort], y = b[state.sort];
      if (state.sort === "days_since_visit") { x = x === null ? 1e9 : x; y = y === null ? 1e9 : y; }
      const order = typeof x === "string" ? x.localeCompare(y, "ru") : x - y;
      return state.desc ? -order : order;
    });
    for (const th of document.querySelectorAll("#schools th")) {
      th.classList.toggle("sorted", th.dataset.sort === state.sort);
    }
    document.getElementById("table-count").textContent =
      "Школ: " + rows.length + " из " + state.schools.length + " · на " + ruDate(state.today);
    const body = document.querySelector("#schools tbody");
    body.replaceChildren(...rows.map((s) => el("tr", { "data-id": s.id, onclick: () => openSchool(s.id) },
      el("td", {}, s.name, s.shnor ? el("span", { class: "tag" }, "ШНОР") : null,
        s.shnsu ? el("span", { class: "tag" }, "ШНСУ") : null,
        s.high_risks.length ? el("span", { class: "tag bad", title: "Высокие риски" }, "риск " + s.high_risks.length) : null,
        el("span", { class: "sub" }, s.curators.join(", ") || "куратор не назначен")),
      el("td", { class: "c-done" }, s.total ? s.done + "/" + s.total : "—"),
      el("td", { class: "c-progress" }, s.in_progress),
      el("td", { class: "c-waiting" }, s.waiting),
      el("td", { class: "c-overdue" + (s.overdue ? " bad" : "") }, s.overdue),
      el("td", { class: "c-visit" + (s.days_since_visit === null || s.days_since_visit > 30 ? " bad" : "") },
        s.days_since_visit === null ? "нет" : s.days_since_visit + " дн.",
        el("span", { class: "sub" }, ruDate(s.last_visit))))));
  }

  async function loadTable() {
    const data = await api("schools");
    state.schools = data.schools;
    state.today = data.today;
    renderTable();
    document.body.dataset.ready = "table";
  }

  // -- school page -------------------------------------------------------------------------
  async function openSchool(id) {
    const section = document.getElementById("school");
    show("school");
    fill(section, el("p", { class: "muted" }, "Загрузка…"));
    let school;
    try { school = await api("schools/" + id); } catch (error) { showError(error); return; }
    const back = el("button", { class: "back", onclick: () => show("table") }, "← Все школы");
    const items = school.sections.map((part) => [
      el("h3", {}, part.title || "Без раздела"),
      part.items.map((item) => el("div", { class: "card" },
        el("div", {}, el("b", {}, item.number + ". "), item.measure),
        el("div", { class: "status-" + item.status + (item.overdue ? " overdue" : "") },
          STATUS[item.status] || item.status, " · срок: ",
          item.due ? ruDate(item.due) : (item.deadline_text || "—"), item.overdue ? " · просрочено" : ""),
        item.links.map((link) => el("div", {}, el("a", { href: link, target: "_blank", rel: "noopener" }, link))),
        item.history.map((line) => el("div", { class: "muted" }, ruDate(line.at) + " " + line.who + ": " +
          ({ submitted: "отчёт", accepted: "принято", returned: "возвращено" }[line.what] || line.what) +
          (line.text ? " — " + line.text : ""))),
        school.can_review && item.pending_report_id ? reviewForm(item.pending_report_id, id) : null)),
    ]);
    fill(section, back,
      el("h2", {}, school.name),
      el("p", { class: "muted" }, school.full_name),
      el("p", {}, "Кураторы: " + (school.curators.join(", ") || "не назначены")),
      school.risks.length ? el("p", {}, "Риски: " + school.risks.map((r) => r.title + " (" + (r.level === "high" ? "высокий" : r.level === "medium" ? "средний" : "низкий") + ")").join("; ")) : null,
      el("h2", {}, "Дорожная карта"), items.length ? items : el("p", { class: "muted" }, "Дорожной карты нет."),
      el("h2", {}, "Посещения"),
      school.visits.length ? school.visits.map((v) => el("div", { class: "card" },
        el("b", {}, ruDate(v.date)), " · " + v.curator,
        v.findings ? el("div", {}, "Выводы: " + v.findings) : null,
        v.recommendations ? el("div", {}, "Рекомендации: " + v.recommendations) : null,
        v.next_steps.map((s) => el("div", { class: s.done ? "status-done" : "" },
          (s.done ? "✔ " : "○ ") + s.what + " — до " + ruDate(s.due))))) : el("p", { class: "muted" }, "Посещений нет."),
      el("h2", {}, "Мероприятия"),
      school.events.length ? school.events.map((e) => el("div", {}, ruDate(e.starts_at) + " " + e.title)) : el("p", { class: "muted" }, "Не участвовала."),
      el("h2", {}, "Люди"),
      school.people.map((p) => el("div", {}, (p.connected ? (p.unreachable ? "⛔ " : "✅ ") : "⚪ ") + p.name +
        " — " + (ROLES[p.role] || p.role) + (p.connected ? "" : " (не подключён)"))));
    document.body.dataset.ready = "school";
  }

  function reviewForm(reportId, schoolId) {
    const comment = el("input", { placeholder: "Комментарий", maxlength: "2000" });
    const decide = (decision) => async () => {
      try {
        await api("reports/" + reportId + "/review", { method: "POST",
          body: JSON.stringify({ decision, comment: comment.value }) });
        await loadTable();
        await openSchool(schoolId);
      } catch (error) { showError(error); }
    };
    return el("div", { class: "actions" }, comment,
      el("button", { class: "accept", onclick: decide("accept") }, "Принять"),
      el("button", { class: "return", onclick: decide("return") }, "Вернуть"));
  }

  // -- charts ------------------------------------------------------------------------------
  // Colours by class: the CSP allows no inline styles.
  const PARTS = [["done", "принято"], ["waiting", "на проверке"], ["work", "в работе"],
    ["overdue", "просрочено"]];

  function progressChart(schools) {
    const height = 18, width = 360, label = 110;
    const root = svg("svg", { viewBox: "0 0 " + width + " " + (schools.length * height + 4) });
    schools.forEach((s, row) => {
      const y = row * height + 2;
      root.append(svg("text", { x: 0, y: y + 12 }, s.name));
      if (!s.total) {
        root.append(svg("rect", { x: label, y, width: width - label, height: height - 4, class: "fill-none" }));
        root.append(svg("text", { x: label + 4, y: y + 12 }, "нет дорожной карты"));
        return;
      }
      const parts = { done: s.done, waiting: s.waiting, overdue: s.overdue,
        work: Math.max(s.total - s.done - s.waiting - s.overdue, 0) };
      let x = label;
      for (const [key] of PARTS) {
        const w = (width - label) * parts[key] / s.total;
        root.append(svg("rect", { x, y, width: w, height: height - 4, class: "fill-" + key }));
        x += w;
      }
    });
    return root;
  }

  function barChart(points, valueOf, labelOf) {
    const width = 360, height = 120, max = Math.max(1, ...points.map(valueOf));
    const step = width / points.length;
    const root = svg("svg", { viewBox: "0 0 " + width + " " + (height + 16) });
    points.forEach((p, i) => {
      const h = (height - 14) * valueOf(p) / max;
      root.append(svg("rect", { x: i * step + 3, y: height - h, width: step - 6, height: h, class: "fill-overdue" }));
      root.append(svg("text", { x: i * step + step / 2, y: height - h - 2, "text-anchor": "middle" }, valueOf(p)));
      root.append(svg("text", { x: i * step + step / 2, y: height + 12, "text-anchor": "middle" }, labelOf(p)));
    });
    return root;
  }

  async function loadCharts() {
    const section = document.getElementById("charts");
    const data = await api("charts");
    const legend = el("div", { class: "legend" }, PARTS.map(([key, name]) =>
      el("span", {}, el("i", { class: "fill-" + key }), name)),
      el("span", {}, el("i", { class: "fill-none" }), "нет карты"));
    const visits = el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "Куратор"),
      data.months.map((m) => el("th", {}, m.slice(5) + "." + m.slice(2, 4))))),
      el("tbody", {}, data.visits_by_curator.map((row) => el("tr", {}, el("td", {}, row.curator),
        row.counts.map((n) => el("td", {}, n || "·"))))));
    fill(section, el("h2", {}, "Выполнение по школам"), legend, progressChart(state.schools),
      el("h2", {}, "Просроченные пункты по неделям"),
      barChart(data.overdue_by_week, (p) => p.overdue, (p) => ruDate(p.week_end).slice(0, 5)),
      el("h2", {}, "Посещения по кураторам и месяцам"), el("div", { class: "scroll" }, visits));
  }

  async function loadEvents() {
    const section = document.getElementById("events");
    const data = await api("events");
    fill(section, el("h2", {}, "Мероприятия"),
      data.events.length ? data.events.map((e) => el("div", { class: "card" },
        el("b", {}, ruDate(e.starts_at) + " "), e.title,
        el("div", { class: "muted" }, "записались: " + e.registered + " · пришли: " + e.attended))) :
        el("p", { class: "muted" }, "Мероприятий нет."));
  }

  function init() {
    applyTheme();
    if (tg) { tg.ready(); tg.expand(); }
    for (const th of document.querySelectorAll("#schools th")) {
      th.addEventListener("click", () => {
        state.desc = state.sort === th.dataset.sort ? !state.desc : th.dataset.sort !== "name";
        state.sort = th.dataset.sort;
        renderTable();
      });
    }
    for (const box of document.querySelectorAll(".filters input")) box.addEventListener("change", renderTable);
    for (const button of document.querySelectorAll("#tabs button")) {
      button.addEventListener("click", () => {
        const tab = button.dataset.tab;
        show(tab);
        if (tab === "charts") loadCharts().catch(showError);
        if (tab === "events") loadEvents().catch(showError);
      });
    }
    loadTable().catch(showError);
  }

  init();
})();
