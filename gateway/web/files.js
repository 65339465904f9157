// 佐证材料 · uploaded files: a report or an answer picks files, each is
// uploaded at once (POST /api/v1/files, the body is the file itself) and then
// cited by the event (data.attachments); the item page lists them and opens
// one with the reader's session cookie (GET /api/v1/files/{sha256}; images and PDF
// shown, the rest saved). Mixed into the app component (app.js spreads
// fileAttachments()); methods and plain state only.

export function fileAttachments({ explain }) {
  return {
    uploads: {},       // form key ('report', or stream/notice id) -> [{sha256, name, size, media_type}]
    uploadError: {},   // form key -> the server's sentence
    uploading: {},     // form key -> true while a file is being sent

    attachmentsFor(key) { return this.uploads[key] || []; },
    clearAttachments(key) { this.uploads = { ...this.uploads, [key]: [] }; },
    removeAttachment(key, i) {
      const list = [...this.attachmentsFor(key)];
      list.splice(i, 1);
      this.uploads = { ...this.uploads, [key]: list };
    },
    async pickFiles(key, event) {
      const input = event.target;
      const files = [...(input.files || [])];
      this.uploadError = { ...this.uploadError, [key]: '' };
      this.uploading = { ...this.uploading, [key]: true };
      try {
        for (const file of files) {
          let response;
          try {
            response = await fetch(`/api/v1/files?name=${encodeURIComponent(file.name)}`, {
              method: 'POST', body: file,  // the session cookie authorizes it
            });
          } catch (e) {
            this.uploadError = { ...this.uploadError, [key]: '无法连接服务器，文件未上传' };
            return;
          }
          let json = null;
          try { json = await response.json(); } catch (e) { json = null; }
          if (!response.ok) {
            const message = explain(json && json.error) || `文件未能上传（${response.status}）`;
            this.uploadError = { ...this.uploadError, [key]: `${file.name}：${message}` };
            return;
          }
          this.uploads = { ...this.uploads, [key]: [...this.attachmentsFor(key), json] };
        }
      } finally {
        this.uploading = { ...this.uploading, [key]: false };
        input.value = '';
      }
    },
    attachmentsOf(e) { return (e.data && e.data.attachments) || []; },
    fmtSize(bytes) {
      if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
      if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
      return `${bytes} 字节`;
    },
    // Fetch first, so a refusal shows the server's sentence on the page; then
    // show (images, PDF) or save the bytes under the file's own name.
    async openAttachment(a) {
      const response = await fetch(`/api/v1/files/${a.sha256}?name=${encodeURIComponent(a.name)}`);
      if (!response.ok) {
        let json = null;
        try { json = await response.json(); } catch (e) { json = null; }
        this.notice = explain(json && json.error) || '文件未能打开';
        return;
      }
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      if (a.media_type === 'application/pdf' || a.media_type.startsWith('image/')) {
        link.target = '_blank';
        link.rel = 'noopener';
      } else {
        link.download = a.name;
      }
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    },
  };
}
