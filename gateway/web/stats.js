// 统计 · statistics: GET /api/v1/stats/units (the 统计 page: a table by unit)
// and GET /api/v1/stats/tasks/{no} (on the item page: the indicator by month
// against its target line, and 总体进度). Mixed into the app component
// (app.js spreads statsPage()); methods only, no getters. The figures are the
// server's; nothing here recounts them.

function fmt(n) {
  if (n === null || n === undefined) return '—';
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}

export function statsPage({ request, query, renderChart, font }) {
  return {
    stats: null,          // GET /api/v1/stats/units
    taskStats: null,      // GET /api/v1/stats/tasks/{no} of the item shown
    statsYear: null,

    async loadStats() {
      this.stats = await request(this.token, `/api/v1/stats/units${query({ year: this.statsYear || this.defaultYear })}`);
    },

    statsRate(u) { return u.reports.on_time_rate === null ? '—' : `${fmt(u.reports.on_time_rate)}%`; },
    statsTrend(u) {
      if (!u.score_trend.length) return '—';
      return u.score_trend.map((t) => t.in_scope === false ? `${t.year}年 未纳入督办` : `${t.year}年 ${fmt(t.score)}分${t.rank ? `（第${t.rank}名）` : ''}${t.frozen ? '·定格' : ''}`).join('；');
    },
    statsTasks(list) { return list.length ? list.join('、') : '—'; },

    // 检索 on the same page: GET /api/v1/search over report summaries, notice
    // answers, 领导批示 and evidence file names (20 a page, newest first).
    searchText: '',
    searchResult: null,
    searchError: '',
    async runSearch(offset = 0) {
      this.searchError = '';
      try {
        this.searchResult = await request(this.token, `/api/v1/search${query({ q: this.searchText, offset, limit: 20 })}`);
      } catch (e) {
        this.searchResult = null;
        this.searchError = e.message;
      }
    },

    async loadTaskStats(stream) {
      const task = stream.match(/^task-(\d+)$/);
      if (!task) { this.taskStats = null; return; }
      const reply = await request(this.token, `/api/v1/stats/tasks/${Number(task[1])}`);
      if (!this.current || this.current.stream !== stream) return;
      this.taskStats = reply;
      this.$nextTick(() => this.drawTaskStats());
    },

    // One chart per indicator (its county figure by month, the target as a
    // dashed line) and one for 总体进度 (percent, against 100%).
    drawTaskStats() {
      const s = this.taskStats;
      if (!s) return;
      const line = (name, data, color) => ({ type: 'line', name, data, connectNulls: false, symbolSize: 6, itemStyle: { color }, label: { show: true, formatter: (p) => fmt(p.value) } });
      const target = (value) => (value === null ? [] : [{ type: 'line', name: '目标', data: s.months.map(() => value), symbol: 'none', lineStyle: { type: 'dashed', color: '#b71c1c' }, itemStyle: { color: '#b71c1c' } }]);
      const base = (unit, series, max) => ({
        textStyle: { fontFamily: font },
        grid: { left: 48, right: 24, top: 36, bottom: 32 },
        legend: { top: 0 },
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'category', data: s.months },
        yAxis: { type: 'value', name: unit, max },
        series,
      });
      s.indicators.forEach((ind, i) => {
        renderChart(`chart-task-indicator-${i}`, base(ind.unit, [line(ind.indicator, ind.values, '#1565c0'), ...target(ind.target)],
          (v) => Math.max(v.max, ind.target || 0)));
      });
      renderChart('chart-task-progress', base('%', [line('总体进度', s.progress, '#2e7d32'), ...target(100)], 100));
    },
  };
}
