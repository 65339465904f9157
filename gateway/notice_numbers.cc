#include "gateway/notice_numbers.h"

#include <variant>

#include "domain/calendar.h"
#include "domain/notice_number.h"
#include "eventstore/event_codec.h"

namespace kuimen {

Status NoticeNumbers::LoadLocked() {
  if (loaded_) return Status::Ok();
  const std::string_view issued_type = EventTypeName(EventData(NoticeIssued{}));
  std::unique_ptr<EventIterator> events = log_.ReadAll(GlobalPosition(1));
  for (; events->Valid(); events->Next()) {
    const RecordedEvent& stored = events->event();
    if (stored.type != issued_type) continue;
    Result<EventData> event = DecodeEvent(stored.type, stored.schema_version, stored.data);
    if (!event.ok()) continue;  // the replaying views report it; numbering only needs the numbers it can read
    const auto* notice = std::get_if<NoticeIssued>(&*event);
    if (notice == nullptr) continue;
    if (std::optional<NoticeNumber> number = ParseNoticeNumber(notice->number)) {
      int& last = last_[number->year];
      last = std::max(last, number->sequence);
    }
  }
  RETURN_IF_ERROR(events->status());
  loaded_ = true;
  return Status::Ok();
}

Result<RecordedEvent> NoticeNumbers::Submit(Submission submission, Timestamp now) {
  auto* notice = std::get_if<NoticeIssued>(&submission.event);
  if (notice == nullptr) return Status::Internal("NoticeNumbers::Submit takes a NoticeIssued");
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(LoadLocked());
  const int year = static_cast<int>(std::chrono::year_month_day(LocalDay(now, utc_offset_minutes_)).year());
  const NoticeNumber number{year, last_[year] + 1};
  notice->number = FormatNoticeNumber(prefix_, number);
  Result<RecordedEvent> stored = commands_.Submit(submission);
  if (!stored.ok()) return stored;
  // A resent event_id returns the first notice, which has its own number.
  Result<EventData> event = DecodeEvent(stored->type, stored->schema_version, stored->data);
  if (event.ok()) {
    if (const auto* kept = std::get_if<NoticeIssued>(&*event)) {
      if (std::optional<NoticeNumber> used = ParseNoticeNumber(kept->number)) {
        int& last = last_[used->year];
        last = std::max(last, used->sequence);
      }
    }
  }
  return stored;
}

}  // namespace kuimen
