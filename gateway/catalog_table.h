#pragma once

#include <string>

#include "domain/catalog.h"

namespace kuimen {

// The catalog as a readable Chinese text table for a terminal
// (`kuimen catalog --format table`). Columns are aligned by display width,
// counting CJK characters as two columns.
std::string CatalogToTable(const Catalog& catalog);

// Terminal columns a UTF-8 string occupies.
size_t DisplayWidth(std::string_view text);

}  // namespace kuimen
