#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "domain/clock.h"
#include "domain/status.h"

// libxlsxwriter's types, kept out of this header so only xlsx_book.cc sees the C API.
struct lxw_workbook;
struct lxw_worksheet;
struct lxw_format;

namespace kuimen {

// The cell styles the exports use, made once per book.
enum class XlsxStyle {
  kTitle,    // large bold, the sheet's first row
  kNote,     // grey, under the title: when, under which rules
  kHeader,   // bold on grey, bordered, centred, wrapped
  kText,     // bordered, one line
  kWrapped,  // bordered, wrapped, for long texts in a fixed-width column
  kNumber,   // bordered number, Excel's General format
};

// One worksheet of an XlsxBook. Writes never fail on the spot: the first error
// is kept and reported by XlsxBook::Finish, so a sheet is written without a
// check after every cell. Columns are as wide as their widest cell (CJK
// characters counting two), within limits, unless given a fixed width.
class XlsxSheet {
 public:
  XlsxSheet(lxw_worksheet* sheet, const std::map<XlsxStyle, lxw_format*>& styles) : sheet_(sheet), styles_(styles) {}
  XlsxSheet(const XlsxSheet&) = delete;
  XlsxSheet& operator=(const XlsxSheet&) = delete;

  // A string cell. Text longer than Excel's 32,767 characters is cut at a
  // character boundary; formulas are never written, so text starting with
  // "=" stays text.
  void Text(int row, int col, std::string_view text, XlsxStyle style = XlsxStyle::kText);
  void Number(int row, int col, double value, XlsxStyle style = XlsxStyle::kNumber);
  // An empty cell that still carries the style's border.
  void Blank(int row, int col, XlsxStyle style = XlsxStyle::kText);
  // Text across columns 0..last_col of `row`, not counted in column widths.
  void Banner(int row, int last_col, std::string_view text, XlsxStyle style);
  // A column of long text: this width (in Excel's units) whatever its cells hold.
  void FixWidth(int col, double width);
  // Rows above `row` and columns left of `col` stay in view when scrolling.
  void Freeze(int row, int col);
  // Filter buttons on the header row `first_row` over the table below it.
  void Filter(int first_row, int last_row, int last_col);
  // Printing: A4 landscape, one page wide, rows 0..`header_row` repeated on every page.
  void PrintSetup(int header_row);

  // Sets the column widths; the first error of any write, or OK.
  Status Finish();

 private:
  void Keep(int error);
  void Measure(int col, std::string_view text);

  lxw_worksheet* sheet_;
  const std::map<XlsxStyle, lxw_format*>& styles_;
  std::map<int, double> fixed_widths_;
  std::map<int, size_t> content_widths_;  // by column: the widest line seen
  int first_error_ = 0;                   // an lxw_error; 0 is LXW_NO_ERROR
};

// An .xlsx workbook made with libxlsxwriter. libxlsxwriter 1.1.4 (Debian 12)
// writes only to a named file (its output_buffer option arrived in 1.1.5), so
// the book goes to a private temporary file (mkstemp, mode 0600, under the
// system's temp directory) that Finish reads back; the file is removed
// whatever happens, including when the book is dropped unfinished.
// Not thread-safe; separate books may be built on separate threads
// (libxlsxwriter keeps no mutable global state, and each book its own file).
class XlsxBook {
 public:
  // `title` becomes the document's title property and `created` its creation
  // time, which libxlsxwriter otherwise takes from the clock: with it, the same
  // input gives the same bytes. kInternal when no temporary file can be made.
  static Result<std::unique_ptr<XlsxBook>> Create(const std::string& title, Timestamp created);
  ~XlsxBook();
  XlsxBook(const XlsxBook&) = delete;
  XlsxBook& operator=(const XlsxBook&) = delete;

  // A new sheet, owned by the book. `name`: at most 31 characters, none of
  // []:*?/\ and unique in the book (else Finish reports kInternal).
  XlsxSheet& AddSheet(const std::string& name);

  // Closes the book and returns the file's bytes; kInternal naming
  // libxlsxwriter's error if a write or the file failed. Call once.
  Result<std::string> Finish();

 private:
  XlsxBook(int fd, std::string path, std::string temp_dir, lxw_workbook* workbook);

  int fd_;
  std::string path_;
  std::string temp_dir_;  // libxlsxwriter's own scratch files go here too
  lxw_workbook* workbook_;  // null once closed
  std::map<XlsxStyle, lxw_format*> styles_;  // owned by the workbook
  std::vector<std::unique_ptr<XlsxSheet>> sheets_;
  int first_error_ = 0;  // an lxw_error from adding a sheet
};

}  // namespace kuimen
