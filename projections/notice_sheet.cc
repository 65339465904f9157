#include "projections/notice_sheet.h"

#include <variant>

#include "domain/supervised_item.h"
#include "eventstore/event_codec.h"

namespace kuimen {

namespace {

void DescribeItem(const Catalog& catalog, NoticeSheet& sheet) {
  for (const TaskSpec& task : catalog.tasks) {
    if (TaskStream(task.no) != sheet.stream) continue;
    sheet.item_title = "第" + std::to_string(task.no.value) + "项 " + task.item;
    sheet.item_text = task.text;
    sheet.responsible_units = {task.lead_unit};
    sheet.cooperating_units = task.cooperating_units;
    return;
  }
  for (const MajorItem& item : catalog.major_items) {
    if (MajorStream(item.no) != sheet.stream) continue;
    sheet.item_title = "重大事项" + std::to_string(item.no.value) + " " + item.name;
    sheet.item_text = item.kind;
    sheet.responsible_units = item.units;
    return;
  }
}

}  // namespace

Result<NoticeSheet> ReadNoticeSheet(EventStore& log, const Catalog& catalog, const StreamId& stream,
                                    std::string_view id) {
  RETURN_IF_ERROR(log.Refresh());
  NoticeSheet sheet;
  sheet.stream = stream;
  bool issued = false;
  std::unique_ptr<EventIterator> it = log.ReadStream(stream, StreamVersion(1));
  for (; it->Valid(); it->Next()) {
    const RecordedEvent& event = it->event();
    Result<EventData> data = DecodeEvent(event.type, event.schema_version, event.data);
    if (!data.ok()) {
      return Status::DataLoss(stream.value + " version " + std::to_string(event.version.value) + ": " +
                              data.status().message());
    }
    if (const auto* e = std::get_if<NoticeIssued>(&*data); e != nullptr && e->notice_id == id) {
      issued = true;
      sheet.id = e->notice_id;
      sheet.number = e->number;
      sheet.reason = e->reason;
      sheet.due = e->due;
      sheet.issued_at = event.recorded_at;
    } else if (const auto* e = std::get_if<NoticeSigned>(&*data); e != nullptr && e->notice_id == id) {
      sheet.signed_at = event.recorded_at;
      sheet.signed_by_unit = event.actor.unit;
      sheet.signed_by = event.actor.principal;
    } else if (const auto* e = std::get_if<NoticeAnswered>(&*data); e != nullptr && e->notice_id == id) {
      if (!sheet.answered_at.has_value()) sheet.answered_at = event.recorded_at;
      sheet.answer = e->summary;
    } else if (const auto* e = std::get_if<InstructionGiven>(&*data); e != nullptr && e->notice_id == id) {
      sheet.instructions.push_back(
          {event.recorded_at, e->leader_name.empty() ? event.actor.principal : e->leader_name, e->text});
    } else if (const auto* e = std::get_if<NoticeClosed>(&*data); e != nullptr && e->notice_id == id) {
      sheet.closed_at = event.recorded_at;
      sheet.unanswered_reason = e->unanswered_reason;
    }
  }
  RETURN_IF_ERROR(it->status());
  if (!issued) return Status::NotFound("该事项没有这份督办通知", "notice_not_issued");
  DescribeItem(catalog, sheet);
  return sheet;
}

}  // namespace kuimen
