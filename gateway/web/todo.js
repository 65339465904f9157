// 待办 and 催办: GET /api/v1/todo (a department's own unit), GET /api/v1/urge
// (the task force's list by unit) and POST /api/v1/urge (one unit, or "all").
// Mixed into the app component (app.js spreads todoPages()); methods only,
// no getters, so spreading copies no stale values.

export function todoPages({ request, query, explain }) {
  return {
    todo: null,          // GET /api/v1/todo
    urgeList: null,      // GET /api/v1/urge
    todoBadge: 0,        // 待办 rows (department) or units owing (task force), in the navigation
    urgeText: '',
    urgeMessage: '',
    urgeError: '',
    urgeBusy: false,

    // The navigation's count: read on every refresh, whatever the page.
    async loadTodoBadge() {
      if (!this.me) return;
      if (this.me.role === 'department') {
        this.todo = await request(this.token, `/api/v1/todo${query({ min_position: this.minPosition })}`);
        this.todoBadge = this.todo.total;
      } else if (this.me.role === 'taskforce') {
        this.urgeList = await request(this.token, `/api/v1/urge${query({ min_position: this.minPosition })}`);
        this.todoBadge = this.urgeList.units.length;
      }
    },

    todoCountText(counts) {
      const parts = [['report', '报送'], ['notice_sign', '签收'], ['notice_answer', '整改'], ['milestone', '时限'], ['urge', '催办']]
        .filter(([k]) => counts[k] > 0).map(([k, l]) => `${l}${counts[k]}`);
      return parts.length ? parts.join(' · ') : '无';
    },

    todoWhat(row) {
      if (row.kind === 'urge') return row.urge_text ? `催办：${row.urge_text}` : '催办';
      return row.item || '';
    },

    async urge(unit) {
      this.urgeMessage = '';
      this.urgeError = '';
      this.urgeBusy = true;
      try {
        const body = { unit };
        if (this.urgeText.trim()) body.text = this.urgeText.trim();
        const reply = await request(this.token, '/api/v1/urge', { method: 'POST', body });
        this.urgeMessage = unit === 'all' ? `已催办全部有待办的单位（${reply.units.length}个）` : `已催办${unit}`;
        this.urgeText = '';
        this.minPosition = reply.event.position;
        await this.refresh();
      } catch (e) {
        this.urgeError = explain(e.error);
      } finally {
        this.urgeBusy = false;
      }
    },
  };
}
