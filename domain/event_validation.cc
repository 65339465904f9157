#include "domain/event_validation.h"

#include <algorithm>
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

Status Invalid(const std::string& field, const std::string& problem) {
  return Status::InvalidArgument(field + ": " + problem, field);
}

bool IsBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// Free text of at most max characters, without control characters: only a
// long text (summaries, reasons, comments) keeps its line breaks and tabs.
Status CheckTextContent(std::string_view text, const std::string& field, size_t max_chars) {
  const TextKind kind = max_chars >= kMaxTextChars ? TextKind::kLongText : TextKind::kLine;
  if (std::optional<size_t> at = FindControlCharacter(text, kind)) {
    return Invalid(field, "不能包含控制字符 (must not contain control characters; one is at character " +
                              std::to_string(Utf8Length(text.substr(0, *at)) + 1) + ")");
  }
  if (Utf8Length(text) > max_chars) {
    return Invalid(field, "must be at most " + std::to_string(max_chars) + " characters");
  }
  return Status::Ok();
}

// Required free text of 1..max characters.
Status CheckText(std::string_view text, const std::string& field, size_t max_chars) {
  if (IsBlank(text)) return Invalid(field, "must not be empty");
  return CheckTextContent(text, field, max_chars);
}

Status CheckOptionalText(std::string_view text, const std::string& field, size_t max_chars) {
  return CheckTextContent(text, field, max_chars);
}

Status CheckDate(const std::chrono::year_month_day& date, const std::string& field) {
  if (!date.ok()) return Invalid(field, "must be a real calendar date");
  int year = static_cast<int>(date.year());
  if (year < 2000 || year > 2100) return Invalid(field, "must be in the years 2000..2100");
  return Status::Ok();
}

// An id a person may type and a URL may carry: ASCII letters, digits, '-', '_', '.'.
Status CheckIdentifier(std::string_view id, const std::string& field, size_t max_bytes) {
  if (id.empty() || id.size() > max_bytes) {
    return Invalid(field, "must be 1.." + std::to_string(max_bytes) + " characters");
  }
  for (char c : id) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_' || c == '.';
    if (!allowed) return Invalid(field, "may contain only letters, digits, '-', '_' and '.'");
  }
  return Status::Ok();
}

Status CheckNoticeId(std::string_view id) { return CheckIdentifier(id, "notice_id", kMaxNoticeIdBytes); }

// The milestone names a report says it meets: each a milestone name, none twice.
Status CheckMilestonesMet(const std::vector<std::string>& names) {
  if (names.size() > kMaxListItems) {
    return Invalid("milestones_met", "must list at most " + std::to_string(kMaxListItems) + " items");
  }
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string where = "milestones_met[" + std::to_string(i) + "]";
    RETURN_IF_ERROR(CheckText(names[i], where, kMaxNameChars));
    if (std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(i), names[i]) !=
        names.begin() + static_cast<std::ptrdiff_t>(i)) {
      return Invalid(where, "时限“" + names[i] + "”重复列出");
    }
  }
  return Status::Ok();
}

Status Check(const ProgressReported& e) {
  int year = static_cast<int>(e.period.year());
  if (!e.period.ok() || year < 2000 || year > 2100) {
    return Invalid("period", "must be a month YYYY-MM in the years 2000..2100");
  }
  RETURN_IF_ERROR(CheckText(e.summary, "summary", kMaxTextChars));
  if (!std::isfinite(e.percent) || e.percent < 0 || e.percent > 100) {
    return Invalid("percent", "must be a number from 0 to 100");
  }
  if (e.indicators.size() > kMaxListItems) {
    return Invalid("indicators", "must list at most " + std::to_string(kMaxListItems) + " items");
  }
  for (size_t i = 0; i < e.indicators.size(); ++i) {
    const std::string where = "indicators[" + std::to_string(i) + "]";
    const IndicatorValue& v = e.indicators[i];
    RETURN_IF_ERROR(CheckText(v.indicator, where + ".indicator", kMaxNameChars));
    if (!std::isfinite(v.value) || v.value < 0) {
      return Invalid(where + ".value", "must be a number not below 0");
    }
    RETURN_IF_ERROR(CheckText(v.unit, where + ".unit", kMaxNameChars));
  }
  if (e.evidence.size() > kMaxListItems) {
    return Invalid("evidence", "must list at most " + std::to_string(kMaxListItems) + " items");
  }
  for (size_t i = 0; i < e.evidence.size(); ++i) {
    const std::string where = "evidence[" + std::to_string(i) + "]";
    RETURN_IF_ERROR(CheckText(e.evidence[i].title, where + ".title", kMaxNameChars));
    if (IsBlank(e.evidence[i].uri) || e.evidence[i].uri.size() > kMaxUriBytes) {
      return Invalid(where + ".uri", "must be 1.." + std::to_string(kMaxUriBytes) + " bytes");
    }
    RETURN_IF_ERROR(CheckTextContent(e.evidence[i].uri, where + ".uri", kMaxUriBytes));
  }
  return CheckMilestonesMet(e.milestones_met);
}

