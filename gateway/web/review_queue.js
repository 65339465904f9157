// 审核督办 · the review queue: GET /api/v1/reviews (filters, paging) and
// POST /api/v1/reviews/approve (批量通过 with one comment). Mixed into the
// app component (app.js spreads reviewQueue()); methods only, no getters, so
// spreading copies no stale values. Uses the component's request helpers
// passed in, its submit(), refresh() and itemByStream().

export const REVIEW_STATES = [
  { value: 'pending', label: '待审核' },
  { value: 'approved', label: '已通过' },
  { value: 'returned', label: '已退回' },
  { value: 'superseded', label: '已被替代' },
  { value: 'all', label: '全部' },
];

const PAGE_SIZE = 20;

export function reviewQueue({ request, query, explain }) {
  return {
    queue: { items: [], total: 0, offset: 0 },
    queueFilter: { unit: '', task: '', period: '', state: 'pending', order: 'newest' },
    queueOffset: 0,
    queueSelected: {},     // queueKey -> true
    batchComment: '',
    batchErrors: {},
    batchId: '',           // kept until the selection is approved, so a retry is the same batch
    reviewComment: {},
    reviewErrors: {},
    reviewStates: REVIEW_STATES,

    queueKey(q) { return `${q.stream}@${q.report_version}`; },

    async loadQueue() {
      const f = this.queueFilter;
      const reply = await request(this.token, `/api/v1/reviews${query({
        unit: f.unit.trim(), task: f.task, period: f.period, state: f.state, order: f.order,
        offset: this.queueOffset, limit: PAGE_SIZE,
      })}`);
      for (const q of reply.items) {
        const key = this.queueKey(q);
        if (this.reviewComment[key] === undefined) this.reviewComment[key] = '';
        if (!this.reviewErrors[key]) this.reviewErrors[key] = {};
      }
      // A selection holds only what is on the page and still waits for review.
      const waiting = new Set(reply.items.filter((q) => q.state === 'pending').map((q) => this.queueKey(q)));
      for (const key of Object.keys(this.queueSelected)) if (!waiting.has(key)) delete this.queueSelected[key];
      this.queue = reply;
    },

    async filterQueue() {
      this.queueOffset = 0;
      this.batchErrors = {};
      try { await this.loadQueue(); } catch (e) { this.batchErrors = { _: explain(e.error) }; }
    },

    async queuePage(step) {
      const next = this.queueOffset + step * PAGE_SIZE;
      if (next < 0 || next >= this.queue.total) return;
      this.queueOffset = next;
      try { await this.loadQueue(); } catch (e) { this.batchErrors = { _: explain(e.error) }; }
    },
    queuePageText() {
      if (!this.queue.total) return '';
      const pages = Math.ceil(this.queue.total / PAGE_SIZE);
      return `第 ${Math.floor(this.queueOffset / PAGE_SIZE) + 1} / ${pages} 页，共 ${this.queue.total} 份`;
    },
    queueHasPrev() { return this.queueOffset > 0; },
    queueHasNext() { return this.queueOffset + PAGE_SIZE < this.queue.total; },

    queueUnits() {
      const units = new Set();
      for (const item of this.allItems) for (const u of this.itemUnits(item)) units.add(u);
      for (const q of this.queue.items) if (q.unit) units.add(q.unit);
      return [...units].sort((a, b) => a.localeCompare(b, 'zh'));
    },
    queueItemTitle(q) { return this.itemTitle(this.itemByStream(q.stream)) || q.stream; },
    queueItemHash(q) { const item = this.itemByStream(q.stream); return item ? this.itemHash(item) : '#/board'; },

    selectable(q) { return q.state === 'pending'; },
    selectedQueue() { return this.queue.items.filter((q) => this.queueSelected[this.queueKey(q)]); },
    allSelected() {
      const open = this.queue.items.filter((q) => this.selectable(q));
      return open.length > 0 && open.every((q) => this.queueSelected[this.queueKey(q)]);
    },
    toggleQueue(q, on) {
      this.batchId = '';
      if (on) this.queueSelected[this.queueKey(q)] = true;
      else delete this.queueSelected[this.queueKey(q)];
    },
    toggleAllQueue(on) {
      for (const q of this.queue.items) if (this.selectable(q)) this.toggleQueue(q, on);
    },

    // 批量通过: one request, one comment; refused as a whole if any report may not be approved.
    async approveSelected() {
      this.batchErrors = {};
      this.banner = '';
      const selected = this.selectedQueue();
      if (!selected.length) { this.batchErrors = { _: '请先勾选要通过的报送' }; return; }
      if (!this.batchId) this.batchId = crypto.randomUUID();
      const body = {
        batch_id: this.batchId,
        items: selected.map((q) => ({ stream: q.stream, report_version: q.report_version })),
      };
      if (this.batchComment.trim()) body.comment = this.batchComment.trim();
      try {
        const reply = await request(this.token, '/api/v1/reviews/approve', { method: 'POST', body });
        const approved = reply.results.filter((r) => r.status === 'approved');
        const failed = reply.results.filter((r) => r.status !== 'approved');
        if (approved.length) this.minPosition = Math.max(...approved.map((r) => r.position));
        if (failed.length) {
          this.batchErrors = { _: `${approved.length} 份已通过，${failed.length} 份未通过：` + failed.map((r) => explain(r.error)).join('；') + '（可再次点击批量通过重试）' };
        } else {
          this.notice = `已批量通过 ${approved.length} 份报送`;
          this.batchComment = '';
          this.batchId = '';
          this.queueSelected = {};
        }
        await this.refresh();
      } catch (e) {
        if (e.status === 401) { this.logout('登录已过期，请重新粘贴令牌登录'); return; }
        this.batchErrors = { _: explain(e.error) };
      }
    },

    async reviewOne(q, decision) {
      const key = this.queueKey(q);
      const errs = this.reviewErrors[key];
      const data = { report_version: q.report_version, decision };
      const comment = (this.reviewComment[key] || '').trim();
      if (comment) data.comment = comment;
      const ev = await this.submit(q.stream, 'ReportReviewed', data, errs);
      if (ev) {
        this.notice = `已${decision === 'approved' ? '通过' : '退回'}：${this.queueItemTitle(q)} 第 ${q.report_version} 版报送`;
        delete this.queueSelected[key];
        await this.refresh();
      }
    },
  };
}
