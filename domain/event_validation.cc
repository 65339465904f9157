#include "domain/event_validation.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace kuimen {

size_t Utf8Length(std::string_view text) {
  size_t count = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++count;  // count lead bytes only
  }
  return count;
}

std::optional<size_t> FindControlCharacter(std::string_view text, TextKind kind) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) {
      if (kind == TextKind::kLongText && (c == '\n' || c == '\t')) continue;
      return i;
    }
    // U+0080..U+009F (C1 controls) are 0xC2 0x80..0x9F in UTF-8.
    if (c == 0xC2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return i;
    }
  }
  return std::nullopt;
}

namespace {

// A field the clerk filled in: its path in the event data ("summary") and its
// name on the form ("整改情况"), which the Chinese message uses.
struct Field {
  std::string path;
  std::string label;
};

Status Invalid(const Field& field, std::string_view code, const std::string& message) {
  return Status::InvalidArgument(message, field.path, std::string(code));
}

bool IsBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// Free text of at most max characters, without control characters: only a
// long text (summaries, reasons, comments) keeps its line breaks and tabs.
Status CheckTextContent(std::string_view text, const Field& field, size_t max_chars) {
  const TextKind kind = max_chars >= kMaxTextChars ? TextKind::kLongText : TextKind::kLine;
  if (std::optional<size_t> at = FindControlCharacter(text, kind)) {
    return Invalid(field, "control_character",
                   field.label + "含有不可见的控制字符（第" + std::to_string(Utf8Length(text.substr(0, *at)) + 1) +
                       "个字符），请删除后重新填写");
  }
  if (Utf8Length(text) > max_chars) {
    return Invalid(field, "too_long", field.label + "不能超过" + std::to_string(max_chars) + "个字");
  }
  return Status::Ok();
}

// Required free text of 1..max characters.
Status CheckText(std::string_view text, const Field& field, size_t max_chars) {
  if (IsBlank(text)) return Invalid(field, "required", field.label + "不能为空");
  return CheckTextContent(text, field, max_chars);
}

Status CheckOptionalText(std::string_view text, const Field& field, size_t max_chars) {
  return CheckTextContent(text, field, max_chars);
}

Status CheckDate(const std::chrono::year_month_day& date, const Field& field) {
  if (!date.ok()) return Invalid(field, "invalid_format", field.label + "不是有效的日期");
  int year = static_cast<int>(date.year());
  if (year < 2000 || year > 2100) return Invalid(field, "out_of_range", field.label + "应在2000年至2100年之间");
  return Status::Ok();
}

// An id a person may type and a URL may carry: ASCII letters, digits, '-', '_', '.'.
Status CheckIdentifier(std::string_view id, const Field& field, size_t max_bytes) {
  if (id.empty()) return Invalid(field, "required", field.label + "不能为空");
  if (id.size() > max_bytes) {
    return Invalid(field, "too_long", field.label + "不能超过" + std::to_string(max_bytes) + "个字符");
  }
  for (char c : id) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_' || c == '.';
    if (!allowed) return Invalid(field, "invalid_format", field.label + "只能由字母、数字和“-”“_”“.”组成");
  }
  return Status::Ok();
}

Status CheckNoticeId(std::string_view id) {
  return CheckIdentifier(id, {"notice_id", "督办编号"}, kMaxNoticeIdBytes);
}

Status CheckListSize(size_t size, const Field& field) {
  if (size <= kMaxListItems) return Status::Ok();
  return Invalid(field, "too_many_items", field.label + "最多填写" + std::to_string(kMaxListItems) + "项");
}

// The milestone names a report says it meets: each a milestone name, none twice.
Status CheckMilestonesMet(const std::vector<std::string>& names) {
  RETURN_IF_ERROR(CheckListSize(names.size(), {"milestones_met", "本次完成的时限"}));
  for (size_t i = 0; i < names.size(); ++i) {
    const Field field{"milestones_met[" + std::to_string(i) + "]", "第" + std::to_string(i + 1) + "项完成的时限"};
    RETURN_IF_ERROR(CheckText(names[i], field, kMaxNameChars));
    if (std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(i), names[i]) !=
        names.begin() + static_cast<std::ptrdiff_t>(i)) {
      return Invalid(field, "duplicate", "时限“" + names[i] + "”重复列出");
    }
  }
  return Status::Ok();
}

