// 领导批示 · the 批示 panel of the item page: a county leader (role `leader`)
// writes an InstructionGiven on the item or on one of its open notices, with
// files attached if any (files.js uploads them); every
// reader sees the item's 批示 (the supervision view's `instructions`). Mixed
// into the app component like review_queue.js: state and methods only, no
// getters. Uses the component's submit() and refresh().

export const INSTRUCTION_MAX_CHARS = 4000;

// One 批示 as a list item, the same markup wherever a 批示 is listed (the
// item page's 领导批示 and the 单位视图's): heading, text, attachments.
// Plain DOM, text set as text (never HTML). `ctx` gives what the item needs
// from the page: heading(i), fmtSize(bytes), openAttachment(a), and, for a
// list spanning items, itemLink(stream) -> { href, title } put before the
// heading; without it the item carries data-version (its stream's version).
export function instructionItem(i, ctx) {
  const li = document.createElement('li');
  li.className = 'instruction';
  if (!ctx.itemLink) li.dataset.version = String(i.version);
  const by = document.createElement('p');
  by.className = 'instruction-by';
  if (ctx.itemLink) {
    const { href, title } = ctx.itemLink(i.stream);
    const link = document.createElement('a');
    link.href = href;
    link.textContent = title;
    const heading = document.createElement('span');
    heading.textContent = ctx.heading(i);
    by.append(link, ' · ', heading);
  } else {
    by.textContent = ctx.heading(i);
  }
  const text = document.createElement('p');
  text.className = 'instruction-text';
  text.textContent = i.text;
  li.append(by, text);
  const files = i.attachments || [];
  if (files.length) {
    const ul = document.createElement('ul');
    ul.className = 'plain small attachments';
    for (const a of files) {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = '#';
      link.className = 'attachment';
      link.dataset.sha256 = a.sha256;
      link.textContent = a.name;
      link.addEventListener('click', (e) => { e.preventDefault(); ctx.openAttachment(a); });
      const size = document.createElement('small');
      size.textContent = `（${ctx.fmtSize(a.size)}）`;
      item.append('附件：', link, ' ', size);
      ul.append(item);
    }
    li.append(ul);
  }
  return li;
}

// Fills `list` (an <ol>) with the 批示 `items`, replacing what it held.
export function renderInstructionList(list, items, ctx) {
  list.replaceChildren(...(items || []).map((i) => instructionItem(i, ctx)));
}

export function instructionPanel() {
  return {
    instructionForm: { text: '', notice_id: '', errors: {}, ok: '' },

    // "县委副书记 李四 · 2024-12-05 10:00 · 关于督办通知 奉三位一体督〔2024〕1号"
    instructionHeading(i) {
      const on = i.notice_id ? ` · 关于督办通知 ${i.notice_number || i.notice_id}` : '';
      return `${i.leader_name} · ${this.fmtTime(i.given_at)}${on}`;
    },

    // Renders a 批示 list from the page (x-effect): `acrossItems` for the
    // 单位视图, whose 批示 come from several items and link to each.
    renderInstructions(list, items, acrossItems) {
      renderInstructionList(list, items, {
        heading: (i) => this.instructionHeading(i),
        fmtSize: (bytes) => this.fmtSize(bytes),
        openAttachment: (a) => this.openAttachment(a),
        itemLink: acrossItems
          ? (stream) => {
            const item = this.itemByStream(stream);
            return { href: this.itemHash(item), title: this.itemTitle(item) };
          }
          : null,
      });
    },

    async giveInstruction(stream) {
      const form = this.instructionForm;
      form.ok = '';
      form.errors = {};
      if (!form.text.trim()) { form.errors = { text: '批示内容不能为空' }; return; }
      if ([...form.text].length > INSTRUCTION_MAX_CHARS) {
        form.errors = { text: `批示内容最多${INSTRUCTION_MAX_CHARS}字` };
        return;
      }
      const data = { text: form.text };
      if (form.notice_id) data.notice_id = form.notice_id;
      if (this.attachmentsFor('instruction').length) data.attachments = this.attachmentsFor('instruction');
      const errs = {};
      const event = await this.submit(stream, 'InstructionGiven', data, errs);
      if (!event) {
        // A refused file names its place in the list (attachments[0].sha256): shown under the picker.
        const file = Object.keys(errs).find((k) => k.startsWith('attachments'));
        form.errors = file ? { ...errs, attachments: errs[file] } : errs;
        return;
      }
      form.text = '';
      form.notice_id = '';
      this.clearAttachments('instruction');
      form.ok = '批示已送达';
      await this.refresh();
    },
  };
}
