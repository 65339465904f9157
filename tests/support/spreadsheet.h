#pragma once

// Spreadsheets read back as a clerk's office suite reads them: an .xlsx is
// opened by LibreOffice (headless, `soffice --convert-to csv`, every sheet)
// and each sheet comes back as rows of cell texts, as Calc displays them.
// ops/test.sh installs LibreOffice (libreoffice-calc-nogui).

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace kuimen::testing {

using SheetRows = std::vector<std::vector<std::string>>;

// RFC 4180 text (quoted fields may hold commas, quotes and line breaks); a
// leading UTF-8 byte-order mark is skipped; CRLF and LF both end a record.
inline SheetRows ParseCsv(const std::string& text) {
  SheetRows rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  bool any = false;
  size_t i = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    any = true;
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      any = false;
    } else {
      field += c;
    }
  }
  if (any) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

// Every sheet of an .xlsx, by sheet name, as LibreOffice Calc reads it.
inline std::map<std::string, SheetRows> ReadWorkbookWithLibreOffice(const std::string& xlsx_bytes) {
  TempDir dir;
  const std::filesystem::path book = dir.path() / "book.xlsx";
  std::ofstream(book, std::ios::binary) << xlsx_bytes;
  // Its own profile, so parallel tests do not share LibreOffice's lock; the
  // filter options: comma, '"', UTF-8, every sheet (-1), text as shown.
  const std::string command = "soffice -env:UserInstallation=file://" + (dir.path() / "profile").string() +
                              " --headless --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,"
                              "false,false,false,-1' --outdir '" +
                              (dir.path() / "out").string() + "' '" + book.string() + "' >/dev/null 2>&1";
  const int exit_code = std::system(command.c_str());
  EXPECT_EQ(exit_code, 0) << "LibreOffice (soffice) could not read the workbook; ops/test.sh installs it";
  std::map<std::string, SheetRows> sheets;
  if (!std::filesystem::exists(dir.path() / "out")) return sheets;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "out")) {
    // LibreOffice names each sheet's file "book-<sheet name>.csv".
    std::string name = entry.path().stem().string();
    if (name.rfind("book-", 0) == 0) name = name.substr(5);
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    sheets[name] = ParseCsv(text.str());
  }
  EXPECT_FALSE(sheets.empty()) << "LibreOffice wrote no sheet";
  return sheets;
}

// The row whose column `column` reads `key`, or nullptr.
inline const std::vector<std::string>* FindRow(const SheetRows& rows, size_t column, const std::string& key) {
  for (const auto& row : rows) {
    if (row.size() > column && row[column] == key) return &row;
  }
  return nullptr;
}

// The index of the header cell reading `title` in the first row that has it.
inline int ColumnOf(const SheetRows& rows, const std::string& title) {
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (row[i] == title) return static_cast<int>(i);
    }
  }
  return -1;
}

// The index of the first row that has a cell reading `title` (a header row).
inline size_t ColumnRow(const SheetRows& rows, const std::string& title) {
  for (size_t r = 0; r < rows.size(); ++r) {
    for (const std::string& cell : rows[r]) {
      if (cell == title) return r;
    }
  }
  return rows.size();
}

}  // namespace kuimen::testing
