#pragma once

#include <string>

#include "domain/catalog.h"
#include "projections/monthly_bulletin.h"
#include "projections/notice_sheet.h"

// The printable documents as A4 HTML pages, as a county office prints them:
// the title centred, bordered tables, a Song (serif) typeface, and on every
// printed page the document's title at the top and "第 N 页 共 M 页" at the
// bottom (CSS @page margin boxes, which Chromium prints).
namespace kuimen {

// The 督办通知单 of one notice. `utc_offset_minutes`: the zone of its dates.
std::string NoticeSheetHtml(const Catalog& catalog, const NoticeSheet& sheet, int utc_offset_minutes);

// The monthly 情况通报.
std::string BulletinHtml(const Catalog& catalog, const MonthlyBulletin& bulletin, int utc_offset_minutes);

// The titles both use: "督办通知单" and "“三位一体”改革工作情况通报（2024年11月）".
std::string BulletinTitle(const MonthlyBulletin& bulletin);
// "2024年11月20日" in the zone given.
std::string ChineseDate(Timestamp time, int utc_offset_minutes);

}  // namespace kuimen
