// 夔门督办 dashboard: one Alpine component over the gateway's /api/v1 routes.
// Everything the page shows comes from the API; the page keeps no token: the
// token pasted at 登录 becomes a session cookie (HttpOnly, POST /api/v1/session)
// that the browser sends by itself for the working day. It keeps a cache of
// stream events.
import Alpine from './vendor/alpine.esm.min.js';
import { reviewQueue } from './review_queue.js';
import { fileAttachments } from './files.js';
import { instructionPanel } from './instructions.js';
import { todoPages } from './todo.js';
import { printing } from './print.js';
import { statsPage } from './stats.js';
import { checkReport, checkNotice, checkDeadline, showErrors } from './form_checks.js';

// `token` in the component only says "signed in"; the credential is the cookie.
const SESSION = 'session';
const POLL_MS = 3000;
const TZ = 'Asia/Shanghai';

// --- vocabulary ---------------------------------------------------------------

const ROLE_LABELS = { taskforce: '工作专班', department: '部门（责任单位/配合单位）', auditor: '审计', leader: '县领导' };
const STATUS_ORDER = ['not_started', 'in_progress', 'pending_review', 'returned', 'completed'];
const STATUS_LABELS = {
  not_started: '未启动', in_progress: '推进中', pending_review: '待审核', returned: '已退回', completed: '已完成',
};
const WARNING_ORDER = ['red', 'yellow', 'blue', 'none'];
const WARNING_LABELS = { none: '无', blue: '蓝', yellow: '黄', red: '红' };
const WARNING_RANK = { none: 0, blue: 1, yellow: 2, red: 3 };
const EVENT_LABELS = {
  ProgressReported: '进展报送', DeadlineSet: '设定时限', ReportReviewed: '审核报送', NoticeIssued: '下发督办',
  NoticeAnswered: '督办答复（整改反馈）', NoticeClosed: '督办销号', NoticeSigned: '督办签收', TaskCompleted: '任务完成销号',
  TaskReopened: '重新启动', AssessmentAdjusted: '加减分', YearFrozen: '年终定格',
  MilestoneMet: '确认时限完成', MilestoneCancelled: '取消时限', InstructionGiven: '领导批示',
};
// An API refusal as the clerk reads it: the server's own message, which is
// Chinese, written for the clerk and names the field as the form does
// (gateway/error_codes.cc lists every code). Nothing is re-derived here.
export function explain(error) {
  if (!error) return '';
  return error.message || '操作未成功，请稍后重试';
}

// --- formatting ---------------------------------------------------------------

function pad(n) { return String(n).padStart(2, '0'); }

function chinaParts(date) {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    hour12: false,
  }).formatToParts(date);
  const get = (type) => parts.find((p) => p.type === type).value;
  return { y: get('year'), m: get('month'), d: get('day'), hh: get('hour') === '24' ? '00' : get('hour'), mm: get('minute') };
}

function fmtTime(iso) {
  if (!iso) return '—';
  const p = chinaParts(new Date(iso));
  return `${p.y}-${p.m}-${p.d} ${p.hh}:${p.mm}`;
}

function fmtDate(iso) {
  if (!iso) return '—';
  const p = chinaParts(new Date(iso));
  return `${p.y}-${p.m}-${p.d}`;
}

function todayChina() { return fmtDate(new Date().toISOString()); }

// 补报: a progress report recorded (China time) after its period's due day,
// `dueDay` of the following month — the server's report_due_day, from the rules file.
function isLateReport(event, dueDay) {
  if (!event || event.type !== 'ProgressReported' || !event.data || !event.data.period) return false;
  const [y, m] = event.data.period.split('-').map(Number);
  const due = `${m === 12 ? y + 1 : y}-${String(m === 12 ? 1 : m + 1).padStart(2, '0')}-${String(dueDay).padStart(2, '0')}`;
  return fmtDate(event.recorded_at) > due;
}

function fmtNumber(n) {
  if (n === null || n === undefined) return '—';
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}

function safeUri(uri) {
  return /^(https?|ftp):\/\//i.test(uri) || /^\/[^/]/.test(uri) ? uri : null;
}

// 全过程记录 pages: an item may hold thousands of events; the page keeps them
// here (not reactive) and renders one page of TIMELINE_PAGE at a time.
const TIMELINE_PAGE = 50;
let timelineEvents = [];

// 第N次报送: each ProgressReported's ordinal on its item, and for a review the
// ordinal of the report it reviews (by the report's stream version).
function numberReports(events) {
  const ordinal = new Map();
  let n = 0;
  for (const e of events) {
    if (e.type === 'ProgressReported') ordinal.set(e.version, ++n);
  }
  return ordinal;
}

// A notice as a clerk names it: its 文号 (written into NoticeIssued at issue),
// else its id (events of notices issued before numbers existed).
function noticeName(event) {
  const d = event.data || {};
  return d.number || event.notice_number || d.notice_id;
}

// 文号 by notice id, from the item's NoticeIssued events and open notices.
function noticeNumbersOf(events, openNotices) {
  const numbers = new Map();
  for (const e of events) if (e.type === 'NoticeIssued' && e.data && e.data.number) numbers.set(e.data.notice_id, e.data.number);
  for (const n of openNotices || []) if (n.number) numbers.set(n.id, n.number);
  return numbers;
}

function describe(event) {
  const d = event.data || {};
  switch (event.type) {
    case 'ProgressReported':
      return `${d.period} 报送：${d.summary}（总体进度 ${fmtNumber(d.percent)}%）` +
        (d.milestones_met && d.milestones_met.length ? `，报完成时限：${d.milestones_met.map((m) => `“${m}”`).join('、')}` : '');
    case 'DeadlineSet':
      return d.reason ? `调整时限“${d.milestone}”至 ${d.due}：${d.reason}` : `设定时限“${d.milestone}”：${d.due}`;
    case 'MilestoneMet': return `工作专班确认时限“${d.milestone}”已完成${d.note ? '：' + d.note : ''}`;
    case 'MilestoneCancelled': return `取消时限“${d.milestone}”：${d.reason}`;
    case 'InstructionGiven': return `${d.leader_name || '县领导'}批示${d.notice_id ? `（督办通知 ${noticeName(event)}）` : ''}：${d.text}`;
    case 'ReportReviewed':
      return `审核${event.reviewed_report_no ? `第${event.reviewed_report_no}次报送` : `第 ${d.report_version} 版报送`}：${d.decision === 'approved' ? '通过' : '退回'}${d.comment ? '，' + d.comment : ''}`;
    case 'NoticeIssued': return `下发督办 ${noticeName(event)}：${d.reason}（限 ${d.due} 前整改反馈）`;
    case 'NoticeSigned': return `签收督办 ${noticeName(event)}`;
    case 'NoticeAnswered': return `答复督办 ${noticeName(event)}：${d.summary}`;
    case 'NoticeClosed':
      return d.unanswered_reason
        ? `督办 ${noticeName(event)} 未整改销号：${d.unanswered_reason}${d.comment ? '；' + d.comment : ''}`
        : `督办 ${noticeName(event)} 销号${d.comment ? '：' + d.comment : ''}`;
    case 'TaskCompleted': return `任务完成销号：${d.summary}`;
    case 'TaskReopened': return `重新启动：${d.reason}`;
    case 'AssessmentAdjusted': return `${d.unit} ${d.points > 0 ? '加' : '减'} ${Math.abs(d.points)} 分：${d.reason}`;
    case 'YearFrozen': return `${d.year} 年度考核定格${d.comment ? '：' + d.comment : ''}`;
    default: return JSON.stringify(d);
  }
}

