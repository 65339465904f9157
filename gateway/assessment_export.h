#pragma once

#include <string>
#include <string_view>

#include "domain/status.h"
#include "projections/assessment_result.h"

// The year's assessment as a ledger (台账) to download: GET
// /exports/assessment.xlsx and .csv. Both take the year's result as the
// assessment view gives it (projections/assessment_result.h; the page shows the
// same result through gateway/assessment_json.h) and lay out the same table: 序号, 单位, one column per score line in the view's
// order (header "报送及时（30分）", or the bare label where a line has no
// maximum, as 加减分), 总分, and 得分说明 (each line's detail). One row per
// unit, in the view's order. Pure functions of their input: the same view gives
// the same bytes.
namespace kuimen {

// xlsx bytes: one sheet named "<year>年度综合考核", a title row
// ("<county>“三位一体”改革 <year>年度综合考核台账"; `county` may be empty, e.g.
// "奉节县"), a note row (rules version, evaluation time, frozen or not), the
// header row, then the units. The header and the 序号/单位 columns stay in
// view when scrolling; points are numbers, not text. A result with no units
// gives the header alone. kInternal when the file cannot be made
// (libxlsxwriter or the temporary file failed).
Result<std::string> AssessmentWorkbook(const AssessmentResult& assessment_view, std::string_view county = {});

// The same table (without title and note rows) as CSV that Excel and WPS open
// as UTF-8: a byte-order mark (EF BB BF), CRLF after every record, fields
// quoted per RFC 4180 where they hold a comma, quote or line break. Text that
// would start a formula (= + - @) is prefixed with an apostrophe; numbers are
// written as JSON prints them (30, 28.5, -5). A result with no units gives the
// header alone.
std::string AssessmentCsv(const AssessmentResult& assessment_view);

}  // namespace kuimen
