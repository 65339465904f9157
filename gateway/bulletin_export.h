#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "domain/status.h"
#include "projections/monthly_bulletin.h"

// The monthly 情况通报 (projections/monthly_bulletin.h) as the API's JSON and
// as an .xlsx workbook, one sheet per section, printed A4 landscape.
namespace kuimen {

nlohmann::ordered_json BulletinJson(const MonthlyBulletin& bulletin, int utc_offset_minutes);

// The same bytes for the same bulletin (the book's creation time is the
// bulletin's as-of moment).
Result<std::string> BulletinWorkbook(const MonthlyBulletin& bulletin, int utc_offset_minutes);

}  // namespace kuimen
