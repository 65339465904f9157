// 领导批示 · the 批示 panel of the item page: a county leader (role `leader`)
// writes an InstructionGiven on the item or on one of its open notices, with
// files attached if any (files.js uploads them); every
// reader sees the item's 批示 (the supervision view's `instructions`). Mixed
// into the app component like review_queue.js: state and methods only, no
// getters. Uses the component's submit() and refresh().

export const INSTRUCTION_MAX_CHARS = 4000;

export function instructionPanel() {
  return {
    instructionForm: { text: '', notice_id: '', errors: {}, ok: '' },

    // "县委副书记 李四 · 2024-12-05 10:00 · 关于督办通知 奉三位一体督〔2024〕1号"
    instructionHeading(i) {
      const on = i.notice_id ? ` · 关于督办通知 ${i.notice_number || i.notice_id}` : '';
      return `${i.leader_name} · ${this.fmtTime(i.given_at)}${on}`;
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