// --- API ----------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, error) {
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.error = error;
  }
}

async function request(token, path, { method = 'GET', body, raw = false } = {}) {
  // Signed in by cookie (same origin: fetch sends it); a bearer token only
  // when a caller passes a real one.
  const headers = token && token !== SESSION ? { Authorization: `Bearer ${token}` } : {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, { code: 'unavailable', message: '无法连接服务器' });
  }
  if (raw && response.ok) return response;
  let json = null;
  try { json = await response.json(); } catch (e) { json = null; }
  if (!response.ok) {
    throw new ApiError(response.status, (json && json.error) || { code: 'internal', message: `服务器未能处理本次请求（${response.status}），请稍后重试` });
  }
  return json;
}

function query(params) {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return entries.length ? '?' + new URLSearchParams(entries).toString() : '';
}

function filenameOf(response, fallback) {
  const cd = response.headers.get('Content-Disposition') || '';
  const star = cd.match(/filename\*\s*=\s*UTF-8''([^;]+)/i);
  if (star) return decodeURIComponent(star[1].trim());
  const plain = cd.match(/filename\s*=\s*"?([^";]+)"?/i);
  return plain ? plain[1] : fallback;
}

// An item's events for its page's history, fetched once and then only what is
// new. Kept outside the reactive state: it can grow large and nothing renders
// it directly.
const streamCache = new Map();

function itemPath(stream) {
  const task = stream.match(/^task-(\d+)$/);
  if (task) return `/api/v1/tasks/${Number(task[1])}`;
  const major = stream.match(/^major-(\d+)$/);
  return major ? `/api/v1/majors/${Number(major[1])}` : null;
}

function syncStream(token, stream) {
  let entry = streamCache.get(stream);
  if (!entry) {
    entry = { events: [], next: 1, chain: Promise.resolve() };
    streamCache.set(stream, entry);
  }
  // Chained so two refreshes never fetch (and append) the same page twice.
  entry.chain = entry.chain.then(async () => {
    for (;;) {
      const page = await request(token, `${itemPath(stream)}/events${query({ from_version: entry.next, limit: 1000 })}`);
      for (const e of page.events) if (e.version >= entry.next) entry.events.push(e);
      if (page.events.length) entry.next = page.events[page.events.length - 1].version + 1;
      if (page.next_version === null || page.next_version === undefined || !page.events.length) break;
      entry.next = Math.max(entry.next, page.next_version);
    }
    return entry.events;
  }).catch((e) => { entry.chain = Promise.resolve(); throw e; });
  return entry.chain;
}

// --- charts -------------------------------------------------------------------

const charts = new Map();

function renderChart(id, option) {
  const el = document.getElementById(id);
  if (!el || typeof window.echarts === 'undefined') return;
  let chart = charts.get(id);
  if (chart && chart.getDom() !== el) { chart.dispose(); chart = null; }
  if (!chart) {
    chart = window.echarts.init(el, null, { renderer: 'svg' });
    charts.set(id, chart);
  }
  // No animation: the charts redraw on every live refresh, and print as drawn.
  chart.setOption({ animation: false, ...option }, true);
}

window.addEventListener('resize', () => charts.forEach((c) => c.resize()));
window.addEventListener('beforeprint', () => charts.forEach((c) => c.resize()));
// Print gives each chart a fixed width in mm (style.css); redraw at that width
// when the print media applies, also in print preview and PDF rendering.
window.matchMedia('print').addEventListener('change', () => charts.forEach((c) => c.resize()));

const FONT = '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif';

// --- the component ------------------------------------------------------------

const PAGES = {
  overview: { label: '总览', roles: ['taskforce', 'department', 'auditor', 'leader'] },
  board: { label: '任务看板', roles: ['taskforce', 'department', 'auditor', 'leader'] },
  units: { label: '单位视图', roles: ['taskforce', 'department', 'auditor', 'leader'] },
  report: { label: '报送', roles: ['department'] },
  todo: { label: '待办', roles: ['department'], badge: true },
  urge: { label: '催办', roles: ['taskforce'], badge: true },
  review: { label: '审核督办', roles: ['taskforce'] },
  assessment: { label: '年终考核', roles: ['taskforce', 'department', 'auditor', 'leader'] },
  stats: { label: '统计', roles: ['taskforce', 'department', 'auditor', 'leader'] },
  audit: { label: '审计', roles: ['taskforce', 'auditor', 'leader'] },
  admin: { label: '账号管理', roles: ['taskforce'] },
  item: { label: '任务详情', roles: ['taskforce', 'department', 'auditor', 'leader'], hidden: true },
};

function emptyReport() {
  return { stream: '', period: '', summary: '', percent: '', indicators: {}, county: {}, evidence: [{ title: '', uri: '' }], milestones_met: [] };
}

