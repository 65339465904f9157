#pragma once

#include <memory>
#include <string>

namespace rocksdb {
class Logger;
}

namespace kuimen {

// RocksDB's own diagnostics (its "info log") for the database called `name`,
// sent to spdlog as "rocksdb <name>: …", warnings and worse only, instead of
// a LOG file beside the data. A LOG file on a full disk fails, and RocksDB 7.8
// (Debian builds it with assertions on) aborts the process on the next line
// it logs there. Set it as DBOptions::info_log of every database kuimen opens.
std::shared_ptr<rocksdb::Logger> NewRocksDbLogger(std::string name);

}  // namespace kuimen