Status Check(const DeadlineSet& e) {
  RETURN_IF_ERROR(CheckText(e.milestone, "milestone", kMaxNameChars));
  RETURN_IF_ERROR(CheckOptionalText(e.reason, "reason", kMaxTextChars));
  return CheckDate(e.due, "due");
}

Status Check(const MilestoneMet& e) {
  RETURN_IF_ERROR(CheckText(e.milestone, "milestone", kMaxNameChars));
  return CheckOptionalText(e.note, "note", kMaxTextChars);
}

Status Check(const MilestoneCancelled& e) {
  RETURN_IF_ERROR(CheckText(e.milestone, "milestone", kMaxNameChars));
  return CheckText(e.reason, "reason", kMaxTextChars);
}

Status Check(const ReportReviewed& e) {
  if (e.report_version.value == 0) return Invalid("report_version", "must be 1 or more");
  // A returned report goes back to the unit, which needs to know why.
  if (e.decision == ReviewDecision::kReturned) return CheckText(e.comment, "comment", kMaxTextChars);
  return CheckOptionalText(e.comment, "comment", kMaxTextChars);
}

Status Check(const NoticeIssued& e) {
  RETURN_IF_ERROR(CheckNoticeId(e.notice_id));
  RETURN_IF_ERROR(CheckOptionalText(e.number, "number", kMaxNameChars));
  RETURN_IF_ERROR(CheckText(e.reason, "reason", kMaxTextChars));
  return CheckDate(e.due, "due");
}

Status Check(const NoticeAnswered& e) {
  RETURN_IF_ERROR(CheckNoticeId(e.notice_id));
  return CheckText(e.summary, "summary", kMaxTextChars);
}

Status Check(const NoticeClosed& e) {
  RETURN_IF_ERROR(CheckNoticeId(e.notice_id));
  RETURN_IF_ERROR(CheckOptionalText(e.unanswered_reason, "unanswered_reason", kMaxTextChars));
  return CheckOptionalText(e.comment, "comment", kMaxTextChars);
}

Status Check(const NoticeSigned& e) { return CheckNoticeId(e.notice_id); }

Status Check(const TaskCompleted& e) { return CheckText(e.summary, "summary", kMaxTextChars); }

Status Check(const TaskReopened& e) { return CheckText(e.reason, "reason", kMaxTextChars); }

Status CheckYear(int year) {
  if (year < kMinAssessmentYear || year > kMaxAssessmentYear) {
    return Invalid("year", "must be a year from " + std::to_string(kMinAssessmentYear) + " to " +
                               std::to_string(kMaxAssessmentYear));
  }
  return Status::Ok();
}

Status Check(const AssessmentAdjusted& e) {
  RETURN_IF_ERROR(CheckText(e.unit, "unit", kMaxNameChars));
  RETURN_IF_ERROR(CheckYear(e.year));
  if (!std::isfinite(e.points) || e.points == 0 || std::fabs(e.points) > kMaxAdjustmentPoints) {
    return Invalid("points", "must be a number from -20 to +20 other than 0");
  }
  return CheckText(e.reason, "reason", kMaxTextChars);
}

Status Check(const YearFrozen& e) {
  RETURN_IF_ERROR(CheckYear(e.year));
  return CheckOptionalText(e.comment, "comment", kMaxTextChars);
}

Status CheckPrincipalId(std::string_view id) {
  return CheckIdentifier(id, "principal_id", kMaxPrincipalIdBytes);
}

// A unit or township is matched by exact spelling, so stray spaces would make a
// second name for the same place.
Status CheckNoSurroundingSpace(std::string_view text, const std::string& field) {
  if (!text.empty() && (IsBlank(text.substr(0, 1)) || IsBlank(text.substr(text.size() - 1)))) {
    return Invalid(field, "must not begin or end with a space");
  }
  return Status::Ok();
}

Status Check(const PrincipalRegistered& e) {
  RETURN_IF_ERROR(CheckPrincipalId(e.principal_id));
  RETURN_IF_ERROR(CheckText(e.name, "name", kMaxNameChars));
  RETURN_IF_ERROR(CheckOptionalText(e.unit, "unit", kMaxNameChars));
  RETURN_IF_ERROR(CheckNoSurroundingSpace(e.unit, "unit"));
  const bool hex = e.token_sha256.size() == 64 &&
                   std::all_of(e.token_sha256.begin(), e.token_sha256.end(),
                               [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  if (!hex) return Invalid("token_sha256", "must be 64 lower-case hexadecimal digits (a SHA-256)");
  return Status::Ok();
}

Status Check(const PrincipalRevoked& e) { return CheckPrincipalId(e.principal_id); }

Status Check(const TownshipRegistered& e) {
  RETURN_IF_ERROR(CheckText(e.name, "name", kMaxNameChars));
  return CheckNoSurroundingSpace(e.name, "name");
}

}  // namespace

Status ValidateEventData(const EventData& data) {
  return std::visit([](const auto& event) { return Check(event); }, data);
}

}  // namespace kuimen
