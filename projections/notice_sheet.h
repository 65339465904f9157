#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/catalog.h"
#include "domain/clock.h"
#include "domain/ids.h"
#include "domain/status.h"
#include "eventstore/event_store.h"

// 督办通知单: what the printed notice of one 督办 shows, folded from the
// item's own stream (a closed notice prints too: the sheet is the record).
namespace kuimen {

struct NoticeSheet {
  StreamId stream;
  std::string item_title;                      // 督办事项: "第7项 事项" or "重大事项3 名称"
  std::string item_text;                       // the task's 工作任务 in full; a major item's kind
  std::vector<std::string> responsible_units;  // 责任单位 (a task's lead unit; a major item's units)
  std::vector<std::string> cooperating_units;  // 配合单位 (tasks only)
  std::string id;
  std::string number;                          // 文号; "" for a notice issued before numbering
  std::string reason;                          // 督办事由 and 工作要求 as the task force wrote them
  std::chrono::year_month_day due{};           // 办理时限
  Timestamp issued_at;
  std::optional<Timestamp> signed_at;          // 签收栏
  std::string signed_by_unit;
  std::string signed_by;                       // the signing principal's id
  std::string signer_name;                     // their name: left for the gateway, which knows principals
  std::optional<Timestamp> answered_at;        // the first answer
  std::string answer;                          // the latest answer
  std::optional<Timestamp> closed_at;          // 销号
  std::string unanswered_reason;               // 未整改销号的理由
  // 领导批示 written on this notice (InstructionGiven naming it), oldest
  // first; a 批示 on the item itself is not the notice's and is left out.
  struct Instruction {
    Timestamp given_at;
    std::string leader_name;  // as stamped by the server; the principal's id when empty
    std::string text;
  };
  std::vector<Instruction> instructions;
};

// The sheet of notice `id` on `stream`; kNotFound (reason "notice_not_issued")
// when the stream has no such notice, kDataLoss when an event cannot be read.
Result<NoticeSheet> ReadNoticeSheet(EventStore& log, const Catalog& catalog, const StreamId& stream,
                                    std::string_view id);

}  // namespace kuimen
