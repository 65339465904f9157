#pragma once

#include <string_view>

namespace kuimen {

// The text of domain/plans/fengjie_2024_62.json, compiled in by CMake
// (eventstore/default_catalog.cc.in) so the binary needs no data files.
extern const std::string_view kDefaultCatalogJson;

}  // namespace kuimen
