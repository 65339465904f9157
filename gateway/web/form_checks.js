// Checks a form before it is sent, all fields at once: the API refuses a
// request with its first error only, so a clerk who left three boxes empty
// would otherwise learn of them one submit at a time. Each check returns
// { field: message } keyed as the API names its fields ("summary",
// "indicators[0].value"), in the API's own Chinese wording, so the page
// shows each beside its box exactly as a refusal would be shown. The server
// still checks everything; these are the obvious ones only (required boxes,
// numbers, dates). Plain functions, no page state.

const blank = (text) => !String(text ?? '').trim();
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

// A 报送 (ProgressReported). `report` is the form's state ({ period, summary,
// percent, indicators: { [target index]: value }, evidence: [{ title, uri }] }),
// `targets` the number of the task's targets, `today` "YYYY-MM-DD" (China
// time). Indicator keys count only the boxes filled, as the request lists
// them; evidence keys count the rows shown.
export function checkReport(report, targets, today) {
  const errors = {};
  if (blank(report.period)) errors.period = '报送期间不能为空';
  else if (!MONTH.test(report.period)) errors.period = '报送期间应为2000年至2100年间的年月，如2024-11';
  else if (today && report.period > today.slice(0, 7)) errors.period = '报送期间不能晚于本月';
  if (blank(report.summary)) errors.summary = '进展情况不能为空';
  if (blank(report.percent)) {
    errors.percent = '总体进度不能为空';
  } else {
    const percent = Number(report.percent);
    if (!Number.isFinite(percent) || percent < 0 || percent > 100) errors.percent = '总体进度应为0到100之间的数';
  }
  let sent = 0;
  for (let i = 0; i < targets; i++) {
    const value = (report.indicators || {})[i];
    if (value === undefined || value === null || value === '') continue;
    const n = Number(value);
    if (!Number.isFinite(n)) errors[`indicators[${sent}].value`] = `第${sent + 1}项指标完成值应为数字`;
    else if (n < 0) errors[`indicators[${sent}].value`] = `第${sent + 1}项指标完成值不能小于0`;
    sent++;
  }
  (report.evidence || []).forEach((e, i) => {
    const title = !blank(e.title), uri = !blank(e.uri);
    if (title === uri) return;  // both filled, or an empty row that is not sent
    errors[`evidence[${i}]`] = title ? `第${i + 1}项佐证材料的链接不能为空` : `第${i + 1}项佐证材料的标题不能为空`;
  });
  return errors;
}

// A 督办 (NoticeIssued): { stream, notice_id, reason, due }.
export function checkNotice(form, today) {
  const errors = {};
  if (blank(form.stream)) errors.stream = '请选择任务';
  if (blank(form.notice_id)) errors.notice_id = '督办编号不能为空';
  if (blank(form.reason)) errors.reason = '督办事由不能为空';
  if (blank(form.due)) errors.due = '办理时限不能为空';
  else if (!DAY.test(form.due)) errors.due = '办理时限不是有效的日期';
  else if (today && form.due < today) errors.due = '办理时限不能早于今天';
  return errors;
}

// A 时限 (DeadlineSet): { stream, milestone, due }.
export function checkDeadline(form) {
  const errors = {};
  if (blank(form.stream)) errors.stream = '请选择任务';
  if (blank(form.milestone)) errors.milestone = '节点名称不能为空';
  if (blank(form.due)) errors.due = '时限不能为空';
  else if (!DAY.test(form.due)) errors.due = '时限不是有效的日期';
  return errors;
}

// Replaces the contents of `target` (the form's errors object, which the page
// watches) by `errors`; true when there are none.
export function showErrors(target, errors) {
  for (const k of Object.keys(target)) delete target[k];
  Object.assign(target, errors);
  return Object.keys(errors).length === 0;
}