// A 佐证链接 is a web address, http:// or https:// then a host (session 7,
// B5). javascript:, data:, file: and the like are refused: files are uploaded
// as attachments now. Only new submissions are checked; stored reports replay.
Status CheckEvidenceLink(std::string_view link, const Field& field) {
  const auto starts = [link](std::string_view scheme) {
    return link.size() >= scheme.size() &&
           std::equal(scheme.begin(), scheme.end(), link.begin(), [](char a, char b) {
             return a == std::tolower(static_cast<unsigned char>(b));
           });
  };
  std::string_view rest;
  if (starts("http://")) rest = link.substr(7);
  else if (starts("https://")) rest = link.substr(8);
  else return Invalid(field, "link_scheme", field.label + "须为网址，以http://或https://开头（文件请作为附件上传）");
  if (rest.empty() || rest.front() == '/' || rest.front() == ':' || rest.front() == '?' || rest.front() == '#') {
    return Invalid(field, "link_scheme", field.label + "缺少网站地址");
  }
  return Status::Ok();
}

Status Check(const ProgressReported& e) {
  int year = static_cast<int>(e.period.year());
  if (!e.period.ok() || year < 2000 || year > 2100) {
    return Invalid({"period", "报送期间"}, "invalid_format", "报送期间应为2000年至2100年间的年月，如2024-11");
  }
  RETURN_IF_ERROR(CheckText(e.summary, {"summary", "进展情况"}, kMaxTextChars));
  if (!std::isfinite(e.percent) || e.percent < 0 || e.percent > 100) {
    return Invalid({"percent", "总体进度"}, "out_of_range", "总体进度应为0到100之间的数");
  }
  RETURN_IF_ERROR(CheckListSize(e.indicators.size(), {"indicators", "指标完成值"}));
  for (size_t i = 0; i < e.indicators.size(); ++i) {
    const std::string where = "indicators[" + std::to_string(i) + "]";
    const std::string nth = "第" + std::to_string(i + 1) + "项指标";
    const IndicatorValue& v = e.indicators[i];
    RETURN_IF_ERROR(CheckText(v.indicator, {where + ".indicator", nth + "的名称"}, kMaxNameChars));
    if (!std::isfinite(v.value) || v.value < 0) {
      return Invalid({where + ".value", nth + "完成值"}, "out_of_range", nth + "完成值不能小于0");
    }
    RETURN_IF_ERROR(CheckText(v.unit, {where + ".unit", nth + "的计量单位"}, kMaxNameChars));
  }
  RETURN_IF_ERROR(CheckListSize(e.evidence.size(), {"evidence", "佐证材料"}));
  for (size_t i = 0; i < e.evidence.size(); ++i) {
    const std::string where = "evidence[" + std::to_string(i) + "]";
    const std::string nth = "第" + std::to_string(i + 1) + "项佐证材料的";
    RETURN_IF_ERROR(CheckText(e.evidence[i].title, {where + ".title", nth + "标题"}, kMaxNameChars));
    const Field uri{where + ".uri", nth + "链接"};
    if (IsBlank(e.evidence[i].uri)) return Invalid(uri, "required", uri.label + "不能为空");
    if (e.evidence[i].uri.size() > kMaxUriBytes) {
      return Invalid(uri, "too_long", uri.label + "不能超过" + std::to_string(kMaxUriBytes) + "个字节");
    }
    RETURN_IF_ERROR(CheckTextContent(e.evidence[i].uri, uri, kMaxUriBytes));
    RETURN_IF_ERROR(CheckEvidenceLink(e.evidence[i].uri, uri));
  }
  return CheckMilestonesMet(e.milestones_met);
}

Status Check(const DeadlineSet& e) {
  RETURN_IF_ERROR(CheckText(e.milestone, {"milestone", "节点名称"}, kMaxNameChars));
  RETURN_IF_ERROR(CheckOptionalText(e.reason, {"reason", "调整理由"}, kMaxTextChars));
  return CheckDate(e.due, {"due", "时限"});
}

Status Check(const MilestoneMet& e) {
  RETURN_IF_ERROR(CheckText(e.milestone, {"milestone", "节点名称"}, kMaxNameChars));
  return CheckOptionalText(e.note, {"note", "完成说明"}, kMaxTextChars);
}

