#pragma once

// The spreadsheet downloads (台账) in one include for the export routes:
// AssessmentWorkbook and AssessmentCsv (the year's assessment) and
// TasksWorkbook (附件2's tasks and 附件1's major items with their status).
#include "gateway/assessment_export.h"  // IWYU pragma: export
#include "gateway/tasks_export.h"       // IWYU pragma: export
