#pragma once

#include <map>
#include <set>
#include <string>

#include "projections/view.h"

namespace kuimen::testing {

// A small real View for the projector's tests: per stream, the positions it
// was fed, in order. Any double application or gap shows in its rows.
class RecordingView final : public View {
 public:
  explicit RecordingView(std::uint32_t row_format = 1) : row_format_(row_format) {}

  std::string_view Name() const override { return "recording"; }
  std::uint32_t RowFormat() const override { return row_format_; }

  void Apply(const RecordedEvent& envelope, const EventData&) override {
    std::string& row = rows_[envelope.stream.value];
    row += (row.empty() ? "" : ",") + std::to_string(envelope.position.value);
    changed_.insert(envelope.stream.value);
    ++applied_;
  }

  std::vector<std::pair<std::string, std::string>> TakeChangedRows() override {
    std::vector<std::pair<std::string, std::string>> out;
    for (const std::string& key : changed_) out.emplace_back(key, rows_[key]);
    changed_.clear();
    return out;
  }

  Status LoadRow(std::string_view key, std::string_view value) override {
    rows_[std::string(key)] = std::string(value);
    return Status::Ok();
  }

  const std::map<std::string, std::string>& rows() const { return rows_; }
  int applied() const { return applied_; }

 private:
  std::uint32_t row_format_;
  std::map<std::string, std::string> rows_;
  std::set<std::string> changed_;
  int applied_ = 0;
};

}  // namespace kuimen::testing
