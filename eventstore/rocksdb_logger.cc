#include "eventstore/rocksdb_logger.h"

#include <cstdarg>
#include <cstdio>
#include <string_view>

#include <rocksdb/env.h>
#include <spdlog/spdlog.h>

namespace kuimen {

namespace {

class SpdlogRocksDbLogger final : public rocksdb::Logger {
 public:
  explicit SpdlogRocksDbLogger(std::string name)
      : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL), name_(std::move(name)) {}

  void Logv(const char* format, va_list ap) override { Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }

  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) return;
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    // Said at every read-only open of a store whose files predate SST unique
    // ids in the MANIFEST; nothing an operator can act on.
    if (std::string_view(line).find("without unique ID to verify") != std::string_view::npos) return;
    const spdlog::level::level_enum to = level >= rocksdb::InfoLogLevel::ERROR_LEVEL ? spdlog::level::err
                                         : level == rocksdb::InfoLogLevel::WARN_LEVEL ? spdlog::level::warn
                                                                                      : spdlog::level::info;
    spdlog::log(to, "rocksdb {}: {}", name_, line);
  }

 private:
  const std::string name_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewRocksDbLogger(std::string name) {
  return std::make_shared<SpdlogRocksDbLogger>(std::move(name));
}

}  // namespace kuimen
