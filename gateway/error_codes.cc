#include "gateway/error_codes.h"

#include <array>

namespace kuimen {

namespace {

// Adding a refusal: one line here (code, HTTP status, a Chinese sentence, its
// meaning), and the same code in openapi.json's ErrorCode enum. The Status
// that refuses carries the code as its reason (a rule id from
// domain/task_rules.h, or a field problem) and its own Chinese message.
constexpr auto kErrorCodes = std::to_array<ErrorCodeEntry>({
    // --- a field the clerk filled in (400; `field` names it) ---
    {"required", 400, "必填项未填写", "a required field is missing or blank"},
    {"too_long", 400, "填写的内容太长", "a text is longer than its limit"},
    {"too_many_items", 400, "填写的项目太多", "a list holds more items than its limit"},
    {"control_character", 400, "填写的内容含有不可见的控制字符", "a text holds a control character"},
    {"surrounding_space", 400, "名称的开头和结尾不能有空格", "a name begins or ends with a space"},
    {"out_of_range", 400, "填写的数值超出范围", "a number or year is outside its range (also 1e400)"},
    {"invalid_format", 400, "填写的格式不对", "a month, date, time, id or number is not written as required"},
    {"link_scheme", 400, "佐证链接须为网址，不能是脚本、数据或本机文件", "an evidence link that is not an http(s) address (javascript:, data:, file: ...)"},
    {"wrong_type", 400, "填写的类型不对", "a JSON value has the wrong type"},
    {"unknown_value", 400, "填写的选项不在可选范围内", "a value is not one of the allowed choices"},
    {"unknown_field", 400, "请求中有无法识别的字段", "the body holds a field the request does not take"},
    {"invalid_json", 400, "请求内容的格式不对，无法读取", "the body is not JSON"},
    {"repeated_field", 400, "同一字段填写了两次", "a JSON object names a member twice (field: its path)"},
    {"invalid_encoding", 400, "请求内容含有无法识别的文字编码", "the body is not UTF-8"},
    {"conflicting_parameters", 400, "查询条件相互冲突", "query parameters that cannot be combined"},
    {"server_assigned", 400, "此项由服务器填写，请不要填写", "a field the server fills in was sent"},
    {"duplicate", 400, "同一项内容重复填写", "a list names the same thing twice"},
    {"invalid_argument", 400, "填写的内容有误", "a wrong input with no more specific code"},
    // --- the plan's rules about what is filled in (400) ---
    {"period_in_future", 400, "报送期间不能晚于本月", "a report's period is after the current month (China time)"},
    {"due_in_past", 400, "办理时限不能早于今天", "a notice's due date is before today (China time)"},
    {"unknown_indicator", 400, "所填指标不是该事项的指标", "an indicator is not a target of the item"},
    {"wrong_indicator_unit", 400, "指标的计量单位不对", "an indicator's unit is not its target's unit"},
    {"report_not_found", 400, "没有这一版进展报告", "the reviewed report version does not exist"},
    {"notice_not_found", 400, "没有这份督办通知", "the notice id does not exist on the item"},
    {"notice_answered", 400, "该督办通知已反馈整改情况，不需要填写未整改销号理由",
     "an answered notice is closed with an unanswered_reason"},
    {"unknown_unit", 400, "所填单位不是方案中的单位", "a unit is neither a unit of the plan nor a registered township"},
    {"not_a_township", 400, "所填名称是方案中的单位，不是乡镇（街道）", "a township named like a unit of the plan"},
    {"wrong_stream", 400, "该事项不办理这类业务", "the event type does not belong on this stream"},
    {"wrong_year", 400, "考核年度不对", "the event's year is not the assessment stream's year"},
    {"rules_incomplete", 400, "计分规则及其版本须同时记录", "a freeze names rules without their version or back"},
    {"unknown_milestone", 400, "本事项没有这个时限", "a milestone the item does not have"},
    {"milestone_reason_required", 400, "调整时限须说明理由", "moving a milestone needs a reason"},
    {"batch_too_large", 400, "一次选择的报送太多", "a batch approval of more items than its limit"},
    {"attachment_not_found", 400, "所引用的文件尚未上传或已被清理，请重新上传",
     "an event cites a file (attachments[i].sha256) that is not stored"},
    {"attachment_mismatch", 400, "所引用文件的大小或类型与已上传的文件不符",
     "an attachment's size or media_type differs from the stored file's"},
    {"file_too_small", 400, "文件内容为空或过短，请选择要上传的材料文件", "an upload of fewer than 4 bytes"},
    {"invisible_character", 400, "文件名含有不可见的格式字符（如改变文字方向的字符），请重新命名后上传",
     "a file name holds a Unicode format character (category Cf: bidi controls such as U+202E, zero-width "
     "characters, BOM) or a line/paragraph separator"},
    {"bulletin_month_future", 400, "通报月份不能晚于本月", "a bulletin asked for a month after the current one (China time)"},
    {"webhook_userinfo", 400, "接收地址不能含用户名或密码",
     "a webhook URL carries user:password (field url)"},
    {"webhook_host_forbidden", 400, "接收地址不能指向本机、内网或保留地址",
     "a webhook URL's host is loopback, private, link-local, unspecified, multicast or reserved, and not allowed "
     "by --webhook-allow-host (field url)"},
    {"early_not_needed", 400, "该年度已到年末，不需要提前定格", "an early freeze of a year that is over"},
    // --- who may act (401, 403) ---
    {"token_missing", 401, "请先登录：本操作需要账号令牌", "no Authorization header"},
    {"token_malformed", 401, "账号令牌的格式不对，请重新登录", "the Authorization header is not \"Bearer <token>\""},
    {"token_unknown", 401, "账号令牌无效或已注销，请向工作专班申请新的令牌", "the token is unknown or revoked"},
    {"session_expired", 401, "登录已过期或已退出，请重新登录", "the session cookie is unknown, expired or signed out"},
    {"unauthenticated", 401, "请先登录", "unauthenticated, no more specific code"},
    {"auditor_read_only", 403, "审计人员只能查阅，不能填报或修改", "auditors write nothing"},
    {"unit_not_involved", 403, "本单位不是该事项的责任单位或配合单位", "the unit neither leads nor cooperates on the item"},
    {"taskforce_only", 403, "此操作只能由工作专班办理", "only the task force may do this"},
    {"department_only", 403, "此操作只能由责任单位或配合单位办理", "only a responsible or cooperating unit may do this"},
    {"county_figure_lead_only", 403, "只有牵头单位可以报送全县数", "a county-wide figure from a unit that does not lead"},
    {"leader_only", 403, "批示只能由县领导作出", "only a county leader (leader role) writes a 批示"},
    {"leader_instructions_only", 403, "县领导只能作批示，不能填报、审核、督办或登记账号",
     "a county leader writes nothing but 批示 (InstructionGiven)"},
    {"taskforce_or_auditor", 403, "只有工作专班和审计人员可以查看此内容", "only the task force and auditors may read this"},
    {"origin_mismatch", 403, "请求不是从本系统的页面发出的，已拒绝；请在督办系统页面中操作",
     "a write authorized by the session cookie without this server's Origin (CSRF defence)"},
    {"own_unit_only", 403, "只能查看本单位的待办", "a department asks for another unit's 待办"},
    {"permission_denied", 403, "没有权限办理此操作", "forbidden, no more specific code"},
    // --- what does not exist (404) ---
    {"route_not_found", 404, "没有这个页面或接口", "no route has this path"},
    {"item_not_found", 404, "方案中没有这个事项", "the plan has no such task or major item"},
    {"stream_not_found", 404, "没有这个事项", "no stream has this name"},
    {"year_not_found", 404, "没有这个考核年度", "no such assessment year"},
    {"notice_not_issued", 404, "该事项没有这份督办通知", "the item has no notice with this id (printing)"},
    {"principal_not_found", 404, "没有这个账号", "no principal has this id"},
    {"file_not_found", 404, "没有这个文件，或它尚未被报送材料引用", "no stored file with this hash is cited by an event"},
    {"webhook_not_found", 404, "该单位没有登记消息推送地址", "the unit has no webhook to remove"},
    {"not_found", 404, "没有找到所要的内容", "not found, no more specific code"},
    {"method_not_allowed", 405, "不能用这种方式访问该地址", "the path does not answer this method (see Allow)"},
    {"request_timeout", 408, "请求未能及时送达，请重试", "the request's head and body did not arrive in time"},
    // --- the state forbids it (409) ---
    {"version_conflict", 409, "该事项已被他人更新，请刷新后重新提交", "expected_version is stale: re-read and retry"},
    {"event_id_reused", 409, "该请求编号已用于另一次不同的提交，新的提交请使用新的编号",
     "event_id already names a different request"},
    {"task_completed", 409, "该事项已完成，重新启动前不再接受进展报送", "a completed item takes no report"},
    {"task_not_completed", 409, "该事项尚未完成，不需要重新启动", "only a completed item can be reopened"},
    {"report_already_reviewed", 409, "该报告已审核，不能重复审核", "a report is reviewed once"},
    {"report_superseded", 409, "该报告已被新的报告替代，请审核最新报告",
     "a later report by the same unit for the same period replaced it unreviewed"},
    {"milestone_already_met", 409, "该时限已完成，不能再调整、取消或重复确认", "a met milestone takes no change"},
    {"milestone_cancelled", 409, "该时限已取消，不能再调整或确认完成", "a cancelled milestone takes no change"},
    {"notice_id_taken", 409, "已有编号相同的督办通知", "notice ids are unique within an item"},
    {"notice_closed", 409, "该督办通知已销号", "a closed notice takes nothing more"},
    {"notice_already_signed", 409, "该督办通知已签收，不能重复签收", "a notice is signed for once"},
    {"nothing_owed", 409, "目前没有单位有待办事项，无需催办", "催办全部 while no unit owes anything"},
    {"notice_unanswered", 409, "该督办通知尚未反馈整改情况，未整改销号须填写理由",
     "closing an unanswered notice needs unanswered_reason"},
    {"year_frozen", 409, "该年度考核已年终定格，不能再修改", "a frozen assessment year takes nothing more"},
    {"year_not_over", 409, "该年度尚未结束，如需现在定格请选择提前定格并填写理由",
     "freezing before the year's last day needs early and a reason"},
    {"principal_id_taken", 409, "账号编号已存在，请换一个编号", "principal ids are unique"},
    {"principal_already_revoked", 409, "该账号已注销，不能重复注销", "a revoked principal cannot be revoked again"},
    {"last_taskforce", 409, "这是工作专班最后一个有效账号，请先登记新的工作专班账号再注销",
     "the last active task-force principal stays"},
    {"token_taken", 409, "该令牌已被其他账号使用", "a token hash names one principal only"},
    {"township_taken", 409, "该乡镇（街道）已登记，不能重复登记", "a township is registered once"},
    {"failed_precondition", 409, "当前状态下不能办理此操作", "the state forbids it, no more specific code"},
    // --- the request as bytes (the HTTP layer) ---
    {"bad_request", 400, "请求的格式不对", "a malformed request line, path, query or header"},
    {"payload_too_large", 413, "提交的内容太大", "the body is over --max-body (64 KiB)"},
    {"upload_quota_exceeded", 413,
     "本账号已上传但尚未在报送中引用的文件已达上限，本次文件未保存；请先在报送中引用已上传的材料，未引用的文件一天后自动清理",
     "the principal's uploads no event cites yet (stored and in flight) would pass --upload-quota-mb (200); nothing stored"},
    {"upload_daily_exceeded", 413, "本账号24小时内上传的文件已达上限，本次文件未保存；请明天再上传，或联系工作专班",
     "the principal's uploads of the last 24 hours (new files, cited or not, and in flight) would pass --upload-daily-mb (1024); nothing stored"},
    {"unsupported_media_type", 415, "不支持压缩后提交的内容", "a compressed (Content-Encoding) body"},
    {"content_type_not_json", 415, "提交内容的类型不对，请从督办系统页面提交", "a JSON body sent with a Content-Type other than application/json (or +json)"},
    {"file_type_not_allowed", 415,
     "只能上传PDF文件、图片或办公文档（文字、表格）",
     "an upload whose magic bytes (and, for Office containers, extension) are not on the allow-list"},
    {"expectation_failed", 417, "请求的格式不对", "an Expect header other than 100-continue"},
    {"headers_too_large", 431, "请求头太大", "the head is over 32 KiB"},
    {"too_many_headers", 431, "请求头太多", "more than 100 headers"},
    {"not_implemented", 501, "服务器不支持这种访问方式", "a method the server does not answer"},
    {"http_version_not_supported", 505, "服务器不支持这种访问方式", "not HTTP/1.0 or HTTP/1.1"},
    // --- the server (5xx; the log says why) ---
    {"internal", 500, "服务器内部错误，已记录，请联系管理员", "a bug or an unexpected failure"},
    {"data_loss", 500, "服务器存储的数据有误，已记录，请联系管理员", "stored data is unreadable or does not match its hash"},
    {"unavailable", 503, "服务暂时不可用，请稍后重试", "try again later"},
    {"too_many_connections", 503, "当前连接太多，请稍后重试", "this address has too many connections open"},
    {"view_not_served", 503, "本服务器不提供此视图，请联系管理员", "the view is projected by another process"},
    {"view_not_ready", 503, "数据正在更新，请稍后刷新", "the view has not yet applied min_position"},
    {"replay_busy", 503, "服务器正在处理其他历史查询或检索，请稍后再试",
     "every slot for whole-log reads (as-of replays, search, bulletins) stayed taken"},
    {"views_behind", 503, "系统正在更新看板数据，本次提交未保存，请稍后重试",
     "a view served here trails the log by more than --max-view-lag events; nothing appended, retry after Retry-After"},
    {"disk_full", 507, "服务器磁盘已满，本次报送未保存，请稍后重试或联系管理员", "the store's disk is full"},
    {"upload_total_exceeded", 507, "服务器上尚未被报送引用的上传文件已达总量上限，本次文件未保存，请稍后重试或联系管理员",
     "all uploads no event cites yet would pass --upload-total-mb (2048); nothing stored"},
    {"disk_space_low", 507, "服务器磁盘剩余空间不足，本次文件未保存，请联系管理员",
     "the upload could leave the data directory's file system with less than --upload-min-free-mb (1024) free; nothing stored"},
    {"resource_exhausted", 507, "服务器资源不足，本次提交未保存，请稍后重试", "out of a resource other than disk"},
});

}  // namespace

std::span<const ErrorCodeEntry> ErrorCodes() { return kErrorCodes; }

const ErrorCodeEntry* FindErrorCode(std::string_view code) {
  for (const ErrorCodeEntry& entry : kErrorCodes) {
    if (entry.code == code) return &entry;
  }
  return nullptr;
}

}  // namespace kuimen
