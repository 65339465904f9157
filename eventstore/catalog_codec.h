#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "domain/catalog.h"
#include "domain/status.h"

// The plan catalog's JSON file format ("kuimen-catalog/1"), see
// domain/plans/fengjie_2024_62.json. It lives here because domain/ knows no JSON.
namespace kuimen {

inline constexpr std::string_view kCatalogSchema = "kuimen-catalog/1";

// Parses and validates a catalog. Errors are kInvalidArgument naming the entry
// and the problem ("tasks[4].lead_unit: is required").
Result<Catalog> ParseCatalog(std::string_view json_text);

// Reads and parses a catalog file; kNotFound if it cannot be read.
Result<Catalog> LoadCatalogFile(const std::filesystem::path& path);

// The Fengjie plan (奉节府办发〔2024〕62号), built into the binary.
Result<Catalog> LoadDefaultCatalog();

// The JSON form printed by `kuimen catalog --format json` and served by the API.
std::string CatalogToJson(const Catalog& catalog, int indent = 2);

}  // namespace kuimen