Status Check(const MilestoneCancelled& e) {
  RETURN_IF_ERROR(CheckText(e.milestone, {"milestone", "节点名称"}, kMaxNameChars));
  return CheckText(e.reason, {"reason", "取消理由"}, kMaxTextChars);
}

Status Check(const ReportReviewed& e) {
  if (e.report_version.value == 0) {
    return Invalid({"report_version", "报告版本"}, "out_of_range", "报告版本应为1或更大的整数");
  }
  // A returned report goes back to the unit, which needs to know why.
  const Field comment{"comment", "审核意见"};
  if (e.decision == ReviewDecision::kReturned) {
    if (IsBlank(e.comment)) return Invalid(comment, "required", "退回报告时审核意见不能为空");
    return CheckText(e.comment, comment, kMaxTextChars);
  }
  return CheckOptionalText(e.comment, comment, kMaxTextChars);
}

Status Check(const NoticeIssued& e) {
  RETURN_IF_ERROR(CheckNoticeId(e.notice_id));
  RETURN_IF_ERROR(CheckOptionalText(e.number, {"number", "督办文号"}, kMaxNameChars));
  RETURN_IF_ERROR(CheckText(e.reason, {"reason", "督办事由"}, kMaxTextChars));
  return CheckDate(e.due, {"due", "办理时限"});
}

Status Check(const NoticeAnswered& e) {
  RETURN_IF_ERROR(CheckNoticeId(e.notice_id));
  return CheckText(e.summary, {"summary", "整改情况"}, kMaxTextChars);
}

Status Check(const NoticeClosed& e) {
  RETURN_IF_ERROR(CheckNoticeId(e.notice_id));
  RETURN_IF_ERROR(CheckOptionalText(e.unanswered_reason, {"unanswered_reason", "未整改销号理由"}, kMaxTextChars));
  return CheckOptionalText(e.comment, {"comment", "销号意见"}, kMaxTextChars);
}

Status Check(const NoticeSigned& e) { return CheckNoticeId(e.notice_id); }

Status Check(const InstructionGiven& e) {
  if (!e.notice_id.empty()) RETURN_IF_ERROR(CheckNoticeId(e.notice_id));
  RETURN_IF_ERROR(CheckOptionalText(e.leader_name, {"leader_name", "批示领导"}, kMaxNameChars));
  return CheckText(e.text, {"text", "批示内容"}, kMaxTextChars);
}

Status Check(const TaskCompleted& e) { return CheckText(e.summary, {"summary", "完成情况"}, kMaxTextChars); }

Status Check(const TaskReopened& e) { return CheckText(e.reason, {"reason", "重新启动的理由"}, kMaxTextChars); }

Status CheckYear(int year) {
  if (year < kMinAssessmentYear || year > kMaxAssessmentYear) {
    return Invalid({"year", "考核年度"}, "out_of_range",
                   "考核年度应在" + std::to_string(kMinAssessmentYear) + "年至" + std::to_string(kMaxAssessmentYear) +
                       "年之间");
  }
  return Status::Ok();
}

Status Check(const AssessmentAdjusted& e) {
  RETURN_IF_ERROR(CheckText(e.unit, {"unit", "被考核单位"}, kMaxNameChars));
  RETURN_IF_ERROR(CheckYear(e.year));
  if (!std::isfinite(e.points) || e.points == 0 || std::fabs(e.points) > kMaxAdjustmentPoints) {
    return Invalid({"points", "分值"}, "out_of_range", "分值应在-20到+20之间，且不能为0");
  }
  return CheckText(e.reason, {"reason", "加减分理由"}, kMaxTextChars);
}

Status Check(const YearFrozen& e) {
  RETURN_IF_ERROR(CheckYear(e.year));
  return CheckOptionalText(e.comment, {"comment", "定格说明"}, kMaxTextChars);
}

Status CheckPrincipalId(std::string_view id) {
  return CheckIdentifier(id, {"principal_id", "账号编号"}, kMaxPrincipalIdBytes);
}

// A unit or township is matched by exact spelling, so stray spaces would make a
// second name for the same place.
Status CheckNoSurroundingSpace(std::string_view text, const Field& field) {
  if (!text.empty() && (IsBlank(text.substr(0, 1)) || IsBlank(text.substr(text.size() - 1)))) {
    return Invalid(field, "surrounding_space", field.label + "的开头和结尾不能有空格");
  }
  return Status::Ok();
}

