#pragma once

#include <string>
#include <string_view>

#include "eventstore/recorded_event.h"

namespace kuimen {

// A SHA-256 over a view's rows in key order: equal digests mean byte-identical
// state, so a rebuild from the log can be checked against the live view.
// Each row is framed by its lengths, so ("ab","c") and ("a","bc") differ.
class ViewDigest {
 public:
  ViewDigest();
  ~ViewDigest();
  ViewDigest(const ViewDigest&) = delete;
  ViewDigest& operator=(const ViewDigest&) = delete;

  // Rows must be added in ascending key order.
  void AddRow(std::string_view key, std::string_view value);
  // Lower-case hex of the digest; ends the digest.
  std::string Finish();

 private:
  struct Context;
  Context* context_;  // OpenSSL's EVP_MD_CTX, kept out of this header
};

}  // namespace kuimen