function app() {
  return {
    // session
    token: '',
    tokenInput: '',
    me: null,
    loginError: '',
    // routing
    page: 'overview',
    params: [],
    // data
    catalog: null,
    view: null,            // the supervision view's reply
    liveKey: '',
    lastRefresh: '',
    minPosition: null,
    banner: '',
    notice: '',
    busy: false,
    // board
    filter: { unit: '', role: '', status: '', warning: '', text: '' },
    sortKey: 'no',
    sortDir: 1,
    // item page
    itemEvents: [],        // the page of 全过程记录 shown (newest first)
    timelinePage: 0,
    timelineCount: 0,
    timelineStream: '',
    people: {},            // principal id -> name (GET /api/v1/people)
    navAtEnd: false,       // the phone navigation scrolled to its last entry
    breakdown: [],         // 单位分解 of the item shown (GET /tasks/{no}: item.unit_breakdown)
    answerForm: {},
    milestoneForm: {},
    // unit page
    unitName: '',
    // report form
    report: emptyReport(),
    errors: {},
    formMessage: '',
    formOk: '',
    // review page (the queue's state and methods: review_queue.js)
    ...reviewQueue({ request, query, explain }),
    ...fileAttachments({ explain }),
    // item page: 领导批示 (instructions.js)
    ...instructionPanel(),
    // 待办 and 催办 (todo.js)
    ...todoPages({ request, query, explain }),
    // printable documents (print.js)
    ...printing({ request, explain, itemPath }),
    // 统计 (stats.js)
    ...statsPage({ request, query, renderChart, font: FONT }),
    noticeForm: { stream: '', notice_id: '', reason: '', due: '' },
    deadlineForm: { stream: '', milestone: '', due: '', reason: '' },
    closeForm: {},
    stateForm: { stream: '', text: '' },
    // assessment
    year: null,
    assessment: null,
    adjustForm: { unit: '', points: '', reason: '' },
    freezeForm: { reason: '' },
    // audit
    verify: null,
    digest: null,
    digestInput: '',
    digestCheck: null,
    asOfDate: '',
    asOf: null,
    // admin
    principals: [],
    townships: [],
    principalForm: { name: '', role: 'department', unit: '' },
    issued: null,
    copied: false,
    townshipForm: { name: '' },
    // report chart
    reportMonths: {},

    // ---- lifecycle ----
    async init() {
      window.addEventListener('hashchange', () => this.route());
      this.route(false);
      // Still signed in from earlier today? The cookie says so.
      this.token = SESSION;
      if (!(await this.enter(false))) this.token = '';
      setInterval(() => this.poll(), POLL_MS);
    },

    async login() {
      this.loginError = '';
      const token = this.tokenInput.trim();
      if (!token) { this.loginError = '请粘贴令牌'; return; }
      try {
        await request('', '/api/v1/session', { method: 'POST', body: { token } });
      } catch (e) {
        this.loginError = explain(e.error);
        return;
      }
      this.tokenInput = '';
      this.token = SESSION;
      await this.enter();
    },

    logout(message = '') {
      if (this.token) request('', '/api/v1/session', { method: 'DELETE' }).catch(() => {});
      streamCache.clear();
      Object.assign(this, { token: '', me: null, view: null, catalog: null, loginError: message, reportMonths: {} });
    },

    async enter(complain = true) {
      try {
        this.me = await request(this.token, '/api/v1/me');
      } catch (e) {
        if (complain) this.logout(explain(e.error));
        else this.token = '';
        return false;
      }
      try {
        this.catalog = await this.get('/api/v1/catalog');
      } catch (e) {
        this.banner = explain(e.error);
        return false;
      }
      if (this.me.role === 'department') this.unitName = this.myUnit;
      request(this.token, '/api/v1/people').then((reply) => {
        this.people = Object.fromEntries(reply.people.map((p) => [p.id, p.name]));
      }).catch(() => {});
      this.route(false);
      await this.refresh();
      return true;
    },

    // ---- API plumbing ----
    async get(path) {
      try {
        return await request(this.token, path);
      } catch (e) {
        if (e.status === 401) this.logout('登录已过期，请重新粘贴令牌登录');
        throw e;
      }
    },

    // Appends one event; returns the stored event or null (errors set on `errs`).
    async submit(stream, type, data, errs) {
      for (const k of Object.keys(errs)) delete errs[k];
      this.banner = '';
      try {
        const reply = await request(this.token, `${itemPath(stream)}/events`, {
          method: 'POST', body: { type, data, event_id: crypto.randomUUID() },
        });
        this.minPosition = reply.event.position;
        return reply.event;
      } catch (e) {
        if (e.status === 401) { this.logout('登录已过期，请重新粘贴令牌登录'); return null; }
        const field = e.error.field ? e.error.field.replace(/^data\./, '') : '';
        if (field) errs[field] = explain({ ...e.error, field });
        else errs._ = explain(e.error);
        return null;
      }
    },

    async download(path, fallback) {
      this.banner = '';
      try {
        const response = await request(this.token, path, { raw: true });
        const blob = await response.blob();
        const url = URL.createObjectURL(blob);
        const a = document.createElement('a');
        a.href = url;
        a.download = filenameOf(response, fallback);
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10000);
      } catch (e) {
        this.banner = `下载失败：${explain(e.error)}`;
      }
    },

    // ---- routing ----
    route(load = true) {
      const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
      let page = parts[0] || 'overview';
      if (!PAGES[page]) page = 'overview';
      if (this.me && !PAGES[page].roles.includes(this.me.role)) page = 'overview';
      this.page = page;
      this.params = parts.slice(1);
      this.banner = '';
      if (page === 'report') {
        const stream = this.params[0] || '';
        if (stream && stream !== this.report.stream) this.pickReportStream(stream);
      }
      if (page === 'units' && this.params[0]) this.unitName = this.params[0];
      if (page === 'assessment') this.year = Number(this.params[0]) || this.year || this.defaultYear;
      if (page === 'review' && this.params[0]) this.focusStream(this.params[0]);
      window.scrollTo(0, 0);
      if (load && this.me) this.loadPage();
    },

    go(hash) { location.hash = hash; },

    get nav() {
      if (!this.me) return [];
      return Object.entries(PAGES)
        .filter(([, p]) => !p.hidden && p.roles.includes(this.me.role))
        .map(([key, p]) => ({ key, label: p.label, badge: p.badge ? this.todoBadge : 0 }));
    },

    get pageTitle() { return (PAGES[this.page] || PAGES.overview).label; },

    // ---- live refresh ----
    async poll() {
      if (!this.me || document.hidden) return;
      try {
        const health = await (await fetch('/healthz', { cache: 'no-store' })).json();
        const key = `${health.head_position}:${JSON.stringify(health.views || {})}`;
        if (key === this.liveKey) return;
        // Remember the key only once the refresh worked, so a failed one is retried.
        if (await this.refresh()) this.liveKey = key;
      } catch (e) {
        // Server away for a moment: keep the page as it is and try again.
      }
    },

    // Re-reads the live view (and the current page's data); true when it worked.
    async refresh() {
      if (!this.me) return false;
      try {
        const reply = await this.get(`/api/v1/views/supervision${query({ min_position: this.minPosition })}`);
        this.prepareForms(reply.rendered);
        await this.loadTodoBadge();
        this.view = reply;
        this.minPosition = null;
        this.lastRefresh = fmtTime(new Date().toISOString());
        if (!this.year) this.year = this.defaultYear;
        await this.loadPage();
        return true;
      } catch (e) {
        // 503: the view has not caught up with min_position yet; the next poll retries.
        if (e.status !== 503 && this.me) this.banner = explain(e.error);
        return false;
      }
    },

    // Per-notice form state is created here, never while rendering.
    prepareForms(rendered) {
      for (const item of [...rendered.tasks, ...rendered.major_items]) {
        for (const n of item.open_notices) {
          const key = `${item.stream}/${n.id}`;
          if (!this.answerForm[key]) this.answerForm[key] = { summary: '', errors: {} };
          if (!this.closeForm[key]) this.closeForm[key] = { comment: '', unanswered_reason: '', errors: {} };
        }
        for (const d of item.deadlines) {
          const key = `${item.stream}/${d.milestone}`;
          if (!this.milestoneForm[key]) this.milestoneForm[key] = { action: '', due: '', reason: '', note: '', errors: {} };
        }
      }
    },

    async loadPage() {
      if (!this.view) return;
      try {
        switch (this.page) {
          case 'overview': await this.loadReportMonths(); break;
          case 'item': await this.loadItem(); break;
          case 'review': await this.loadQueue(); break;
          case 'todo': case 'urge': break;  // read with the badge, on every refresh
          case 'assessment': await this.loadAssessment(); break;
          case 'stats': await this.loadStats(); break;
          case 'admin': await this.loadAdmin(); break;
          default: break;
        }
      } catch (e) {
        if (this.me) this.banner = explain(e.error);
      }
    },

    // ---- shared data ----
    get tasks() { return this.view ? this.view.rendered.tasks : []; },
    get majors() { return this.view ? this.view.rendered.major_items : []; },
    get allItems() { return [...this.tasks, ...this.majors]; },
    get today() { return this.view ? this.view.rendered.today : todayChina(); },
    get defaultYear() { return Number((this.view ? this.view.rendered.today : todayChina()).slice(0, 4)); },
    get myUnit() { return this.me ? (this.me.group || this.me.unit) : ''; },
    get catalogUnits() { return this.catalog ? this.catalog.units.map((u) => u.name) : []; },
    get departmentUnits() { return this.catalog ? this.catalog.units.filter((u) => u.kind === 'department').map((u) => u.name) : []; },
    taskText(no) {
      const t = this.catalog && this.catalog.tasks.find((x) => x.no === no);
      return t ? t.text : '';
    },
    catalogEntry(stream) {
      if (!this.catalog) return null;
      const task = stream.match(/^task-(\d+)$/);
      if (task) return this.catalog.tasks.find((t) => t.no === Number(task[1]));
      const major = stream.match(/^major-(\d+)$/);
      return major ? this.catalog.major_items.find((m) => m.no === Number(major[1])) : null;
    },
    itemByStream(stream) { return this.allItems.find((i) => i.stream === stream) || null; },
    itemTitle(item) {
      if (!item) return '';
      return item.stream.startsWith('task-') ? `任务 ${item.no}：${item.item} · ${this.taskStart(item.no)}` : `四个重大 ${item.no}：${item.name}`;
    },
    // The start of a task's 工作任务: seven tasks share the 事项 加强政策支持, so
    // every list tells them apart by 序号 and these first words.
    taskStart(no, length = 14) {
      const text = this.taskText(no);
      return text.length > length ? text.slice(0, length) + '…' : text;
    },
    itemUnits(item) {
      return item.stream.startsWith('task-') ? [item.lead_unit, ...item.cooperating_units] : item.units;
    },
    involves(item, unit) { return !!unit && this.itemUnits(item).includes(unit); },
    itemHash(item) {
      return item.stream.startsWith('task-') ? `#/item/task/${item.no}` : `#/item/major/${item.no}`;
    },
    // 总体进度 as of its period: the latest period's report, not the latest recorded one.
    percentOf(item) { return item.progress ? item.progress.percent : null; },
    progressPeriodOf(item) { return item.progress ? item.progress.period : ''; },
    lateEvent(e) { return isLateReport(e, this.view ? (this.view.rendered.report_due_day || 10) : 10); },
    // 总体进度 counts the lead's latest approved estimate; one awaiting review is shown beside it.
    pendingProgressText(item) {
      const p = item && item.progress_pending;
      return p ? '另有待审核 ' + fmtNumber(p.percent) + '%（' + p.period + '）' : '';
    },
    // Only what awaits review, then the county figure it would make.
    pendingFigureText(p, unit) {
      if (!p) return '';
      const amount = p.amount === undefined ? p.value : p.amount;
      return '另有待审核 ' + fmtNumber(amount) + ' ' + unit + '（审核通过后全县 ' + fmtNumber(p.value) + ' ' + unit + '）';
    },
    // 最近报送 follows the lead units' reports, as the status does.
    leadReport(t) { return 'lead_report' in t ? t.lead_report : t.last_report; },
    lastReportText(t) {
      const r = this.leadReport(t);
      if (!r) return t.last_report ? '牵头单位未报送' : '未报送';
      return r.period + '（' + fmtDate(r.recorded_at) + '）' + (r.late ? ' 补报' : '');
    },
    // The other units' reports, beside the status: 配合单位待审核：… / 配合单位已退回：…
    otherUnitsText(t) {
      const parts = [];
      if ((t.pending_units || []).length) parts.push('配合单位待审核：' + t.pending_units.join('、'));
      if ((t.returned_units || []).length) parts.push('配合单位已退回：' + t.returned_units.join('、'));
      return parts.join('；');
    },

    // ---- labels for templates ----
    roleLabel(role) { return ROLE_LABELS[role] || role; },
    statusLabel(s) { return STATUS_LABELS[s] || s; },
    warningLabel(w) { return WARNING_LABELS[w] || w; },
    eventLabel(t) { return EVENT_LABELS[t] || t; },
    statusOptions: STATUS_ORDER.map((s) => ({ value: s, label: STATUS_LABELS[s] })),
    warningOptions: WARNING_ORDER.map((w) => ({ value: w, label: w === 'none' ? '无预警' : `${WARNING_LABELS[w]}色预警` })),
    fmtTime,
    fmtDate,
    fmtNumber,
    describe,
    safeUri,

    // ---- 总览 ----
    countBy(key, value) { return this.tasks.filter((t) => t[key] === value).length; },
    get targetGroups() {
      if (!this.view) return [];
      const groups = new Map();
      for (const t of this.view.rendered.targets) {
        const key = t.year === null ? '未标年份' : `${t.year}年`;
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key).push(t);
      }
      return [...groups.entries()].map(([label, targets]) => ({ label, targets }));
    },
    bar(p) { return `width:${Math.max(0, Math.min(100, p || 0))}%`; },

    loadReportMonths() {
      // 报送次数 per month as the supervision view counts them: one figure from
      // one place, without fetching every item's history into the page.
      this.reportMonths = { ...(this.view.rendered.reports_by_period || {}) };
      this.$nextTick(() => this.drawOverviewCharts());
    },

    drawOverviewCharts() {
      const months = Object.keys(this.reportMonths).sort();
      renderChart('chart-reports', {
        textStyle: { fontFamily: FONT },
        grid: { left: 40, right: 16, top: 24, bottom: 32 },
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'category', data: months.length ? months : [this.today.slice(0, 7)] },
        yAxis: { type: 'value', minInterval: 1, name: '次' },
        series: [{ type: 'bar', name: '报送次数', data: months.map((m) => this.reportMonths[m]), itemStyle: { color: '#b71c1c' }, barMaxWidth: 36 }],
      });
      renderChart('chart-warnings', {
        textStyle: { fontFamily: FONT },
        tooltip: { trigger: 'item' },
        series: [{
          type: 'pie', radius: ['40%', '70%'], label: { formatter: '{b} {c}' },
          // Empty levels are left out: their zero labels piled on one point (the cards above count them).
          data: WARNING_ORDER.map((w) => ({
            name: w === 'none' ? '无预警' : `${WARNING_LABELS[w]}色预警`, value: this.countBy('warning', w),
            itemStyle: { color: { red: '#d32f2f', yellow: '#f9a825', blue: '#1e88e5', none: '#9e9e9e' }[w] },
          })).filter((slice) => slice.value > 0),
        }],
      });
    },

    // ---- 任务看板 ----
    get boardUnits() {
      const units = new Set();
      for (const t of this.tasks) { units.add(t.lead_unit); t.cooperating_units.forEach((u) => units.add(u)); }
      return [...units];
    },
    boardRows(tasks) {
      const f = this.filter;
      const text = f.text.trim();
      const lead = (t) => t.lead_unit === f.unit;
      const coop = (t) => t.cooperating_units.includes(f.unit);
      const byUnit = (t) => !f.unit || (f.role === 'lead' ? lead(t) : f.role === 'coop' ? coop(t) : lead(t) || coop(t));
      let rows = tasks.filter((t) => byUnit(t)
        && (!f.status || t.status === f.status)
        && (!f.warning || t.warning === f.warning)
        && (!text || `${t.category}${t.item}${this.taskText(t.no)}`.includes(text)));
      const key = this.sortKey;
      const value = (t) => {
        switch (key) {
          case 'status': return STATUS_ORDER.indexOf(t.status);
          case 'percent': return this.percentOf(t) ?? -1;
          case 'last': return t.last_report ? t.last_report.recorded_at : '';
          case 'warning': return WARNING_RANK[t.warning];
          case 'lead': return t.lead_unit;
          default: return t.no;
        }
      };
      rows = [...rows].sort((a, b) => {
        const va = value(a); const vb = value(b);
        const c = typeof va === 'string' ? va.localeCompare(vb, 'zh-CN') : va - vb;
        return (c || a.no - b.no) * (c ? this.sortDir : 1);
      });
      return rows;
    },
    get board() { return this.boardRows(this.tasks); },
    sortBy(key) {
      if (this.sortKey === key) this.sortDir = -this.sortDir;
      else { this.sortKey = key; this.sortDir = key === 'warning' || key === 'last' || key === 'percent' ? -1 : 1; }
    },
    sortMark(key) { return this.sortKey === key ? (this.sortDir > 0 ? '▲' : '▼') : ''; },
    clearFilter() { this.filter = { unit: '', role: '', status: '', warning: '', text: '' }; },

    // ---- 任务详情 ----
    get itemStream() {
      const [kind, no] = this.params;
      if (!no) return '';
      return kind === 'major' ? `major-${Number(no)}` : `task-${String(Number(no)).padStart(2, '0')}`;
    },
    get current() { return this.itemByStream(this.itemStream); },
    get currentSpec() { return this.itemStream ? this.catalogEntry(this.itemStream) : null; },
    get canReport() { return this.me && this.me.role === 'department' && this.current && this.involves(this.current, this.myUnit); },
    async loadItem() {
      if (!this.current) return;
      const stream = this.current.stream;
      const [events] = await Promise.all([syncStream(this.token, stream), this.loadBreakdown(stream), this.loadTaskStats(stream)]);
      const ordinal = numberReports(events);
      const numbers = noticeNumbersOf(events, this.current && this.current.open_notices);
      timelineEvents = [...events].reverse().map((e) => ({
        ...e,
        notice_number: e.data && e.data.notice_id ? numbers.get(e.data.notice_id) || null : null,
        report_no: e.type === 'ProgressReported' ? ordinal.get(e.version) : null,
        reviewed_report_no: e.type === 'ReportReviewed' ? ordinal.get(e.data.report_version) || null : null,
      }));
      if (this.timelineStream !== stream) { this.timelineStream = stream; this.timelinePage = 0; }
      this.timelineCount = timelineEvents.length;
      this.showTimelinePage(this.timelinePage);
    },
    get timelinePages() { return Math.max(1, Math.ceil(this.timelineCount / TIMELINE_PAGE)); },
    showTimelinePage(p) {
      this.timelinePage = Math.min(Math.max(0, p), this.timelinePages - 1);
      const from = this.timelinePage * TIMELINE_PAGE;
      this.itemEvents = timelineEvents.slice(from, from + TIMELINE_PAGE);
    },
    // Who acted, as a clerk knows them: the person's name, the unit, the role.
    actorText(a) {
      const name = this.people[a.principal] || '';
      return [name, a.unit || this.roleLabel(a.role)].filter(Boolean).join(' · ') || this.roleLabel(a.role);
    },
    // 时限 on the board: the item's next open milestone, or what is left.
    nextDeadline(t) {
      const open = t.deadlines.filter((d) => ['not_due', 'approaching', 'overdue'].includes(d.state))
        .sort((a, b) => (a.due < b.due ? -1 : 1));
      return open.length ? open[0] : null;
    },
    deadlineText(t) {
      const d = this.nextDeadline(t);
      if (d) return `${d.due} ${d.milestone}${d.state === 'overdue' ? '（逾期）' : d.state === 'approaching' ? '（临近）' : ''}`;
      return t.deadlines.length ? '时限均已办结' : '未设定';
    },
    // 单位分解: each unit's latest figure and how the county figure was formed.
    async loadBreakdown(stream) {
      const reply = await request(this.token, itemPath(stream));
      if (this.current && this.current.stream === stream) this.breakdown = (reply.item && reply.item.unit_breakdown) || [];
    },
    breakdownValue(u, unit) { return fmtNumber(u.value) + ' ' + unit; },
    breakdownCounted(u) {
      if (u.counted) return '计入';
      if (u.review === 'returned') return '已退回，不计入';
      return u.review === 'pending' ? '不计入（待审核，审核通过后计入）' : '不计入（已含在牵头单位全县数中）';
    },
    evidenceOf(e) { return (e.data && e.data.evidence) || []; },
    indicatorsOf(e) { return (e.data && e.data.indicators) || []; },
    answerEntry(id) { return this.answerForm[`${this.current.stream}/${id}`] || { summary: '', errors: {} }; },
    async signNotice(id) {
      const form = this.answerEntry(id);
      const ev = await this.submit(this.current.stream, 'NoticeSigned', { notice_id: id }, form.errors);
      if (ev) { this.notice = `已签收督办 ${this.noticeLabel(this.current, id)}`; await this.refresh(); }
    },
    // A notice's 文号 on `item`, else its id (session 7, B1).
    noticeLabel(item, id) {
      const n = item && (item.open_notices || []).find((o) => o.id === id);
      return (n && n.number) || id;
    },
    // 签收 state of a notice, for its line on the item page and in the review list.
    signText(n) {
      if (n.signed) return `${n.signed_by || ''}已于 ${fmtTime(n.signed_at)} 签收`;
      if (n.answered) return '未单独签收，已答复视同签收';
      if (n.sign_overdue) return `逾期未签收（应于 ${n.sign_by} 前签收）`;
      return n.sign_by ? `待签收（${n.sign_by} 前）` : '待签收';
    },
    // ---- 时限 (milestones) on the item page ----
    milestoneEntry(name) {
      return this.milestoneForm[`${this.current.stream}/${name}`] || { action: '', due: '', reason: '', note: '', errors: {} };
    },
    milestoneOpen(d) { return ['not_due', 'approaching', 'overdue'].includes(d.state); },
    // The milestone's state in one line: 已完成 by whom and when, 已调整 from → to, 已取消 why.
    milestoneDetail(d) {
      const parts = [];
      if (d.met) parts.push(`${d.met.date} 由${d.met.by_label}完成${d.met.on_time ? '' : '（逾期完成）'}`);
      if (d.cancelled) parts.push(`取消理由：${d.cancelled.reason}`);
      if (d.adjusted) parts.push(`已调整：${d.adjusted.from} → ${d.adjusted.to}（${d.adjusted.reason || '未说明理由'}）`);
      if (d.pending_claims.length && this.milestoneOpen(d)) parts.push(`第 ${d.pending_claims.join('、')} 版报送称已完成，待审核`);
      if (this.milestoneOpen(d)) parts.push(d.days_left < 0 ? `已逾期 ${-d.days_left} 天` : `还剩 ${d.days_left} 天`);
      return parts.join('；');
    },
    milestoneChangeText(h) {
      switch (h.kind) {
        case 'set': return `设定时限 ${h.due}`;
        case 'moved': return `调整时限 ${h.from} → ${h.due}：${h.text || '未说明理由'}`;
        case 'met': return h.report_version ? `第 ${h.report_version} 版报送审核通过，时限完成` : `工作专班确认完成${h.text ? '：' + h.text : ''}`;
        case 'cancelled': return `取消：${h.text}`;
        default: return h.label;
      }
    },
    startMilestone(name, action) {
      const form = this.milestoneEntry(name);
      form.action = form.action === action ? '' : action;
      form.errors = {};
    },
    async submitMilestone(d) {
      const form = this.milestoneEntry(d.milestone);
      const stream = this.current.stream;
      let ev = null;
      if (form.action === 'met') {
        ev = await this.submit(stream, 'MilestoneMet', { milestone: d.milestone, note: form.note }, form.errors);
        if (ev) this.notice = `已确认时限“${d.milestone}”完成`;
      } else if (form.action === 'move') {
        ev = await this.submit(stream, 'DeadlineSet', { milestone: d.milestone, due: form.due, reason: form.reason }, form.errors);
        if (ev) this.notice = `已将时限“${d.milestone}”调整至 ${form.due}`;
      } else if (form.action === 'cancel') {
        if (!window.confirm(`确认取消时限“${d.milestone}”？取消后不再预警，也不能恢复。`)) return;
        ev = await this.submit(stream, 'MilestoneCancelled', { milestone: d.milestone, reason: form.reason }, form.errors);
        if (ev) this.notice = `已取消时限“${d.milestone}”`;
      }
      if (ev) { Object.assign(form, { action: '', due: '', reason: '', note: '' }); await this.refresh(); }
    },

    async answerNotice(id) {
      const form = this.answerEntry(id);
      const key = `${this.current.stream}/${id}`;
      const data = { notice_id: id, summary: form.summary };
      if (this.attachmentsFor(key).length) data.attachments = this.attachmentsFor(key);
      const label = this.noticeLabel(this.current, id);
      const ev = await this.submit(this.current.stream, 'NoticeAnswered', data, form.errors);
      if (ev) { form.summary = ''; this.clearAttachments(key); this.notice = `已答复督办 ${label}`; await this.refresh(); }
    },

    // ---- 单位视图 ----
    get unitEntry() {
      if (!this.view) return null;
      return this.view.rendered.units.find((u) => u.unit === this.unitName) || null;
    },
    // The summary cards by warning level, read from the view's per-unit tally
    // (by_warning), which counts exactly the rows of the tables below.
    get unitWarningCards() {
      const u = this.unitEntry;
      if (!u || !u.by_warning) return [];
      const labels = { none: '无预警', blue: '蓝色预警', yellow: '黄色预警', red: '红色预警' };
      return ['none', 'blue', 'yellow', 'red'].map((level) => ({ level, label: labels[level], count: u.by_warning[level] || 0 }));
    },
    get unitChoices() { return this.view ? this.view.rendered.units.map((u) => u.unit) : []; },
    unitTasks(nos) { return nos.map((no) => this.tasks.find((t) => t.no === no)).filter(Boolean); },
    unitMajors(nos) { return nos.map((no) => this.majors.find((m) => m.no === no)).filter(Boolean); },
    get unitDue() {
      const u = this.unitEntry;
      if (!u) return [];
      const items = [...this.unitTasks([...u.led, ...u.cooperating]), ...this.unitMajors(u.major_items)];
      const due = [];
      for (const item of items) {
        if (item.status === 'completed') continue;
        for (const d of item.deadlines) {
          if (d.state === 'met' || d.state === 'cancelled') continue;
          due.push({ item, what: `时限：${d.milestone}`, due: d.due, days: d.days_left, overdue: d.overdue });
        }
        for (const n of item.open_notices) {
          const days = Math.round((Date.parse(n.due) - Date.parse(this.today)) / 86400000);
          // Answered, not yet closed: 统计 counts it as 未销号督办, so it is listed too (session 7, B3).
          if (n.answered) {
            due.push({ item, what: `督办 ${n.number || n.id} 待销号（已反馈整改，待工作专班销号）：${n.reason}`, due: n.due, days, overdue: false, closing: true });
            continue;
          }
          due.push({ item, what: `督办 ${n.number || n.id}：${n.reason}${n.sign_overdue ? '（逾期未签收）' : ''}`, due: n.due, days, overdue: n.overdue });
        }
      }
      return due.sort((a, b) => a.due.localeCompare(b.due));
    },

    // ---- 报送 ----
    get myItems() { return this.allItems.filter((i) => this.involves(i, this.myUnit)); },
    get reportSpec() { return this.report.stream ? this.catalogEntry(this.report.stream) : null; },
    // Only a lead unit may report a county-wide figure (全县数); others see no box.
    get reportLeads() {
      const spec = this.reportSpec;
      if (!spec || !this.me || this.me.role !== 'department') return false;
      const leads = this.report.stream.startsWith('task-') ? [spec.lead_unit] : spec.units;
      return leads.includes(this.me.unit);
    },
    // The month a report is most likely for: up to the due day (报送期限, the
    // 10th) it is last month's, which is what falls due; after it, this month's.
    defaultReportPeriod() {
      const [y, m, d] = this.today.split('-').map(Number);
      const dueDay = this.view ? (this.view.rendered.report_due_day || 10) : 10;
      if (d > dueDay) return this.today.slice(0, 7);
      return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
    },
    pickReportStream(stream) {
      this.report = { ...emptyReport(), stream, period: this.defaultReportPeriod() };
      this.errors = {};
      this.formOk = '';
    },
    addEvidence() { this.report.evidence.push({ title: '', uri: '' }); },
    removeEvidence(i) { this.report.evidence.splice(i, 1); },
    async submitReport() {
      this.formOk = '';
      const r = this.report;
      if (!r.stream) { this.errors = { stream: '请选择任务' }; return; }
      // Every obvious mistake at once, each beside its box (form_checks.js).
      const mistakes = checkReport(r, this.reportSpec ? this.reportSpec.targets.length : 0, this.today);
      if (Object.keys(mistakes).length) { this.errors = mistakes; return; }
      const spec = this.reportSpec;
      const data = { period: r.period, summary: r.summary, percent: r.percent === '' ? null : Number(r.percent) };
      const indicators = [];
      (spec ? spec.targets : []).forEach((t, i) => {
        const v = r.indicators[i];
        if (v === undefined || v === '') return;
        const entry = { indicator: t.indicator, value: Number(v), unit: t.unit };
        if (this.reportLeads && r.county[i]) entry.scope = 'county';
        indicators.push(entry);
      });
      if (indicators.length) data.indicators = indicators;
      const evidence = r.evidence.filter((e) => e.title.trim() || e.uri.trim());
      if (evidence.length) data.evidence = evidence;
      if (r.milestones_met.length) data.milestones_met = [...r.milestones_met];
      if (this.attachmentsFor('report').length) data.attachments = this.attachmentsFor('report');
      this.errors = {};
      const ev = await this.submit(r.stream, 'ProgressReported', data, this.errors);
      if (!ev) {
        // A field the form has no box for is shown at the form's foot.
        const stray = Object.keys(this.errors).find((k) => k !== '_' && !/^(period|summary|percent|indicators|evidence|milestones_met|attachments)/.test(k));
        if (stray) this.errors._ = this.errors[stray];
        return;
      }
      this.notice = `已报送：${this.itemTitle(this.itemByStream(r.stream))}（第 ${ev.version} 版）`;
      const target = this.itemHash(this.itemByStream(r.stream));
      this.report = emptyReport();
      this.clearAttachments('report');
      this.go(target);
      await this.refresh();
    },
    fieldError(field) { return this.errors[field] || ''; },
    // The report's item's milestones a report may say it meets: neither met nor cancelled.
    get reportMilestones() {
      const item = this.report.stream ? this.itemByStream(this.report.stream) : null;
      return item ? item.deadlines.filter((d) => ['not_due', 'approaching', 'overdue'].includes(d.state)) : [];
    },
    milestonesMetError() {
      const key = Object.keys(this.errors).find((k) => k.startsWith('milestones_met'));
      return key ? this.errors[key] : '';
    },
    indicatorError(i) {
      const keys = Object.keys(this.errors);
      const key = keys.find((k) => k.startsWith(`indicators[${this.indicatorIndex(i)}]`));
      return key ? this.errors[key] : '';
    },
    // The i-th target's position among the indicators actually sent.
    indicatorIndex(i) {
      let n = 0;
      for (let j = 0; j < i; j++) if (this.report.indicators[j] !== undefined && this.report.indicators[j] !== '') n++;
      return n;
    },
    evidenceError(i) {
      const key = Object.keys(this.errors).find((k) => k.startsWith(`evidence[${i}]`));
      return key ? this.errors[key] : '';
    },

    // ---- 审核督办 ----
    focusStream(stream) {
      this.noticeForm.stream = stream;
      this.deadlineForm.stream = stream;
      this.stateForm.stream = stream;
      this.suggestNoticeId();
    },
    suggestNoticeId() {
      const s = this.noticeForm.stream;
      const tag = s ? s.replace('task-', 'T').replace('major-', 'M') : 'DB';
      this.noticeForm.notice_id = `DB-${this.today.replaceAll('-', '')}-${tag}`;
    },
    get openNotices() {
      const out = [];
      for (const item of this.allItems) for (const n of item.open_notices) out.push({ item, notice: n });
      return out.sort((a, b) => a.notice.due.localeCompare(b.notice.due));
    },
    closeEntry(item, id) { return this.closeForm[`${item.stream}/${id}`] || { comment: '', unanswered_reason: '', errors: {} }; },
    // 销号 shows the unit's answer beside the button; closing an unanswered
    // notice (未整改销号) needs a reason and a confirmation, and counts against the unit.
    async closeNotice(item, notice) {
      const id = notice.id;
      const form = this.closeEntry(item, id);
      const data = { notice_id: id };
      if (form.comment.trim()) data.comment = form.comment.trim();
      if (!notice.answered) {
        const reason = (form.unanswered_reason || '').trim();
        for (const k of Object.keys(form.errors)) delete form.errors[k];
        if (!reason) { form.errors.unanswered_reason = '该督办尚未答复，未整改销号须填写理由'; return; }
        const label = notice.number || id;
        if (!window.confirm(`督办 ${label} 尚未答复整改情况。确认按“未整改销号”处理？此项将计入该单位年终考核（督办整改）扣分。`)) return;
        data.unanswered_reason = reason;
      }
      const ev = await this.submit(item.stream, 'NoticeClosed', data, form.errors);
      if (ev) {
        const label = notice.number || id;
        this.notice = data.unanswered_reason ? `督办 ${label} 已未整改销号` : `督办 ${label} 已销号`;
        form.comment = ''; form.unanswered_reason = '';
        await this.refresh();
      }
    },
    noticeErrors: {},
    async issueNotice() {
      const f = this.noticeForm;
      if (!showErrors(this.noticeErrors, checkNotice(f, this.today))) return;
      const ev = await this.submit(f.stream, 'NoticeIssued', { notice_id: f.notice_id, reason: f.reason, due: f.due }, this.noticeErrors);
      if (ev) {
        const id = f.notice_id;
        f.reason = ''; f.due = '';
        await this.refresh();
        // The 文号 is assigned at issue: read it back from the stored event, else the refreshed item.
        const number = (ev.data && ev.data.number) || this.noticeLabel(this.itemByStream(f.stream), id);
        this.notice = `已下发督办 ${number}`;
        this.suggestNoticeId();
      }
    },
    deadlineErrors: {},
    async setDeadline() {
      const f = this.deadlineForm;
      if (!showErrors(this.deadlineErrors, checkDeadline(f))) return;
      const data = { milestone: f.milestone, due: f.due };
      if (f.reason) data.reason = f.reason;
      const ev = await this.submit(f.stream, 'DeadlineSet', data, this.deadlineErrors);
      if (ev) { this.notice = `已设定时限“${f.milestone}”：${f.due}`; f.milestone = ''; f.due = ''; f.reason = ''; await this.refresh(); }
    },
    stateErrors: {},
    get stateItem() { return this.stateForm.stream ? this.itemByStream(this.stateForm.stream) : null; },
    async changeState() {
      const item = this.stateItem;
      if (!item) { this.stateErrors = { stream: '请选择任务' }; return; }
      const completing = item.status !== 'completed';
      const data = completing ? { summary: this.stateForm.text } : { reason: this.stateForm.text };
      const ev = await this.submit(item.stream, completing ? 'TaskCompleted' : 'TaskReopened', data, this.stateErrors);
      if (ev) { this.notice = `${this.itemTitle(item)} 已${completing ? '完成销号' : '重新启动'}`; this.stateForm.text = ''; await this.refresh(); }
    },

    // ---- 年终考核 ----
    // From the supervision start's year (the board's supervision_start): the
    // years before it are 未纳入督办 and not offered.
    get yearChoices() {
      const start = this.view && this.view.rendered.supervision_start;
      const first = start ? Number(start.slice(0, 4)) : 2024;
      const years = new Set([2024, 2025, 2026, 2027, this.defaultYear].filter((y) => y >= first));
      years.add(Math.max(first, this.defaultYear));
      return [...years].sort();
    },
    async loadAssessment() {
      const reply = await this.get(`/api/v1/views/assessment${query({ year: this.year })}`);
      this.assessment = reply;
      this.$nextTick(() => this.drawAssessmentChart());
    },
    pickYear(y) { this.go(`#/assessment/${y}`); },
    // In the view's order, which is its ranking (名次, the exports' too).
    get assessmentUnits() {
      return this.assessment ? this.assessment.rendered.units : [];
    },
    get assessmentColumns() {
      const first = this.assessment && this.assessment.rendered.units[0];
      return first ? first.lines.map((l) => ({ rule: l.rule, label: l.label, max: l.max })) : [];
    },
    lineOf(unit, rule) { return unit.lines.find((l) => l.rule === rule) || null; },
    linePoints(unit, rule) {
      const line = this.lineOf(unit, rule);
      if (!line) return '—';
      return line.applicable === false ? '不适用' : fmtNumber(line.points);
    },
    scoreText(unit) { return unit.score === null ? '不适用' : fmtNumber(unit.score); },
    // What a score rests on, as the view words it ("据1件督办（依据不足）");
    // '' for 加减分, 不适用 lines and results frozen before bases existed.
    lineBasis(unit, rule) {
      const line = this.lineOf(unit, rule);
      return line && line.applicable !== false && line.basis ? line.basis.text : '';
    },
    lineThin(unit, rule) {
      const line = this.lineOf(unit, rule);
      return Boolean(line && line.basis && line.basis.thin);
    },
    // The rules' threshold of 依据不足 (display only; default 3).
    get minBasis() {
      const rules = this.assessment && this.assessment.rendered.rules;
      return (rules && rules.min_basis) || 3;
    },
    // Whether the year's last day (China time) has come: before it, a freeze is early.
    get yearOver() { return this.today >= `${this.year}-12-31`; },
    drawAssessmentChart() {
      const units = [...this.assessmentUnits].reverse();
      renderChart('chart-assessment', {
        textStyle: { fontFamily: FONT },
        grid: { left: 8, right: units.some((u) => u.basis && u.basis.thin.length) ? 110 : 40, top: 8, bottom: 8, containLabel: true },
        // The bar's label and tooltip carry the unit's basis, so the chart
        // never shows a score apart from what it rests on (依据不足).
        tooltip: {
          trigger: 'axis', axisPointer: { type: 'shadow' },
          formatter: (ps) => {
            const u = units[ps[0].dataIndex];
            const lines = [u.unit, `综合得分 ${this.scoreText(u)}`];
            if (u.basis) lines.push(u.basis.text);
            // echarts reads the tooltip as HTML: each line as text.
            return lines.map((l) => String(l).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)).join('<br>');
          },
        },
        xAxis: { type: 'value', name: '分' },
        yAxis: { type: 'category', data: units.map((u) => u.unit), axisLabel: { width: 120, overflow: 'truncate' } },
        series: [{
          type: 'bar', name: '综合得分', data: units.map((u) => (u.score === null ? 0 : u.score)), barMaxWidth: 18,
          itemStyle: { color: '#b71c1c' },
          label: {
            show: true, position: 'right',
            formatter: (p) => {
              const thin = units[p.dataIndex].basis ? units[p.dataIndex].basis.thin.length : 0;
              return thin ? `${fmtNumber(p.value)}（${thin}项依据不足）` : fmtNumber(p.value);
            },
          },
        }],
      });
    },
    adjustErrors: {},
    async adjust() {
      const f = this.adjustForm;
      const data = { unit: f.unit, year: this.year, points: f.points === '' ? null : Number(f.points), reason: f.reason };
      const ev = await this.submitAssessment('AssessmentAdjusted', data, this.adjustErrors);
      if (ev) { this.notice = `已为${f.unit}${data.points > 0 ? '加' : '减'}${Math.abs(data.points)}分`; this.adjustForm = { unit: '', points: '', reason: '' }; await this.refresh(); }
    },
    freezeErrors: {},
    async freeze() {
      const early = !this.yearOver;
      const question = early
        ? `${this.year} 年度尚未结束，确认提前定格？定格后考核结果不再变化，也不能再加减分。`
        : `确认将 ${this.year} 年度考核定格？定格后不能再加减分。`;
      if (!window.confirm(question)) return;
      const data = { year: this.year };
      if (early) Object.assign(data, { early: true, reason: this.freezeForm.reason });
      const ev = await this.submitAssessment('YearFrozen', data, this.freezeErrors);
      if (ev) { this.notice = `${this.year} 年度考核已${early ? '提前' : ''}定格`; this.freezeForm = { reason: '' }; await this.refresh(); }
    },
    async submitAssessment(type, data, errs) {
      for (const k of Object.keys(errs)) delete errs[k];
      try {
        const reply = await request(this.token, `/api/v1/assessment/${this.year}/events`, {
          method: 'POST', body: { type, data, event_id: crypto.randomUUID() },
        });
        this.minPosition = reply.event.position;
        return reply.event;
      } catch (e) {
        const field = e.error.field ? e.error.field.replace(/^data\./, '') : '';
        if (field) errs[field] = explain({ ...e.error, field });
        else errs._ = explain(e.error);
        return null;
      }
    },

    // ---- 审计 ----
    async runVerify() {
      this.verify = null;
      try { this.verify = await this.get('/api/v1/audit/verify'); } catch (e) { this.banner = explain(e.error); }
    },
    async fetchDigest() {
      try { this.digest = await this.get('/api/v1/audit/digest'); } catch (e) { this.banner = explain(e.error); }
    },
    get digestText() { return this.digest ? JSON.stringify(this.digest, null, 2) : ''; },
    saveDigest() {
      const blob = new Blob([this.digestText + '\n'], { type: 'application/json' });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `kuimen-digest-${this.digest.position}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    },
    async checkDigest() {
      this.digestCheck = null;
      let body;
      try { body = JSON.parse(this.digestInput); } catch (e) { this.digestCheck = { ok: false, reason: '不是有效的 JSON，请粘贴完整的摘要' }; return; }
      try {
        this.digestCheck = await request(this.token, '/api/v1/audit/digest/check', { method: 'POST', body });
      } catch (e) {
        this.digestCheck = { ok: false, reason: explain(e.error) };
      }
    },
    async loadAsOf() {
      if (!this.asOfDate) return;
      this.asOf = null;
      try {
        this.asOf = await this.get(`/api/v1/views/supervision${query({ as_of: this.asOfDate })}`);
      } catch (e) {
        this.banner = explain(e.error);
      }
    },
    stepAsOf(days) {
      const base = this.asOfDate || this.today;
      const d = new Date(`${base}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() + days);
      const next = d.toISOString().slice(0, 10);
      this.asOfDate = next > this.today ? this.today : next;
      this.loadAsOf();
    },

    // ---- 账号管理 ----
    async loadAdmin() {
      const [p, t] = await Promise.all([this.get('/api/v1/principals'), this.get('/api/v1/townships')]);
      this.principals = p.principals;
      this.townships = t.townships;
    },
    get principalUnits() { return [...this.departmentUnits, ...this.townships]; },
    principalErrors: {},
    async createPrincipal() {
      this.principalErrors = {};
      this.issued = null;
      const f = this.principalForm;
      const body = { name: f.name, role: f.role };
      if (f.role === 'department') body.unit = f.unit;
      try {
        this.issued = await request(this.token, '/api/v1/principals', { method: 'POST', body });
        this.copied = false;
        this.principalForm = { name: '', role: f.role, unit: '' };
        await this.loadAdmin();
      } catch (e) {
        if (e.error.field) this.principalErrors[e.error.field] = explain(e.error);
        else this.principalErrors._ = explain(e.error);
      }
    },
    // 复制令牌: the clipboard where the page is a secure context (HTTPS or
    // loopback), else the old select-and-copy.
    async copyIssuedToken() {
      const text = this.issued ? this.issued.token : '';
      try {
        await navigator.clipboard.writeText(text);
      } catch (e) {
        const area = document.createElement('textarea');
        area.value = text;
        document.body.appendChild(area);
        area.select();
        document.execCommand('copy');
        area.remove();
      }
      this.copied = true;
    },
    async revoke(p) {
      if (!window.confirm(`撤销 ${p.name}（${p.id}）的令牌？撤销后立即失效。`)) return;
      try {
        await request(this.token, `/api/v1/principals/${encodeURIComponent(p.id)}`, { method: 'DELETE' });
        await this.loadAdmin();
      } catch (e) {
        this.banner = explain(e.error);
      }
    },
    townshipErrors: {},
    async addTownship() {
      this.townshipErrors = {};
      try {
        await request(this.token, '/api/v1/townships', { method: 'POST', body: { name: this.townshipForm.name } });
        this.townshipForm.name = '';
        await this.loadAdmin();
      } catch (e) {
        this.townshipErrors[e.error.field || '_'] = explain(e.error);
      }
    },
  };
}

Alpine.data('app', app);
window.Alpine = Alpine;
Alpine.start();
