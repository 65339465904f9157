// 打印 · the printable documents: a notice's 督办通知单 and the monthly 情况通报
// (A4 pages of the API, GET …/notices/{id}/print and /api/v1/bulletins/{month}/print).
// Each is fetched first (so a refusal shows its sentence here) and opened in a new tab from a blob,
// where the browser's own print (Ctrl+P) prints it: the page sets A4, the
// title and 第 N 页 共 M 页 on every page. Mixed into the app component
// (app.js spreads printing()); methods and plain state only.

// This month in China time, YYYY-MM: the bulletin offered first.
function chinaMonth() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date());
}

export function printing({ request, explain, itemPath }) {
  return {
    bulletinMonth: chinaMonth(),

    async openPrint(path) {
      this.banner = '';
      // Opened at the click itself, so no pop-up blocker stops it; filled once the page arrives.
      const tab = window.open('', '_blank');
      try {
        const response = await request(this.token, path, { raw: true });
        const html = await response.text();
        const url = URL.createObjectURL(new Blob([html], { type: 'text/html;charset=utf-8' }));
        if (tab) tab.location.href = url;
        else window.location.href = url;
        setTimeout(() => URL.revokeObjectURL(url), 60000);
      } catch (e) {
        if (tab) tab.close();
        this.banner = `打开打印页失败：${explain(e.error)}`;
      }
    },

    printNotice(stream, id) {
      return this.openPrint(`${itemPath(stream)}/notices/${encodeURIComponent(id)}/print`);
    },
    printBulletin() {
      return this.openPrint(`/api/v1/bulletins/${this.bulletinMonth}/print`);
    },
    downloadBulletin() {
      return this.download(`/api/v1/bulletins/${this.bulletinMonth}/xlsx`, `情况通报${this.bulletinMonth}.xlsx`);
    },
  };
}
