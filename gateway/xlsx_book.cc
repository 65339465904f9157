#include "gateway/xlsx_book.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <xlsxwriter.h>

#include "gateway/catalog_table.h"

namespace kuimen {
namespace {

// Excel's limit on a cell's text, in characters (libxlsxwriter counts UTF-8 code points).
constexpr size_t kMaxCellCharacters = 32767;
// Auto-fitted columns stay within these widths (Excel's units, about one digit each).
constexpr double kMinWidth = 6;
constexpr double kMaxWidth = 40;

std::string_view CutToCharacters(std::string_view text, size_t characters) {
  size_t count = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte & 0xC0) == 0x80) continue;  // a continuation byte belongs to the character before
    if (count == characters) return text.substr(0, i);
    ++count;
  }
  return text;
}

Status LxwStatus(int error, const std::string& what) {
  return Status::Internal(what + ": " + lxw_strerror(static_cast<lxw_error>(error)));
}

std::map<XlsxStyle, lxw_format*> MakeStyles(lxw_workbook* workbook) {
  std::map<XlsxStyle, lxw_format*> styles;
  lxw_format* title = styles[XlsxStyle::kTitle] = workbook_add_format(workbook);
  format_set_bold(title);
  format_set_font_size(title, 14);
  format_set_align(title, LXW_ALIGN_CENTER);
  format_set_align(title, LXW_ALIGN_VERTICAL_CENTER);

  lxw_format* note = styles[XlsxStyle::kNote] = workbook_add_format(workbook);
  format_set_font_color(note, LXW_COLOR_GRAY);

  lxw_format* header = styles[XlsxStyle::kHeader] = workbook_add_format(workbook);
  format_set_bold(header);
  format_set_bg_color(header, 0xD9D9D9);
  format_set_border(header, LXW_BORDER_THIN);
  format_set_align(header, LXW_ALIGN_CENTER);
  format_set_align(header, LXW_ALIGN_VERTICAL_CENTER);
  format_set_text_wrap(header);

  for (XlsxStyle kind : {XlsxStyle::kText, XlsxStyle::kWrapped, XlsxStyle::kNumber}) {
    lxw_format* cell = styles[kind] = workbook_add_format(workbook);
    format_set_border(cell, LXW_BORDER_THIN);
    format_set_align(cell, LXW_ALIGN_VERTICAL_TOP);
    if (kind == XlsxStyle::kWrapped) format_set_text_wrap(cell);
  }
  return styles;
}

}  // namespace

// --- XlsxSheet -----------------------------------------------------------------

void XlsxSheet::Keep(int error) {
  if (first_error_ == LXW_NO_ERROR) first_error_ = error;
}

void XlsxSheet::Measure(int col, std::string_view text) {
  size_t& widest = content_widths_[col];
  // A wrapped cell is as wide as its longest line.
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    widest = std::max(widest, DisplayWidth(text.substr(start, end - start)));
    start = end + 1;
  }
}

void XlsxSheet::Text(int row, int col, std::string_view text, XlsxStyle style) {
  if (sheet_ == nullptr) return;
  const std::string cell(CutToCharacters(text, kMaxCellCharacters));
  Keep(worksheet_write_string(sheet_, static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(col), cell.c_str(),
                              styles_.at(style)));
  Measure(col, cell);
}

void XlsxSheet::Number(int row, int col, double value, XlsxStyle style) {
  if (sheet_ == nullptr) return;
  Keep(worksheet_write_number(sheet_, static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(col), value,
                              styles_.at(style)));
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  Measure(col, text);
}

void XlsxSheet::Blank(int row, int col, XlsxStyle style) {
  if (sheet_ == nullptr) return;
  Keep(worksheet_write_blank(sheet_, static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(col), styles_.at(style)));
}

void XlsxSheet::Banner(int row, int last_col, std::string_view text, XlsxStyle style) {
  if (sheet_ == nullptr) return;
  const std::string cell(CutToCharacters(text, kMaxCellCharacters));
  const auto r = static_cast<lxw_row_t>(row);
  if (last_col <= 0) {
    Keep(worksheet_write_string(sheet_, r, 0, cell.c_str(), styles_.at(style)));
    return;
  }
  Keep(worksheet_merge_range(sheet_, r, 0, r, static_cast<lxw_col_t>(last_col), cell.c_str(), styles_.at(style)));
  if (style == XlsxStyle::kTitle) Keep(worksheet_set_row(sheet_, r, 24, nullptr));
}

void XlsxSheet::FixWidth(int col, double width) { fixed_widths_[col] = width; }

void XlsxSheet::Freeze(int row, int col) {
  if (sheet_ == nullptr) return;
  worksheet_freeze_panes(sheet_, static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(col));
}

void XlsxSheet::Filter(int first_row, int last_row, int last_col) {
  if (sheet_ == nullptr) return;
  Keep(worksheet_autofilter(sheet_, static_cast<lxw_row_t>(first_row), 0, static_cast<lxw_row_t>(last_row),
                            static_cast<lxw_col_t>(last_col)));
}

