#pragma once

#include <map>
#include <mutex>
#include <string>

#include "domain/clock.h"
#include "domain/status.h"
#include "eventstore/command_handler.h"
#include "eventstore/event_store.h"

namespace kuimen {

// Numbers 督办 notices in 文号 style, "奉三位一体督〔2026〕7号": one sequence
// per year of issue (the county's calendar year) across every task and major
// item, from 1. The number is written into the NoticeIssued event itself, so
// it is the same in every view, export and replay, whatever order a
// projection sees the streams in.
//
// Thread-safe. Issuing is serialised: the lock is held from choosing the
// number until the event is stored, so two notices issued at once on
// different items never share a number, and a refused notice uses none. The
// last number of each year is read from the log on first use (one pass over
// the log) and kept in memory after that; this object must be the only
// writer of NoticeIssued events while it lives (the gateway is).
class NoticeNumbers {
 public:
  // Neither is owned; both must outlive this object.
  NoticeNumbers(EventStore& log, CommandHandler& commands, std::string prefix, int utc_offset_minutes)
      : log_(log), commands_(commands), prefix_(std::move(prefix)), utc_offset_minutes_(utc_offset_minutes) {}

  // Submits `submission`, whose event must be a NoticeIssued, with the next
  // number of the year of `now` in place of any the client sent. Errors as
  // CommandHandler::Submit; kUnavailable when the log cannot be read.
  Result<RecordedEvent> Submit(Submission submission, Timestamp now);

 private:
  Status LoadLocked();

  EventStore& log_;
  CommandHandler& commands_;
  const std::string prefix_;
  const int utc_offset_minutes_;
  std::mutex mu_;
  bool loaded_ = false;          // guarded by mu_
  std::map<int, int> last_;      // year -> last sequence issued; guarded by mu_
};

}  // namespace kuimen