Status Check(const PrincipalRegistered& e) {
  RETURN_IF_ERROR(CheckPrincipalId(e.principal_id));
  RETURN_IF_ERROR(CheckText(e.name, {"name", "姓名或科室"}, kMaxNameChars));
  RETURN_IF_ERROR(CheckOptionalText(e.unit, {"unit", "所属单位"}, kMaxNameChars));
  RETURN_IF_ERROR(CheckNoSurroundingSpace(e.unit, {"unit", "所属单位"}));
  const bool hex = e.token_sha256.size() == 64 &&
                   std::all_of(e.token_sha256.begin(), e.token_sha256.end(),
                               [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  if (!hex) return Invalid({"token_sha256", "令牌摘要"}, "invalid_format", "令牌摘要应为64位小写十六进制数字");
  return Status::Ok();
}

Status Check(const PrincipalRevoked& e) { return CheckPrincipalId(e.principal_id); }

Status Check(const TownshipRegistered& e) {
  RETURN_IF_ERROR(CheckText(e.name, {"name", "乡镇（街道）名称"}, kMaxNameChars));
  return CheckNoSurroundingSpace(e.name, {"name", "乡镇（街道）名称"});
}

// 催办: 1..kMaxUrgeUnits named units without repeats, and an optional one-line text.
Status Check(const UrgeSent& e) {
  if (e.units.empty()) return Invalid({"units", "催办单位"}, "required", "请选择要催办的单位");
  if (e.units.size() > kMaxUrgeUnits) {
    return Invalid({"units", "催办单位"}, "too_many_items", "一次最多催办" + std::to_string(kMaxUrgeUnits) + "个单位");
  }
  for (size_t i = 0; i < e.units.size(); ++i) {
    const Field field{"units[" + std::to_string(i) + "]", "催办单位"};
    RETURN_IF_ERROR(CheckText(e.units[i], field, kMaxNameChars));
    for (size_t j = 0; j < i; ++j) {
      if (e.units[j] == e.units[i]) return Invalid(field, "duplicate", "“" + e.units[i] + "”重复选择了");
    }
  }
  return CheckOptionalText(e.text, {"text", "催办内容"}, kMaxUrgeTextChars);
}

// A webhook's URL: http:// or https:// then a host, printable ASCII only (a
// robot's address as the county's messaging platform gives it).
Status CheckWebhookUrl(std::string_view url) {
  const Field field{"url", "接收地址"};
  if (url.empty()) return Invalid(field, "required", "接收地址不能为空");
  if (url.size() > kMaxUriBytes) {
    return Invalid(field, "too_long", "接收地址不能超过" + std::to_string(kMaxUriBytes) + "个字符");
  }
  std::string_view rest;
  if (url.starts_with("http://")) rest = url.substr(7);
  else if (url.starts_with("https://")) rest = url.substr(8);
  else return Invalid(field, "invalid_format", "接收地址须以http://或https://开头");
  if (rest.empty() || rest.front() == '/' || rest.front() == ':' || rest.front() == '?') {
    return Invalid(field, "invalid_format", "接收地址缺少主机名");
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F) {
      return Invalid(field, "invalid_format", "接收地址只能含英文字母、数字和符号，不能有空格或汉字");
    }
  }
  return Status::Ok();
}

Status Check(const WebhookRegistered& e) {
  RETURN_IF_ERROR(CheckText(e.unit, {"unit", "单位"}, kMaxNameChars));
  RETURN_IF_ERROR(CheckWebhookUrl(e.url));
  if (e.url.find('?') != std::string::npos) {
    return Invalid({"url", "接收地址"}, "invalid_format", "接收地址的查询串应加密保存，不能写在地址中");
  }
  if (e.sealed.size() > 2 * kMaxUriBytes) return Invalid({"sealed", "接收地址"}, "too_long", "接收地址或签名密钥过长");
  return Status::Ok();
}

Status Check(const WebhookRemoved& e) { return CheckText(e.unit, {"unit", "单位"}, kMaxNameChars); }

}  // namespace

Status ValidateEventData(const EventData& data) {
  return std::visit([](const auto& event) { return Check(event); }, data);
}

}  // namespace kuimen