void XlsxSheet::PrintSetup(int header_row) {
  if (sheet_ == nullptr) return;
  worksheet_set_paper(sheet_, 9);  // A4
  worksheet_set_landscape(sheet_);
  worksheet_fit_to_pages(sheet_, 1, 0);  // one page wide, as many long as it takes
  Keep(worksheet_repeat_rows(sheet_, 0, static_cast<lxw_row_t>(header_row)));
}

Status XlsxSheet::Finish() {
  // No sheet: the book could not add one, and has recorded why (or this says so).
  if (sheet_ == nullptr) return Status::Internal("libxlsxwriter could not add a worksheet");
  std::map<int, double> widths;
  for (const auto& [col, characters] : content_widths_) {
    // Two characters of padding keep the text off the cell's border.
    widths[col] = std::clamp(static_cast<double>(characters) + 2, kMinWidth, kMaxWidth);
  }
  for (const auto& [col, width] : fixed_widths_) widths[col] = width;
  for (const auto& [col, width] : widths) {
    const auto c = static_cast<lxw_col_t>(col);
    Keep(worksheet_set_column(sheet_, c, c, width, nullptr));
  }
  if (first_error_ != LXW_NO_ERROR) return LxwStatus(first_error_, "writing the spreadsheet");
  return Status::Ok();
}

// --- XlsxBook ------------------------------------------------------------------

Result<std::unique_ptr<XlsxBook>> XlsxBook::Create(const std::string& title, Timestamp created) {
  std::error_code error;
  const std::filesystem::path temp_dir = std::filesystem::temp_directory_path(error);
  if (error) return Status::Internal("no temporary directory for the spreadsheet: " + error.message());
  std::string path = (temp_dir / "kuimen-export-XXXXXX.xlsx").string();
  const int fd = mkstemps(path.data(), 5);
  if (fd < 0) {
    return Status::Internal("cannot make a temporary file for the spreadsheet in " + temp_dir.string() + ": " +
                            std::strerror(errno));
  }
  // The book keeps the temporary file from here on, and removes it.
  std::unique_ptr<XlsxBook> book(new XlsxBook(fd, path, temp_dir.string(), nullptr));

  lxw_workbook_options options{};
  options.tmpdir = book->temp_dir_.data();
  // libxlsxwriter opens the path again itself when it closes the book; the
  // file mkstemps made is the one it truncates and fills.
  book->workbook_ = workbook_new_opt(book->path_.c_str(), &options);
  if (book->workbook_ == nullptr) return Status::Internal("libxlsxwriter could not start a workbook");
  book->styles_ = MakeStyles(book->workbook_);

  std::string title_property = title;
  lxw_doc_properties properties{};
  properties.title = title_property.data();
  properties.created = static_cast<time_t>(
      std::chrono::duration_cast<std::chrono::seconds>(created.time_since_epoch()).count());
  book->first_error_ = workbook_set_properties(book->workbook_, &properties);
  return book;
}

XlsxBook::XlsxBook(int fd, std::string path, std::string temp_dir, lxw_workbook* workbook)
    : fd_(fd), path_(std::move(path)), temp_dir_(std::move(temp_dir)), workbook_(workbook) {}

XlsxBook::~XlsxBook() {
  // Closing is the only way libxlsxwriter frees a workbook; it writes the file
  // one last time, which is removed just after.
  if (workbook_ != nullptr) workbook_close(workbook_);
  close(fd_);
  unlink(path_.c_str());
}

XlsxSheet& XlsxBook::AddSheet(const std::string& name) {
  lxw_worksheet* sheet = nullptr;
  if (workbook_ != nullptr) {
    const lxw_error valid = workbook_validate_sheet_name(workbook_, name.c_str());
    if (valid == LXW_NO_ERROR) {
      sheet = workbook_add_worksheet(workbook_, name.c_str());
    } else if (first_error_ == LXW_NO_ERROR) {
      first_error_ = valid;
    }
  }
  // An invalid name still gets a sheet, on a default name, so writing goes on;
  // Finish reports the name's error.
  if (sheet == nullptr && workbook_ != nullptr) sheet = workbook_add_worksheet(workbook_, nullptr);
  sheets_.push_back(std::make_unique<XlsxSheet>(sheet, styles_));
  return *sheets_.back();
}

Result<std::string> XlsxBook::Finish() {
  if (workbook_ == nullptr) return Status::Internal("the spreadsheet was already finished");
  Status sheets = Status::Ok();
  for (const std::unique_ptr<XlsxSheet>& sheet : sheets_) {
    Status finished = sheet->Finish();
    if (sheets.ok() && !finished.ok()) sheets = finished;
  }
  const lxw_error closed = workbook_close(workbook_);
  workbook_ = nullptr;
  if (first_error_ != LXW_NO_ERROR) return LxwStatus(first_error_, "making the spreadsheet");
  if (!sheets.ok()) return sheets;
  if (closed != LXW_NO_ERROR) return LxwStatus(closed, "writing the spreadsheet to " + path_);

  std::string bytes;
  if (lseek(fd_, 0, SEEK_SET) < 0) return Status::Internal("cannot read back " + path_ + ": " + std::strerror(errno));
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = read(fd_, buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Internal("cannot read back " + path_ + ": " + std::strerror(errno));
    }
    bytes.append(buffer, static_cast<size_t>(n));
  }
  return bytes;
}

}  // namespace kuimen
